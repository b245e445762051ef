//! Shared harness of the fuzz targets: runs one `/v1/pca` request through
//! the same path the HTTP handler takes (deadline in force, answer
//! serialised) and checks the invariants every answer must keep.
//!
//! - no panic (libFuzzer reports it as a crash);
//! - an `Ok` has `n_components >= 1`, consistent shapes and only finite
//!   numbers, both in the struct and in its JSON (a NaN would serialise as
//!   `null`);
//! - an `Err` has a stable code with a 4xx status or 503 `deadline_exceeded`,
//!   never 500 `internal_error`, and a non-empty detail.

use std::time::{Duration, Instant};

use obscaling::analysis::budget;
use obscaling::api::body::{BodyFormat, Limits};
use obscaling::api::endpoint::{self, Body};
use obscaling::api::error::{ApiError, ErrorCode};
use obscaling::api::inspect::{InspectEndpoint, InspectQuery};
use obscaling::api::pca::{PcaEndpoint, PcaQuery, PcaResponse};
use obscaling::api::query;
use obscaling::plumbing::config::Config;
use serde_json::Value;

/// Small limits keep every iteration fast: a few thousand cells, a short
/// iteration budget and deadline.
pub fn limits() -> Limits {
    Limits {
        max_cells: 20_000,
        max_iterations: 200,
        deadline: Duration::from_secs(2),
        ..Config::default().limits()
    }
}

/// One request, as the handler runs it (minus HTTP).
pub fn run(format: BodyFormat, query: &str, body: &[u8]) {
    let limits = limits();
    let result = query::parse::<PcaQuery>(query).and_then(|query| {
        budget::with_deadline(Some(Instant::now() + limits.deadline), || {
            endpoint::run::<PcaEndpoint>(Body::new(format, body), &query, &limits)
        })
    });
    match result {
        Ok(response) => check_ok(&response),
        Err(err) => check_err(&err),
    }
}

/// An lm-eval input (`?<query>` line, then the body): `/v1/pca` with
/// `format=lm_eval` and the query, then `/v1/inspect` with `format=lm_eval`,
/// a body that starts with `--b` read as a form with the boundary `b`.
pub fn run_lm_eval(data: &[u8]) {
    let (query, body) = split_csv_input(data);
    let (format, boundary) = if body.starts_with(b"--b") {
        (BodyFormat::Multipart, Some("b"))
    } else {
        (BodyFormat::Json, None)
    };
    let input = Body {
        format,
        boundary,
        bytes: body,
    };
    let limits = limits();
    let deadline = || Some(Instant::now() + limits.deadline);
    let result = query::parse::<PcaQuery>(&format!("format=lm_eval&{query}")).and_then(|query| {
        budget::with_deadline(deadline(), || {
            endpoint::run::<PcaEndpoint>(input, &query, &limits)
        })
    });
    match result {
        Ok(response) => {
            check_ok(&response);
            serde_json::to_vec(&response).expect("the answer serialises");
        }
        Err(err) => check_err(&err),
    }
    let result = query::parse::<InspectQuery>("format=lm_eval").and_then(|query| {
        budget::with_deadline(deadline(), || {
            endpoint::run::<InspectEndpoint>(input, &query, &limits)
        })
    });
    match result {
        Ok(answer) => {
            for column in &answer.columns {
                assert!(
                    column.missing.is_none_or(|m| m <= answer.rows),
                    "column {} has {:?} missing of {} rows",
                    column.name,
                    column.missing,
                    answer.rows
                );
            }
            serde_json::to_vec(&answer).expect("the answer serialises");
        }
        Err(err) => check_err(&err),
    }
}

/// `POST /v1/inspect` on a table body: an answer's columns each count at
/// most `rows` missing cells and at most five examples.
pub fn run_inspect(format: BodyFormat, body: &[u8]) {
    let limits = limits();
    let result = budget::with_deadline(Some(Instant::now() + limits.deadline), || {
        let query = InspectQuery::default();
        endpoint::run::<InspectEndpoint>(Body::new(format, body), &query, &limits)
    });
    match result {
        Ok(answer) => {
            for column in &answer.columns {
                assert!(
                    column.missing.is_none_or(|m| m <= answer.rows),
                    "column {} has {:?} missing of {} rows",
                    column.name,
                    column.missing,
                    answer.rows
                );
                assert!(column.examples.len() <= 5, "column {}", column.name);
            }
            serde_json::to_vec(&answer).expect("the answer serialises");
        }
        Err(err) => check_err(&err),
    }
}

fn check_err(err: &ApiError) {
    let status = err.code.status().as_u16();
    assert!(
        err.code != ErrorCode::InternalError,
        "internal_error (500) from the answer: {}",
        err.detail
    );
    assert!(
        (400..500).contains(&status) || err.code == ErrorCode::DeadlineExceeded,
        "unexpected status {status} for {}: {}",
        err.code.as_str(),
        err.detail
    );
    assert!(!err.code.as_str().is_empty(), "an error without a code");
    assert!(
        !err.detail.is_empty(),
        "{} without a detail",
        err.code.as_str()
    );
}

