//! Reading request bodies: content type first (a 415 needs no body), then the
//! bytes under the configured limit, with every failure as an [`ApiError`].

use actix_web::web::{Bytes, Payload};
use actix_web::{HttpMessage, HttpRequest};

use super::error::{ApiError, ErrorCode};

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
