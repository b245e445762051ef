//! Logs and request observation: structured logs (JSON or text) through
//! `tracing`, and a middleware that gives every request an id (the client's
//! `X-Request-Id` when it sends a sane one), logs it once answered, counts it
//! in the metrics, and returns the id on the response.

use std::cell::Cell;
use std::io::BufWriter;
use std::time::Instant;

use actix_web::Error;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
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
            .with_current_span(false)
            .with_span_list(false)
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

/// A fresh request id: a UUID v4 whose random bits come from a per-thread
/// SplitMix64 stream seeded once from the operating system. Ids must be
/// unique, not unpredictable, and the `getrandom` call per request that
/// `Uuid::new_v4` makes was a measurable share of a small request.
fn new_request_id() -> String {
    thread_local! {
        static STATE: Cell<u64> = Cell::new(u64::from_le_bytes(
            uuid::Uuid::new_v4().as_bytes()[..8].try_into().expect("8 bytes"),
        ));
    }
    // SplitMix64 (Steele, Lea and Flood 2014): its output function is a
    // bijection of the state, so one thread repeats no value within 2^64 steps.
    let next = || {
        STATE.with(|state| {
            let s = state.get().wrapping_add(0x9E37_79B9_7F4A_7C15);
            state.set(s);
            let mut z = s;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        })
    };
    let bits = (u128::from(next()) << 64) | u128::from(next());
    uuid::Builder::from_random_bytes(bits.to_le_bytes())
        .into_uuid()
        .to_string()
}

/// The method as a metrics label: HTTP allows any token as a method, and
/// each distinct one would be a new series kept for the process's lifetime.
fn method_label(method: &Method) -> &str {
    const KNOWN: [Method; 9] = [
        Method::GET,
        Method::POST,
        Method::PUT,
        Method::DELETE,
        Method::HEAD,
        Method::OPTIONS,
        Method::PATCH,
        Method::CONNECT,
        Method::TRACE,
    ];
    if KNOWN.contains(method) {
        method.as_str()
    } else {
        "OTHER"
    }
}

/// The request middleware (`middleware::from_fn(observe)`).
///
/// One log event per request carries every field (no span): nothing logs
/// inside a request, and a span cost a formatting pass when it was opened
/// and a JSON re-parse of its fields for every line written under it.
pub async fn observe(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let started = Instant::now();
    let id = req
        .headers()
        .get(REQUEST_ID)
        .and_then(accepted_id)
        .unwrap_or_else(new_request_id);
    // Clones without copying: standard methods are a tag, a URI shares its bytes.
    let method = req.method().clone();
    let uri = req.uri().clone();
    let route = req.match_pattern();
    let route = route.as_deref().unwrap_or("unmatched");
    let result = next.call(req).await;
    let seconds = started.elapsed().as_secs_f64();
    let label = method_label(&method);
    let (method, path) = (method.as_str(), uri.path());
    match result {
        Ok(mut response) => {
            let status = response.status().as_u16();
            metrics::record_request(route, label, status, seconds);
            if let Ok(value) = HeaderValue::from_str(&id) {
                response.headers_mut().insert(REQUEST_ID, value);
            }
            tracing::info!(
                request_id = %id, method, path, route, status, latency_ms = seconds * 1e3,
                "answered"
            );
            Ok(response)
        }
        Err(err) => {
            let status = err.as_response_error().status_code().as_u16();
            metrics::record_request(route, label, status, seconds);
            tracing::warn!(
                request_id = %id, method, path, route, status, latency_ms = seconds * 1e3,
                error = %err, "failed"
            );
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

    #[test]
    fn made_ids_are_distinct_uuid_v4s_across_threads() {
        let make = || (0..20_000).map(|_| new_request_id()).collect::<Vec<_>>();
        let other = std::thread::spawn(make);
        let mut ids = make();
        ids.extend(other.join().unwrap());
        for id in &ids {
            let uuid = uuid::Uuid::parse_str(id).unwrap();
            assert_eq!(uuid.get_version_num(), 4, "{id}");
            assert_eq!(uuid.get_variant(), uuid::Variant::RFC4122, "{id}");
            assert_eq!(uuid.hyphenated().to_string(), *id);
        }
        let distinct: std::collections::HashSet<&String> = ids.iter().collect();
        assert_eq!(distinct.len(), ids.len());
    }
}
