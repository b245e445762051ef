//! Logs and request observation: structured logs (JSON or text) through
//! `tracing`, and a middleware that gives every request an id (the client's
//! `X-Request-Id` when it sends a sane one), logs it once answered, counts it
//! in the metrics, and returns the id on the response.

use std::io::BufWriter;
use std::time::Instant;

use actix_web::Error;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use tracing::Instrument;
use tracing_appender::non_blocking::{NonBlockingBuilder, WorkerGuard};
use tracing_subscriber::EnvFilter;

use super::config::LogFormat;
use super::metrics;

pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Keeps the log writer's thread; dropping it writes out what is queued.
#[must_use = "log lines still queued are lost when the guard is dropped"]
pub struct LogGuard(#[allow(dead_code)] WorkerGuard);

/// Installs the global subscriber. `RUST_LOG` filters (default `info`).
///
/// Lines go to standard output from a background thread that writes
/// whatever has queued up in one system call: a line per request written
/// in place was a write call on the request's own thread, a few percent
/// of a small request's cost at tens of thousands of requests a second.
/// The queue blocks rather than drops when full (128k lines): an access log
/// with holes is worse than a brief stall.
pub fn init(format: LogFormat) -> LogGuard {
    let (writer, guard) = NonBlockingBuilder::default()
        .lossy(false)
        .thread_name("obscaling-log")
        .finish(BufWriter::with_capacity(64 << 10, std::io::stdout()));
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_writer(writer);
    // A second init (tests) keeps the first subscriber.
    let _ = match format {
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .try_init(),
        LogFormat::Text => builder.try_init(),
    };
    LogGuard(guard)
}

/// A client-sent id is kept if it is short and plain (it ends up in logs).
fn accepted_id(value: &HeaderValue) -> Option<String> {
    let text = value.to_str().ok()?;
    let plain = |c: char| c.is_ascii_alphanumeric() || "-_.:".contains(c);
    (!text.is_empty() && text.len() <= 128 && text.chars().all(plain)).then(|| text.to_owned())
}

/// The request middleware (`middleware::from_fn(observe)`).
pub async fn observe(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let started = Instant::now();
    let id = req
        .headers()
        .get(REQUEST_ID)
        .and_then(accepted_id)
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    let method = req.method().to_string();
    let path = req.path().to_owned();
    let route = req.match_pattern().unwrap_or_else(|| "unmatched".into());
    let span = tracing::info_span!("request", request_id = %id, method = %method, path = %path);
    let result = next.call(req).instrument(span.clone()).await;
    let seconds = started.elapsed().as_secs_f64();
    let _entered = span.enter();
    match result {
        Ok(mut response) => {
            let status = response.status().as_u16();
            metrics::record_request(&route, &method, status, seconds);
            if let Ok(value) = HeaderValue::from_str(&id) {
                response.headers_mut().insert(REQUEST_ID, value);
            }
            tracing::info!(status, latency_ms = seconds * 1e3, route = %route, "answered");
            Ok(response)
        }
        Err(err) => {
            let status = err.as_response_error().status_code().as_u16();
            metrics::record_request(&route, &method, status, seconds);
            tracing::warn!(status, latency_ms = seconds * 1e3, route = %route, error = %err, "failed");
            Err(err)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_request_ids_are_kept() {
        let ok = HeaderValue::from_static("abc-123_x.y:z");
        assert_eq!(accepted_id(&ok).as_deref(), Some("abc-123_x.y:z"));
        for bad in ["", "has space", "new\u{7f}line"] {
            if let Ok(value) = HeaderValue::from_str(bad) {
                assert_eq!(accepted_id(&value), None, "{bad:?}");
            }
        }
        let long = HeaderValue::from_str(&"a".repeat(129)).unwrap();
        assert_eq!(accepted_id(&long), None);
    }
}
