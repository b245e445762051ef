//! The fuzz corpus of the table targets, replayed on every `cargo test`:
//! each committed input of `fuzz/seeds/pca_csv`, `pca_parquet` and
//! `pca_arrow` (the fixtures the fuzzers start from, and the inputs that
//! once crashed them, minimised) goes through the in-process answer path of
//! `POST /v1/pca` and `POST /v1/inspect`, with the fuzzers' limits, and must
//! be answered 200 or a coded 4xx (or 503), never 500. Then single-byte
//! mutants of every Arrow and Parquet fixture, made here as
//! `scripts/mutate-tables.py` makes them (fewer of them: the readers are not
//! optimised in a debug build), get the same check.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use obscaling::analysis::budget;
use obscaling::api::body::{BodyFormat, Limits, guarded};
use obscaling::api::endpoint::{self, Body};
use obscaling::api::error::{ApiError, ErrorCode};
use obscaling::api::inspect::{InspectEndpoint, InspectQuery};
use obscaling::api::pca::{PcaEndpoint, PcaQuery};
use obscaling::api::query;
use obscaling::plumbing::config::Config;

/// The fuzz harness's limits (fuzz/src/lib.rs).
fn limits() -> Limits {
    Limits {
        max_cells: 20_000,
        max_iterations: 200,
        deadline: Duration::from_secs(2),
        ..Config::default().limits()
    }
}

/// An input of the fuzz targets: an optional first line `?<query>`, then the
/// body (fuzz/src/lib.rs, `split_csv_input`).
fn split(data: &[u8]) -> (String, &[u8]) {
    match data.strip_prefix(b"?") {
        Some(rest) => {
            let end = rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len());
            let body = rest.get(end + 1..).unwrap_or(&[]);
            (String::from_utf8_lossy(&rest[..end]).into_owned(), body)
        }
        None => (String::new(), data),
    }
}

/// What an error answer must be: a 4xx with a code, or 503; never a 500.
fn check(what: &str, result: Result<(), ApiError>) -> Result<(), String> {
    let Err(err) = result else { return Ok(()) };
    let status = err.code.status().as_u16();
    if err.code == ErrorCode::InternalError
        || !((400..500).contains(&status) || err.code == ErrorCode::DeadlineExceeded)
        || err.detail.is_empty()
    {
        return Err(format!(
            "{what}: {} {}: {}",
            status,
            err.code.as_str(),
            err.detail
        ));
    }
    Ok(())
}

