//! Reading request bodies: content type first (a 415 needs no body), then the
//! bytes under the configured limit, with every failure as an [`ApiError`].

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::{Duration, Instant};

use actix_web::dev::Decompress;
use actix_web::web::{Bytes, BytesMut, Payload};
use actix_web::{HttpMessage, HttpRequest, HttpResponse};
use futures_util::StreamExt;
use serde::Serialize;
use serde::de::DeserializeOwned;
use tokio::sync::Semaphore;

use super::error::{ApiError, ErrorCode};
use super::scores::{self, TopLevelScores};
use crate::analysis::{AnalysisError, budget};

/// Bodies larger than this are parsed and analysed on the compute pool, so
/// that one large leaderboard never stalls the HTTP workers; smaller ones are
/// cheaper to answer in place than to hand over.
const OFFLOAD_MIN_BYTES: usize = 64 * 1024;

/// The largest capacity an answer's buffer starts with (see `respond`).
const ANSWER_START_MAX: usize = 1 << 20;

/// Body formats the analysis endpoints accept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyFormat {
    Json,
    Csv,
    /// `multipart/form-data`: a form of named parts (a basis and a table);
    /// only the endpoints that place models on a basis read it.
    Multipart,
    /// `application/vnd.apache.parquet`
    Parquet,
    /// `application/vnd.apache.arrow.stream` (the Arrow IPC stream format)
    Arrow,
}

/// The media type of a Parquet body.
pub const PARQUET: &str = "application/vnd.apache.parquet";
/// The media type of an Arrow IPC stream body.
pub const ARROW_STREAM: &str = "application/vnd.apache.arrow.stream";

/// The limits every analysis request is held to, shared with handlers as app data.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Largest request body (413 `payload_too_large`).
    pub max_body_bytes: usize,
    /// Most score cells in one request, supplementary rows included (413 `too_many_cells`).
    pub max_cells: usize,
    /// Most iterations an iterative method may be asked for (422).
    pub max_iterations: usize,
    /// Wall-clock budget of one request's computation (503 `deadline_exceeded`).
    pub deadline: Duration,
    /// Most bootstrap resamples or parallel-analysis iterations (422 `invalid_bootstrap`).
    pub max_resamples: usize,
}

impl Limits {
    /// 413 when a leaderboard has more cells than allowed; otherwise counts
    /// its size in the metrics.
    pub fn check_cells(&self, cells: usize) -> Result<(), ApiError> {
        crate::plumbing::metrics::record_matrix(cells);
        if cells > self.max_cells {
            Err(ApiError::new(
                ErrorCode::TooManyCells,
                format!(
                    "the request has {cells} score cells, more than the limit of {} (MAX_CELLS)",
                    self.max_cells
                ),
            ))
        } else {
            Ok(())
        }
    }
}

/// `application/json` (or any `application/<x>+json`), `text/csv`,
/// Parquet or an Arrow IPC stream.
pub fn body_format(req: &HttpRequest) -> Result<BodyFormat, ApiError> {
    let unsupported = |got: &str| {
        ApiError::new(
            ErrorCode::UnsupportedMediaType,
            format!(
                "send the leaderboard as Content-Type: application/json, text/csv, {PARQUET} or \
                 {ARROW_STREAM} (got {got})"
            ),
        )
    };
    match req.mime_type() {
        Ok(Some(mime))
            if mime.type_() == "application"
                && (mime.subtype() == "json" || mime.suffix().is_some_and(|s| s == "json")) =>
        {
            Ok(BodyFormat::Json)
        }
        Ok(Some(mime)) if mime.essence_str() == "text/csv" => Ok(BodyFormat::Csv),
        Ok(Some(mime)) if mime.essence_str() == "multipart/form-data" => Ok(BodyFormat::Multipart),
        Ok(Some(mime)) if mime.essence_str() == PARQUET => Ok(BodyFormat::Parquet),
        Ok(Some(mime)) if mime.essence_str() == ARROW_STREAM => Ok(BodyFormat::Arrow),
        Ok(Some(mime)) => Err(unsupported(mime.essence_str())),
        Ok(None) => Err(unsupported("no Content-Type")),
        Err(_) => Err(unsupported("an unparsable Content-Type")),
    }
}

