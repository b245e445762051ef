//! Logs and request observation: structured logs (JSON or text) through
//! `tracing`, and a middleware that gives every request an id (the client's
//! `X-Request-Id` when it sends a sane one), logs it once answered, counts it
//! in the metrics, and returns the id on the response.

use std::cell::Cell;
use std::fmt;
use std::io::BufWriter;
use std::time::Instant;

use actix_web::Error;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use serde::Serialize;
use tracing::field::{Field, Visit};
use tracing::{Event, Subscriber};
use tracing_appender::non_blocking::{NonBlockingBuilder, WorkerGuard};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::time::{FormatTime, SystemTime};
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields};
use tracing_subscriber::registry::LookupSpan;

use super::config::LogFormat;
use crate::runtime::metrics;

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
        LogFormat::Json => builder.event_format(JsonLines).try_init(),
        LogFormat::Text => builder.try_init(),
    };
    LogGuard(guard)
}

/// One JSON object per event, the same line `tracing-subscriber`'s
/// `json().flatten_event(true)` writes without spans or target: the
/// timestamp, the level, then the event's fields in their order (the
/// message first), keys and values written by serde_json as there. That
/// formatter writes through an adaptor that checks each fragment as UTF-8
/// and goes through the map serialiser's state for each entry: for the
/// access log line of every request, about a twentieth of a small request's
/// instructions. Here the line is built in one buffer and checked once.
struct JsonLines;

impl<S, N> FormatEvent<S, N> for JsonLines
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        _ctx: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        let mut line = Vec::with_capacity(256);
        line.extend_from_slice(b"{\"timestamp\":\"");
        // RFC 3339 digits and separators: nothing to escape.
        SystemTime.format_time(&mut Writer::new(&mut Bytes(&mut line)))?;
        line.extend_from_slice(b"\",\"level\":\"");
        line.extend_from_slice(event.metadata().level().as_str().as_bytes());
        line.push(b'"');
        let mut fields = JsonFields {
            line: &mut line,
            failed: false,
        };
        event.record(&mut fields);
        if fields.failed {
            return Err(fmt::Error);
        }
        line.extend_from_slice(b"}\n");
        writer.write_str(std::str::from_utf8(&line).map_err(|_| fmt::Error)?)
    }
}

/// `fmt::Write` onto bytes.
struct Bytes<'a>(&'a mut Vec<u8>);

impl fmt::Write for Bytes<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.0.extend_from_slice(s.as_bytes());
        Ok(())
    }
}

/// Writes each field as `,"name":value`, as `tracing-serde`'s map visitor
/// does: strings and `Debug`/`Display` values as JSON strings, numbers and
/// booleans as themselves (a non-finite float as null).
struct JsonFields<'a> {
    line: &'a mut Vec<u8>,
    /// A value's `Debug` failed; the line is dropped, as there.
    failed: bool,
}

impl JsonFields<'_> {
    fn entry(&mut self, name: &str, value: impl serde::Serialize) {
        if self.failed {
            return;
        }
        self.line.push(b',');
        let mut json = serde_json::Serializer::new(&mut *self.line);
        self.failed = name.serialize(&mut json).is_err();
        self.line.push(b':');
        let mut json = serde_json::Serializer::new(&mut *self.line);
        self.failed |= value.serialize(&mut json).is_err();
    }
}

impl Visit for JsonFields<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.entry(field.name(), format_args!("{value:?}"));
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        self.entry(field.name(), value);
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        self.entry(field.name(), value);
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        self.entry(field.name(), value);
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        self.entry(field.name(), value);
    }

    fn record_f64(&mut self, field: &Field, value: f64) {
        self.entry(field.name(), value);
    }
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
    use std::sync::{Arc, Mutex};

    /// The lines a subscriber wrote, into a shared buffer.
    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Captured {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    /// Each line with its timestamp's value blanked (the two formatters
    /// read the clock at different instants).
    fn lines_of(events: impl Fn(), ours: bool) -> Vec<String> {
        let captured = Captured::default();
        let sink = captured.clone();
        let builder = tracing_subscriber::fmt()
            .with_target(false)
            .with_writer(move || sink.clone());
        let run =
            |dispatch: tracing::Dispatch| tracing::dispatcher::with_default(&dispatch, &events);
        if ours {
            run(builder.event_format(JsonLines).finish().into());
        } else {
            let reference = builder
                .json()
                .flatten_event(true)
                .with_current_span(false)
                .with_span_list(false);
            run(reference.finish().into());
        }
        let text = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
        text.lines()
            .map(|line| {
                let value = line
                    .strip_prefix("{\"timestamp\":\"")
                    .expect("timestamp first");
                let end = value.find('"').expect("a string");
                assert!(value[..end].ends_with('Z'), "{line}");
                format!("{{\"timestamp\":\"T{}", &value[end..])
            })
            .collect()
    }

    #[test]
    fn json_lines_are_what_tracing_subscriber_writes() {
        let events = || {
            let id = "3b24246d-cde5-46ab-b587-49244609cc89".to_string();
            tracing::info!(
                request_id = %id, method = "POST", path = "/v1/pca", route = "/v1/pca",
                status = 200u16, latency_ms = 0.06956999999999999, "answered"
            );
            let error = "bad \"scores\": row 3\n\tposition 2 \\ \u{1} é 😀";
            tracing::warn!(status = 422u16, error = %error, latency_ms = 1e-7, "failed");
            tracing::info!(
                port = 8080u16,
                workers = 2usize,
                flag = true,
                delta = -3i64,
                "listening"
            );
            tracing::info!(
                big = 1e300,
                tiny = 5e-324,
                nan = f64::NAN,
                inf = f64::INFINITY,
                zero = -0.0
            );
            tracing::error!(debug = ?vec![Some("a\"b"), None], unit = ?(), "with \"quotes\" {}", 7);
            tracing::debug!("below the default level: written by neither");
        };
        let ours = lines_of(events, true);
        assert_eq!(ours.len(), 5, "{ours:#?}");
        assert_eq!(ours, lines_of(events, false));
        for line in &ours {
            serde_json::from_str::<serde_json::Value>(line).expect("each line is JSON");
        }
    }

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