/// Both endpoints on one input, panics caught as the server catches them.
fn replay(what: &str, format: BodyFormat, query: &str, body: &[u8]) -> Result<(), String> {
    let limits = limits();
    let deadline = || Some(Instant::now() + limits.deadline);
    let pca = guarded(|| {
        let query = query::parse::<PcaQuery>(query)?;
        budget::with_deadline(deadline(), || {
            endpoint::run::<PcaEndpoint>(Body::new(format, body), &query, &limits)
        })
        .map(|_| ())
    });
    check(&format!("{what} (pca)"), pca)?;
    let inspect = guarded(|| {
        budget::with_deadline(deadline(), || {
            let query = InspectQuery::default();
            endpoint::run::<InspectEndpoint>(Body::new(format, body), &query, &limits)
        })
        .map(|_| ())
    });
    check(&format!("{what} (inspect)"), inspect)
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|err| panic!("{}: {err}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.is_file())
        .collect();
    files.sort();
    files
}

#[test]
fn every_committed_input_of_the_table_targets_is_answered_without_a_500() {
    let mut failures = Vec::new();
    let mut replayed = 0;
    for (target, format) in [
        ("pca_csv", BodyFormat::Csv),
        ("pca_parquet", BodyFormat::Parquet),
        ("pca_arrow", BodyFormat::Arrow),
    ] {
        let inputs = files(&repo().join("fuzz/seeds").join(target));
        assert!(inputs.len() >= 5, "{target}: {} inputs", inputs.len());
        for path in inputs {
            let data = std::fs::read(&path).unwrap();
            let (query, body) = split(&data);
            let name = format!("{target}/{}", path.file_name().unwrap().to_string_lossy());
            if let Err(failure) = replay(&name, format, &query, body) {
                failures.push(failure);
            }
            replayed += 1;
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {replayed}:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// An lm-eval input of `fuzz/seeds/pca_lm_eval` (fuzz/src/lib.rs,
/// `run_lm_eval`): `/v1/pca?format=lm_eval&<query>`, then `/v1/inspect`
/// with `format=lm_eval`; a body that starts with `--b` is a form.
fn replay_lm_eval(what: &str, data: &[u8]) -> Result<(), String> {
    let (query, body) = split(data);
    let input = if body.starts_with(b"--b") {
        Body {
            format: BodyFormat::Multipart,
            boundary: Some("b"),
            bytes: body,
        }
    } else {
        Body::new(BodyFormat::Json, body)
    };
    let limits = limits();
    let deadline = || Some(Instant::now() + limits.deadline);
    let pca = guarded(|| {
        let query = query::parse::<PcaQuery>(&format!("format=lm_eval&{query}"))?;
        budget::with_deadline(deadline(), || {
            endpoint::run::<PcaEndpoint>(input, &query, &limits)
        })
        .map(|_| ())
    });
    check(&format!("{what} (pca)"), pca)?;
    let inspect = guarded(|| {
        let query = query::parse::<InspectQuery>("format=lm_eval")?;
        budget::with_deadline(deadline(), || {
            endpoint::run::<InspectEndpoint>(input, &query, &limits)
        })
        .map(|_| ())
    });
    check(&format!("{what} (inspect)"), inspect)
}

#[test]
fn every_input_of_the_lm_eval_target_and_its_mutants_is_answered_without_a_500() {
    let inputs = files(&repo().join("fuzz/seeds/pca_lm_eval"));
    assert!(inputs.len() >= 5, "pca_lm_eval: {} inputs", inputs.len());
    let mut failures = Vec::new();
    let mut answered = 0;
    for path in inputs {
        let data = std::fs::read(&path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if let Err(failure) = replay_lm_eval(&name, &data) {
            failures.push(failure);
        }
        // Single-byte mutants past the query line: a quote, a brace, a
        // digit or a boundary byte changed anywhere.
        let start = data.iter().position(|&b| b == b'\n').map_or(0, |i| i + 1);
        if data.len() <= start {
            continue;
        }
        let mut mix = Mix(name
            .bytes()
            .fold(31u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b))));
        for _ in 0..40 {
            let at = start + (mix.next() % (data.len() - start) as u64) as usize;
            let value = data[at] ^ (1 + (mix.next() % 255) as u8);
            let mut mutant = data.clone();
            mutant[at] = value;
            if let Err(failure) =
                replay_lm_eval(&format!("{name} byte {at} = {value:#04x}"), &mutant)
            {
                failures.push(failure);
            }
            answered += 1;
        }
    }
    assert!(answered > 0);
    assert!(
        failures.is_empty(),
        "{}:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// A small deterministic generator (SplitMix64), so that the mutants are the
/// same on every run.
struct Mix(u64);

impl Mix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

#[test]
fn single_byte_mutants_of_the_typed_fixtures_are_answered_without_a_500() {
    // MUTANTS=1500 for the run the script makes over HTTP.
    let per_fixture: usize = std::env::var("MUTANTS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(60);
    let mut failures = Vec::new();
    for path in files(&repo().join("tests/fixtures/tables")) {
        let format = match path.extension().and_then(|e| e.to_str()) {
            Some("arrows") => BodyFormat::Arrow,
            Some("parquet") => BodyFormat::Parquet,
            _ => continue,
        };
        let data = std::fs::read(&path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let mut mix = Mix(name
            .bytes()
            .fold(29u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b))));
        for _ in 0..per_fixture {
            let at = (mix.next() % data.len() as u64) as usize;
            let value = data[at] ^ (1 + (mix.next() % 255) as u8);
            let mut mutant = data.clone();
            mutant[at] = value;
            if let Err(failure) = replay(
                &format!("{name} byte {at} = {value:#04x}"),
                format,
                "missing=mean",
                &mutant,
            ) {
                failures.push(failure);
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{}:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