/// The whole body, or a 413 as soon as it is known to exceed the limit.
pub async fn read_limited(
    req: &HttpRequest,
    payload: Payload,
    limit: usize,
) -> Result<Bytes, ApiError> {
    let too_large = || {
        ApiError::new(
            ErrorCode::PayloadTooLarge,
            format!("the request body exceeds the limit of {limit} bytes (MAX_BODY_BYTES)"),
        )
    };
    let declared = req
        .headers()
        .get(actix_web::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|len| len > limit as u64) {
        return Err(too_large());
    }
    // Compressed bodies (Content-Encoding gzip, deflate, br, zstd) are
    // decoded as they stream in, and the limit applies to the decoded bytes,
    // so a small compressed bomb cannot expand past it.
    let encoding = req
        .headers()
        .get(actix_web::http::header::CONTENT_ENCODING)
        .map(|v| v.to_str().unwrap_or("?").trim().to_ascii_lowercase());
    if let Some(encoding) = &encoding
        && !["identity", "gzip", "x-gzip", "deflate", "br", "zstd"].contains(&encoding.as_str())
    {
        return Err(ApiError::new(
            ErrorCode::UnsupportedMediaType,
            format!("Content-Encoding {encoding:?} is not supported (gzip, deflate, br, zstd)"),
        ));
    }
    let mut stream = Decompress::from_headers(payload.into_inner(), req.headers());
    // A body that arrives as one chunk (most small ones do) is kept as it
    // came, without a copy. Otherwise: one allocation of the declared size
    // (already checked against the limit) instead of a doubling buffer that
    // copies a large body ~twice.
    let capacity = match (&encoding, declared) {
        (None, Some(len)) => len as usize,
        _ => 0,
    };
    let mut received = 0usize;
    let mut first: Option<Bytes> = None;
    let mut joined: Option<BytesMut> = None;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|err| {
            ApiError::new(
                ErrorCode::MalformedJson,
                format!("the request body could not be read: {err}"),
            )
        })?;
        received += chunk.len();
        if received > limit {
            return Err(too_large());
        }
        if let Some(body) = &mut joined {
            body.extend_from_slice(&chunk);
        } else if let Some(head) = first.take() {
            let mut body = BytesMut::with_capacity(capacity.max(received));
            body.extend_from_slice(&head);
            body.extend_from_slice(&chunk);
            joined = Some(body);
        } else {
            first = Some(chunk);
        }
    }
    Ok(joined.map(BytesMut::freeze).or(first).unwrap_or_default())
}

/// Large bodies (over [`OFFLOAD_MIN_BYTES`]) whose requests may be in
/// progress at once, counted by their declared length: a request takes
/// min(its length, this budget), so a body of this size or more is read and
/// analysed alone, and smaller ones share the budget. A request holds its
/// body, then its parsed scores, at most about 2.5 times the body at once;
/// without a bound, a burst of large requests is held whole in memory while
/// it waits for the compute pool (four concurrent 9 MB bodies took 78 MB over
/// the idle RSS). Requests waiting here have not read their bodies yet: their
/// clients wait in TCP's flow control instead of in our memory.
pub const LARGE_BODY_BUDGET: usize = 16 << 20;

static LARGE_BODIES: Semaphore = Semaphore::const_new(LARGE_BODY_BUDGET);

