//! Reading request bodies: content type first (a 415 needs no body), then the
//! bytes under the configured limit, with every failure as an [`ApiError`].

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::{Duration, Instant};

use actix_web::web::{Bytes, BytesMut, Payload};
use actix_web::{HttpMessage, HttpRequest, HttpResponse};
use futures_util::StreamExt;
use serde::Serialize;
use tokio::sync::Semaphore;

use super::encoding::{self, Encoding};
use super::error::{ApiError, ErrorCode};
use crate::analysis::budget;
use crate::ingest::{ARROW_STREAM, Format, PARQUET, ReadLimits};

/// The largest capacity an answer's buffer starts with (see [`answer`]).
const ANSWER_START_MAX: usize = 1 << 20;

/// Body formats the analysis endpoints accept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyFormat {
    Json,
    /// JSON Lines (`application/jsonl`, `application/x-ndjson`, ...): read
    /// with `format=lm_eval` only.
    JsonLines,
    Csv,
    /// `multipart/form-data`: a form of named parts (a basis and a table);
    /// only the endpoints that place models on a basis read it.
    Multipart,
    /// `application/vnd.apache.parquet`
    Parquet,
    /// `application/vnd.apache.arrow.stream` (the Arrow IPC stream format)
    Arrow,
}

impl BodyFormat {
    /// The table format of a table body; `None` for JSON and forms.
    pub fn table(self) -> Option<Format> {
        match self {
            BodyFormat::Csv => Some(Format::Csv),
            BodyFormat::Parquet => Some(Format::Parquet),
            BodyFormat::Arrow => Some(Format::Arrow),
            BodyFormat::Json | BodyFormat::JsonLines | BodyFormat::Multipart => None,
        }
    }
}

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
    /// How long a body may take to arrive (408 `body_timeout`).
    pub body_timeout: Duration,
}

impl Limits {
    /// What reading a body may cost.
    pub fn read(&self) -> ReadLimits {
        ReadLimits {
            max_body_bytes: self.max_body_bytes,
            max_cells: self.max_cells,
        }
    }

    /// 413 when a leaderboard has more cells than allowed; otherwise counts
    /// its size in the metrics.
    pub fn check_cells(&self, cells: usize) -> Result<(), ApiError> {
        crate::runtime::metrics::record_matrix(cells);
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

/// The media types JSON Lines is sent as.
pub const JSON_LINES: [&str; 5] = [
    "application/jsonl",
    "application/x-ndjson",
    "application/ndjson",
    "application/x-jsonlines",
    "application/jsonlines",
];

/// `application/json` (or any `application/<x>+json`), JSON Lines, `text/csv`,
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
        Ok(Some(mime)) if JSON_LINES.contains(&mime.essence_str()) => Ok(BodyFormat::JsonLines),
        Ok(Some(mime)) if mime.essence_str() == "text/csv" => Ok(BodyFormat::Csv),
        Ok(Some(mime)) if mime.essence_str() == "multipart/form-data" => Ok(BodyFormat::Multipart),
        Ok(Some(mime)) if mime.essence_str() == PARQUET => Ok(BodyFormat::Parquet),
        Ok(Some(mime)) if mime.essence_str() == ARROW_STREAM => Ok(BodyFormat::Arrow),
        Ok(Some(mime)) => Err(unsupported(mime.essence_str())),
        Ok(None) => Err(unsupported("no Content-Type")),
        Err(_) => Err(unsupported("an unparsable Content-Type")),
    }
}