fn check_ok(r: &PcaResponse) {
    let k = r.n_components;
    let (n, p) = (r.models.len(), r.benchmarks.len());
    assert!(k >= 1, "n_components {k}");
    assert!(
        n >= 1 && p >= 1,
        "empty answer: {n} models x {p} benchmarks"
    );
    assert_eq!(r.components.dim(), (k, p), "components shape");
    assert_eq!(r.projections.dim(), (n, k), "projections shape");
    for (name, len) in [
        ("explained_variance", r.explained_variance.len()),
        ("explained_variance_ratio", r.explained_variance_ratio.len()),
        (
            "cumulative_explained_variance_ratio",
            r.cumulative_explained_variance_ratio.len(),
        ),
    ] {
        assert_eq!(len, k, "{name} length");
    }
    assert_eq!(r.mean.len(), p, "mean length");
    finite("components", r.components.iter());
    finite("projections", r.projections.iter());
    finite("explained_variance", r.explained_variance.iter());
    finite(
        "explained_variance_ratio",
        r.explained_variance_ratio.iter(),
    );
    finite(
        "cumulative_explained_variance_ratio",
        r.cumulative_explained_variance_ratio.iter(),
    );
    finite("singular_values", r.singular_values.iter());
    finite("mean", r.mean.iter());
    finite("total_variance", [r.total_variance].iter());
    if let Some(scale) = &r.scale {
        finite("scale", scale.iter());
    }
    finite("imputed", r.imputed.iter().map(|c| &c.value));
    if let Some(s) = &r.supplementary {
        assert_eq!(
            s.projections.dim(),
            (s.models.len(), k),
            "supplementary shape"
        );
        finite("supplementary.projections", s.projections.iter());
        finite("supplementary.imputed", s.imputed.iter().map(|c| &c.value));
    }

    // What the client receives: the JSON, with no null where a number belongs.
    let bytes = serde_json::to_vec(r).expect("the response serialises");
    let json: Value = serde_json::from_slice(&bytes).expect("the response is valid JSON");
    for field in [
        "components",
        "projections",
        "explained_variance",
        "explained_variance_ratio",
        "cumulative_explained_variance_ratio",
        "singular_values",
        "mean",
        "total_variance",
    ] {
        no_null(field, &json[field]);
    }
    if !json["scale"].is_null() {
        no_null("scale", &json["scale"]);
    }
    no_null("imputed", &json["imputed"]);
    if let Some(s) = json.get("supplementary") {
        no_null("supplementary", s);
    }
    if let Some(report) = json.get("imputation").filter(|v| !v.is_null()) {
        no_null("imputation", report);
    }
}

fn finite<'a>(what: &str, values: impl Iterator<Item = &'a f64>) {
    for (i, v) in values.enumerate() {
        assert!(v.is_finite(), "{what}[{i}] is {v}");
    }
}

fn no_null(what: &str, value: &Value) {
    match value {
        Value::Null => panic!("null in {what}"),
        Value::Array(items) => items.iter().for_each(|v| no_null(what, v)),
        Value::Object(map) => map
            .iter()
            .for_each(|(k, v)| no_null(&format!("{what}.{k}"), v)),
        _ => {}
    }
}

/// The first byte of an input of the typed-table targets that is a fixture
/// with byte edits rather than a whole body ([`table_input`]).
pub const EDITS: u8 = 0xED;

/// Queries an edited fixture is sent with (its second byte picks one).
const QUERIES: [&str; 4] = [
    "missing=mean",
    "",
    "missing=iterative_pca&n_components=2",
    "layout=long&missing=mean",
];

/// An input of the typed-table targets (`pca_arrow`, `pca_parquet`): either
/// a whole body as [`split_csv_input`] reads it (the seeds, and crashes kept
/// as the bodies they were), or `EDITS`, a fixture index, a query index,
/// then edits of four bytes each: a position (24 bits, little-endian, taken
/// modulo the fixture's length) and a byte XORed into it. So every input
/// the fuzzer makes from an edit seed is one of the fixtures a few bytes
/// off, the way a damaged or hostile file is, rather than a body that no
/// longer gets past the magic.
pub fn table_input(fixtures: &[&[u8]], data: &[u8]) -> (String, Vec<u8>) {
    let Some(rest) = data.strip_prefix(&[EDITS]) else {
        let (query, body) = split_csv_input(data);
        return (query, body.to_vec());
    };
    let (&fixture, rest) = rest.split_first().unwrap_or((&0, &[]));
    let (&query, edits) = rest.split_first().unwrap_or((&0, &[]));
    let mut body = fixtures[fixture as usize % fixtures.len()].to_vec();
    if !body.is_empty() {
        for edit in edits.chunks_exact(4) {
            let at = u32::from_le_bytes([edit[0], edit[1], edit[2], 0]) as usize % body.len();
            body[at] ^= edit[3];
        }
    }
    (QUERIES[query as usize % QUERIES.len()].to_owned(), body)
}

/// The CSV target's input: an optional first line `?<query string>`, then the
/// CSV body. Inputs without a leading `?` are all body (the seed files as is).
pub fn split_csv_input(data: &[u8]) -> (String, &[u8]) {
    match data.strip_prefix(b"?") {
        Some(rest) => {
            let end = rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len());
            let body = rest.get(end + 1..).unwrap_or(&[]);
            (String::from_utf8_lossy(&rest[..end]).into_owned(), body)
        }
        None => (String::new(), data),
    }
}