/// Reads the body (checking its type first), parses it with `parse`, runs
/// `compute` on the parsed request (both on the compute pool when the body is
/// large) and answers the result as JSON. The body is dropped as soon as it
/// is parsed, so the analysis never holds both.
///
/// The computation runs under the request deadline (checked between
/// iterations by the core, and by a timer on the awaiting side), and a panic
/// in it becomes a 500 `internal_error` instead of taking a worker down.
pub async fn answer<R, T, P, F>(
    req: &HttpRequest,
    payload: Payload,
    limits: Limits,
    parse: P,
    compute: F,
) -> Result<HttpResponse, ApiError>
where
    T: Serialize,
    P: FnOnce(BodyFormat, &[u8]) -> Result<R, ApiError> + Send + 'static,
    F: FnOnce(R) -> Result<T, ApiError> + Send + 'static,
{
    respond(req, payload, limits, false, parse, compute).await
}

/// [`answer`] for an endpoint whose computation takes seconds whatever the
/// body's size (the skills law's iterative fits of a few kilobytes of
/// leaderboard): always on the compute pool, so that no HTTP worker, and no
/// probe waiting behind it, waits on it.
pub async fn answer_on_pool<R, T, P, F>(
    req: &HttpRequest,
    payload: Payload,
    limits: Limits,
    parse: P,
    compute: F,
) -> Result<HttpResponse, ApiError>
where
    T: Serialize,
    P: FnOnce(BodyFormat, &[u8]) -> Result<R, ApiError> + Send + 'static,
    F: FnOnce(R) -> Result<T, ApiError> + Send + 'static,
{
    respond(req, payload, limits, true, parse, compute).await
}

async fn respond<R, T, P, F>(
    req: &HttpRequest,
    payload: Payload,
    limits: Limits,
    always_offload: bool,
    parse: P,
    compute: F,
) -> Result<HttpResponse, ApiError>
where
    T: Serialize,
    P: FnOnce(BodyFormat, &[u8]) -> Result<R, ApiError> + Send + 'static,
    F: FnOnce(R) -> Result<T, ApiError> + Send + 'static,
{
    let format = body_format(req)?;
    let declared = body_len_hint(req);
    let large = declared >= OFFLOAD_MIN_BYTES;
    let offload = large || always_offload;
    // Waiting for the budget counts against the deadline, as waiting for
    // the compute pool does.
    let admitted = if large {
        let bytes = declared.min(LARGE_BODY_BUDGET) as u32;
        match actix_web::rt::time::timeout(limits.deadline, LARGE_BODIES.acquire_many(bytes)).await
        {
            Ok(permit) => Some(permit.map_err(|_| {
                ApiError::new(ErrorCode::InternalError, "the request budget was closed")
            })?),
            Err(_) => return Err(ApiError::from(AnalysisError::DeadlineExceeded)),
        }
    } else {
        None
    };
    let body = read_limited(req, payload, limits.max_body_bytes).await?;
    let deadline = Instant::now() + limits.deadline;
    let work = move || {
        // Held until the answer is serialised, wherever the awaiting side is.
        let _admitted = admitted;
        guarded(|| {
            budget::with_deadline(Some(deadline), || {
                let body_len = body.len();
                let request = parse(format, &body)?;
                drop(body);
                let result = compute(request)?;
                // Small answers run to about the body's size (labels
                // echoed, a number per model and component): starting there
                // spares the doubling from 128 bytes, a copy of all written
                // so far each time. Large answers are a fraction of their
                // body (k of p numbers per model), so the start is capped at
                // 1 MiB: a body-sized buffer, untouched but for its first
                // megabyte, would be a block the next request's body could
                // be given, touching the rest and holding the resident
                // memory one body higher from then on.
                let mut json = Vec::with_capacity(body_len.clamp(1024, ANSWER_START_MAX));
                serde_json::to_writer(&mut json, &result)
                    .map_err(|err| ApiError::new(ErrorCode::InternalError, err.to_string()))?;
                Ok(json)
            })
        })
    };
    let json = if offload {
        // The timer answers on time even while the SVD (not interruptible)
        // finishes; the core stops at its next check.
        let grace = Duration::from_millis(250);
        match actix_web::rt::time::timeout(limits.deadline + grace, on_compute_pool(work)).await {
            Ok(result) => result??,
            Err(_) => return Err(ApiError::from(AnalysisError::DeadlineExceeded)),
        }
    } else {
        work()?
    };
    Ok(HttpResponse::Ok()
        .content_type("application/json")
        .body(json))
}