/// The body's bytes as they arrive (still encoded, if they are), or a 413 as
/// soon as they exceed `limit`.
async fn read_raw(
    payload: Payload,
    declared: Option<usize>,
    encoded: bool,
    limit: usize,
) -> Result<Bytes, ApiError> {
    let mut stream = payload.into_inner();
    // A body that arrives as one chunk (most small ones do) is kept as it
    // came, without a copy. Otherwise: one allocation of the declared size
    // (already checked against the limit) instead of a doubling buffer that
    // copies a large body ~twice.
    let capacity = declared.unwrap_or(0);
    let mut received = 0usize;
    let mut first: Option<Bytes> = None;
    let mut joined: Option<BytesMut> = None;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|err| {
            // A chunk size that is not one, or a body that ends before
            // its length: the framing, whatever the body holds.
            ApiError::new(
                ErrorCode::MalformedBody,
                format!("the request body could not be read: {err}"),
            )
        })?;
        received += chunk.len();
        if received > limit {
            return Err(too_large(limit, encoded));
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

fn too_large(limit: usize, encoded: bool) -> ApiError {
    let what = if encoded { " (compressed)" } else { "" };
    ApiError::new(
        ErrorCode::PayloadTooLarge,
        format!("the request body{what} exceeds the limit of {limit} bytes (MAX_BODY_BYTES)"),
    )
}

/// The bytes of large bodies whose requests may be in progress at once: a
/// request takes min(its body's size, this budget), so a body of the
/// budget's size or more is read and analysed alone, and smaller ones share
/// it. A request holds its body, then its parsed scores, at most
/// about 2.5 times the body at once; without a bound, a burst of large
/// requests is held whole in memory while it waits for the compute pool
/// (four concurrent 9 MB bodies took 78 MB over the idle RSS). Requests
/// waiting here have not read their bodies yet: their clients wait in TCP's
/// flow control instead of in our memory. Bodies under
/// [`SMALL_BODY_BYTES`] take nothing.
pub const LARGE_BODY_BUDGET: usize = 16 << 20;

/// Bodies smaller than this take no share of [`LARGE_BODY_BUDGET`].
const SMALL_BODY_BYTES: usize = 64 * 1024;

static LARGE_BODIES: Semaphore = Semaphore::const_new(LARGE_BODY_BUDGET);

/// The share of [`LARGE_BODY_BUDGET`] a body takes before it is read: its
/// declared length, or for a body of unknown decoded size (chunked, or
/// compressed and not small) as much as the limit allows. A small
/// compressed body takes nothing at first: it is decoded up to
/// [`SMALL_BODY_BYTES`], and only one that decodes past that waits for the
/// budget of a body of unknown size, holding nothing meanwhile (so no two
/// requests can each hold a share while waiting for the other's).
fn share_before_reading(encoding: Encoding, declared: Option<usize>, limit: usize) -> usize {
    let unknown = limit.min(LARGE_BODY_BUDGET);
    match (encoding, declared) {
        (_, Some(len)) if len < SMALL_BODY_BYTES => 0,
        (Encoding::Identity, Some(len)) => len.min(LARGE_BODY_BUDGET),
        _ => unknown,
    }
}

/// Waits, at most until `deadline`, for `bytes` of [`LARGE_BODY_BUDGET`]
/// (none for 0): the time waited counts against the request's deadline, as
/// waiting for the compute pool does.
async fn admit(
    bytes: usize,
    deadline: Instant,
) -> Result<Option<tokio::sync::SemaphorePermit<'static>>, ApiError> {
    if bytes == 0 {
        return Ok(None);
    }
    let wait = LARGE_BODIES.acquire_many(bytes as u32);
    match actix_web::rt::time::timeout(deadline.saturating_duration_since(Instant::now()), wait)
        .await
    {
        Ok(permit) => Ok(Some(permit.map_err(|_| {
            ApiError::new(ErrorCode::InternalError, "the request budget was closed")
        })?)),
        Err(_) => Err(ApiError::deadline_exceeded()),
    }
}

