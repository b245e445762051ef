//! Reading request bodies: content type first (a 415 needs no body), then the
//! bytes under the configured limit, with every failure as an [`ApiError`].

use actix_web::web::{self, Bytes, Payload};
use actix_web::{HttpMessage, HttpRequest, HttpResponse};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::error::{ApiError, ErrorCode};

/// Bodies larger than this are parsed and analysed on the blocking pool, so
/// that one large leaderboard never stalls the HTTP workers; smaller ones are
/// cheaper to answer in place than to hand over.
const OFFLOAD_MIN_BYTES: usize = 64 * 1024;

/// Body formats the analysis endpoints accept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyFormat {
    Json,
    Csv,
}

/// The limit on request bodies, shared with handlers as app data.
#[derive(Debug, Clone, Copy)]
pub struct BodyLimit(pub usize);

/// `application/json` (or any `application/<x>+json`), or `text/csv`.
pub fn body_format(req: &HttpRequest) -> Result<BodyFormat, ApiError> {
    let unsupported = |got: &str| {
        ApiError::new(
            ErrorCode::UnsupportedMediaType,
            format!(
                "send the leaderboard as Content-Type: application/json or text/csv (got {got})"
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
    match payload.to_bytes_limited(limit).await {
        Ok(Ok(bytes)) => Ok(bytes),
        Ok(Err(err)) => Err(ApiError::new(
            ErrorCode::MalformedJson,
            format!("the request body could not be read: {err}"),
        )),
        Err(_) => Err(too_large()),
    }
}

/// Reads the body (checking its type first), runs `compute` on it (on the
/// blocking pool when the body is large) and answers its result as JSON.
pub async fn answer<T, F>(
    req: &HttpRequest,
    payload: Payload,
    limit: usize,
    compute: F,
) -> Result<HttpResponse, ApiError>
where
    T: Serialize,
    F: FnOnce(BodyFormat, &[u8]) -> Result<T, ApiError> + Send + 'static,
{
    let format = body_format(req)?;
    let body = read_limited(req, payload, limit).await?;
    let work = move || {
        let result = compute(format, &body)?;
        serde_json::to_vec(&result)
            .map_err(|err| ApiError::new(ErrorCode::InternalError, err.to_string()))
    };
    let json = if body_len_hint(req) >= OFFLOAD_MIN_BYTES {
        web::block(work)
            .await
            .map_err(|err| ApiError::new(ErrorCode::InternalError, err.to_string()))??
    } else {
        work()?
    };
    Ok(HttpResponse::Ok()
        .content_type("application/json")
        .body(json))
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
pub fn parse_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    // serde would also accept a struct spelled as a JSON array of its fields;
    // the contract is an object.
    if body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'[') {
        return Err(ApiError::new(
            ErrorCode::InvalidRequest,
            "the request body must be a JSON object",
        ));
    }
    serde_json::from_slice(body).map_err(|err| ApiError::from_json(&err))
}

/// Refuses anything but JSON, for endpoints that take no CSV.
pub fn json_only(format: BodyFormat) -> Result<(), ApiError> {
    match format {
        BodyFormat::Json => Ok(()),
        BodyFormat::Csv => Err(ApiError::new(
            ErrorCode::UnsupportedMediaType,
            "this endpoint takes application/json only",
        )),
    }
}