/// Runs `work` on the compute pool: rayon's global pool, one thread per core
/// (`RAYON_NUM_THREADS`), the same threads the decompositions spread over.
/// Unlike a blocking pool that grows a thread per concurrent request, a
/// burst of large requests queues here instead of oversubscribing the cores,
/// and the per-thread working memory of the numerics (matrix-product packing
/// buffers, allocator caches) exists once per core rather than once per
/// request ever in flight. `work` must not panic (wrap it in [`guarded`]): a
/// panic escaping a rayon job aborts the process.
async fn on_compute_pool<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, ApiError> {
    let (sender, receiver) = tokio::sync::oneshot::channel();
    rayon::spawn(move || {
        // The client may have gone (or been answered 503) while this waited.
        if !sender.is_closed() {
            let _ = sender.send(work());
        }
    });
    receiver.await.map_err(|_| {
        ApiError::new(
            ErrorCode::InternalError,
            "the computation ended without a result; please report this request",
        )
    })
}

/// Runs `work`, turning a panic into a 500 problem: a bug in one analysis
/// must not cost the other requests their worker.
pub fn guarded<T>(work: impl FnOnce() -> Result<T, ApiError>) -> Result<T, ApiError> {
    catch_unwind(AssertUnwindSafe(work)).unwrap_or_else(|panic| {
        let what = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".into());
        Err(ApiError::new(
            ErrorCode::InternalError,
            format!("the analysis failed unexpectedly ({what}); please report this request"),
        ))
    })
}

fn body_len_hint(req: &HttpRequest) -> usize {
    req.headers()
        .get(actix_web::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        // Chunked bodies of unknown size go to the pool, to be safe.
        .unwrap_or(usize::MAX)
}

/// A JSON request body as `T`, with every failure coded.
pub fn parse_json<T: DeserializeOwned + TopLevelScores>(body: &[u8]) -> Result<T, ApiError> {
    // serde would also accept a struct spelled as a JSON array of its fields;
    // the contract is an object.
    if body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'[') {
        return Err(ApiError::new(
            ErrorCode::InvalidRequest,
            "the request body must be a JSON object",
        ));
    }
    if let Some(request) = scores::parse_fast(body) {
        return Ok(request);
    }
    serde_json::from_slice(body).map_err(|err| ApiError::from_json(&err))
}

/// Refuses anything but JSON, for endpoints that take no table.
pub fn json_only(format: BodyFormat) -> Result<(), ApiError> {
    match format {
        BodyFormat::Json => Ok(()),
        _ => Err(ApiError::new(
            ErrorCode::UnsupportedMediaType,
            "this endpoint takes application/json only",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_an_internal_error() {
        let result: Result<(), ApiError> = guarded(|| panic!("boom"));
        let err = result.unwrap_err();
        assert_eq!(err.code, ErrorCode::InternalError);
        assert!(err.detail.contains("boom"));
        assert_eq!(guarded(|| Ok(3)).unwrap(), 3);
    }

    #[test]
    fn cells_over_the_limit_are_refused() {
        let limits = Limits {
            max_body_bytes: 1,
            max_cells: 10,
            max_iterations: 1,
            deadline: Duration::from_secs(1),
            max_resamples: 1,
        };
        assert!(limits.check_cells(10).is_ok());
        assert_eq!(
            limits.check_cells(11).unwrap_err().code,
            ErrorCode::TooManyCells
        );
    }
}