/// Reads the body (checking its type first), decodes it, parses it with
/// `parse`, runs `compute` on the parsed request and answers the result as
/// JSON. Whatever the body's size, everything after the read happens on the
/// compute pool, never on the HTTP workers that answer the probes. The body
/// is dropped as soon as it is parsed, so the analysis never holds both.
///
/// The body must arrive within `BODY_TIMEOUT_MS` (408 `body_timeout`).
/// Decoding, parsing and the computation run under the request deadline
/// (checked by every loop of the core, and by a timer on the awaiting side),
/// and a panic in them becomes a 500 `internal_error` instead of taking a
/// thread down.
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
    let format = body_format(req)?;
    let encoding = Encoding::of(req)?;
    let limit = limits.max_body_bytes;
    let declared = content_length(req);
    if declared.is_some_and(|len| len > limit) {
        return Err(too_large(limit, encoding != Encoding::Identity));
    }
    let admission_deadline = Instant::now() + limits.deadline;
    let mut admitted = admit(
        share_before_reading(encoding, declared, limit),
        admission_deadline,
    )
    .await?;
    let raw = match actix_web::rt::time::timeout(
        limits.body_timeout,
        read_raw(payload, declared, encoding != Encoding::Identity, limit),
    )
    .await
    {
        Ok(raw) => raw?,
        Err(_) => {
            return Err(ApiError::new(
                ErrorCode::BodyTimeout,
                format!(
                    "the request body did not arrive within {} ms (BODY_TIMEOUT_MS)",
                    limits.body_timeout.as_millis()
                ),
            ));
        }
    };
    let deadline = Instant::now() + limits.deadline;
    let body = if encoding == Encoding::Identity {
        raw
    } else {
        let provisional = admitted.is_none();
        let cap = if provisional {
            limit.min(SMALL_BODY_BYTES)
        } else {
            limit
        };
        let first = raw.clone();
        let decoded =
            match on_pool_until(deadline, move || encoding::decode(encoding, &first, cap)).await {
                Err(err) if err.code == ErrorCode::PayloadTooLarge && cap < limit => {
                    admitted = admit(limit.min(LARGE_BODY_BUDGET), deadline).await?;
                    on_pool_until(deadline, move || encoding::decode(encoding, &raw, limit)).await?
                }
                decoded => decoded?,
            };
        Bytes::from(decoded)
    };
    let work = move || {
        // Held until the answer is serialised, wherever the awaiting side
        // is (a request answered 503 keeps its share until its work stops).
        let _admitted = admitted;
        let body_len = body.len();
        let request = parse(format, &body)?;
        drop(body);
        let result = compute(request)?;
        // Small answers run to about the body's size (labels echoed, a
        // number per model and component): starting there spares the
        // doubling from 128 bytes, a copy of all written so far each time.
        // Large answers are a fraction of their body (k of p numbers per
        // model), so the start is capped at 1 MiB: a body-sized buffer,
        // untouched but for its first megabyte, would be a block the next
        // request's body could be given, touching the rest and holding the
        // resident memory one body higher from then on.
        let mut json = Vec::with_capacity(body_len.clamp(1024, ANSWER_START_MAX));
        serde_json::to_writer(&mut json, &result)
            .map_err(|err| ApiError::new(ErrorCode::InternalError, err.to_string()))?;
        Ok(json)
    };
    let json = on_pool_until(deadline, work).await?;
    Ok(HttpResponse::Ok()
        .content_type("application/json")
        .body(json))
}

/// Runs `work` on the compute pool under `deadline`, guarded against
/// panics, and answers 503 on time even while the work finishes a step that
/// cannot be interrupted (an SVD): the core stops at its next check.
async fn on_pool_until<T: Send + 'static>(
    deadline: Instant,
    work: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    let job = move || guarded(|| budget::with_deadline(Some(deadline), work));
    let grace = Duration::from_millis(250);
    let left = (deadline + grace).saturating_duration_since(Instant::now());
    match actix_web::rt::time::timeout(left, on_compute_pool(job)).await {
        Ok(result) => result?,
        Err(_) => Err(ApiError::deadline_exceeded()),
    }
}

/// Runs `work` on the compute pool (`runtime::compute`) and awaits its
/// result. `work` must not panic (wrap it in [`guarded`]).
async fn on_compute_pool<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, ApiError> {
    let (sender, receiver) = tokio::sync::oneshot::channel();
    crate::runtime::compute::spawn(move || {
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

/// The declared `Content-Length`, if any.
fn content_length(req: &HttpRequest) -> Option<usize> {
    req.headers()
        .get(actix_web::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
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
            body_timeout: Duration::from_secs(1),
        };
        assert!(limits.check_cells(10).is_ok());
        assert_eq!(
            limits.check_cells(11).unwrap_err().code,
            ErrorCode::TooManyCells
        );
    }
}
