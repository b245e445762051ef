//! Criterion benchmarks of the completion (src/analysis/complete/), at the
//! sizes of issue 32: the full answer for the BenchPress matrix (84 x 133,
//! cross-validation and intervals included), the same with probes=5, and a
//! synthetic 2000 x 500 leaderboard 20 % filled (800k predictions).
//! Run: `cargo bench --bench complete`; `-- 84x133` (or `2000x500`) runs one.
//!
//! `cargo bench --bench complete -- --peak-memory 2000x500` runs that size
//! once instead and prints the peak resident memory of the process beside
//! the sizes of the request and of the answer as JSON (the protocol
//! script's body, and the answer's predictions as the edge would write
//! them), and their ratio.
//!
//! Every sample is one whole request (tens of milliseconds to seconds), so
//! the samples are few and flat.

use std::hint::black_box;
use std::io::Write;
use std::time::{Duration, Instant};

use criterion::{Criterion, SamplingMode};
use obscaling::analysis::complete::{CompleteParams, CompleteValidParams, Completion, complete};
use obscaling::analysis::{BenchmarkMatrix, ParamGuard};

#[path = "common/benchpress.rs"]
mod benchpress;
#[path = "common/sparse.rs"]
mod sparse;

fn params(probes: usize) -> CompleteValidParams {
    CompleteParams::new().probes(probes).check().unwrap()
}

fn benchpress_matrix() -> BenchmarkMatrix {
    benchpress::leaderboard().request().0
}

fn large() -> BenchmarkMatrix {
    sparse::sparse_board(2000, 500, 0.2, 1)
}

fn bench(c: &mut Criterion) {
    let small = benchpress_matrix();
    let mut group = c.benchmark_group("complete");
    group.sampling_mode(SamplingMode::Flat);
    group.sample_size(20);
    group.warm_up_time(Duration::from_secs(2));
    group.measurement_time(Duration::from_secs(10));
    group.bench_function("84x133_full_answer", |b| {
        b.iter(|| complete(black_box(&small), &params(0)).unwrap())
    });
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(20));
    group.bench_function("84x133_probes5", |b| {
        b.iter(|| complete(black_box(&small), &params(5)).unwrap())
    });
    group.finish();
    let big = large();
    let mut group = c.benchmark_group("complete_large");
    group.sampling_mode(SamplingMode::Flat);
    group.sample_size(10);
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(100));
    group.bench_function("2000x500_20pct", |b| {
        b.iter(|| complete(black_box(&big), &params(0)).unwrap())
    });
    group.finish();
}

/// Counts bytes written.
struct Count(usize);

impl Write for Count {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 += buf.len();
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The request as the protocol script sends it: {"models": [...],
/// "benchmarks": [...], "scores": [[number or null, ...], ...]}.
fn body_bytes(m: &BenchmarkMatrix) -> usize {
    let mut w = Count(0);
    let scores: Vec<Vec<Option<f64>>> = m
        .scores()
        .rows()
        .into_iter()
        .map(|r| r.iter().map(|v| (!v.is_nan()).then_some(*v)).collect())
        .collect();
    serde_json::to_writer(
        &mut w,
        &serde_json::json!({
            "models": m.models(),
            "benchmarks": m.benchmarks(),
            "scores": scores,
        }),
    )
    .unwrap();
    w.0
}

/// The answer's predictions as JSON objects {model, benchmark, value, lower, upper}.
fn answer_bytes(m: &BenchmarkMatrix, out: &Completion) -> usize {
    let mut w = Count(0);
    for p in &out.predictions {
        serde_json::to_writer(
            &mut w,
            &serde_json::json!({
                "model": m.models()[p.row],
                "benchmark": m.benchmarks()[p.col],
                "value": p.value,
                "lower": p.lower,
                "upper": p.upper,
            }),
        )
        .unwrap();
        w.0 += 1;
    }
    w.0
}

fn peak_rss_kib() -> usize {
    std::fs::read_to_string("/proc/self/status")
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

fn peak_memory(size: &str) {
    let m = if size == "84x133" {
        benchpress_matrix()
    } else {
        large()
    };
    let t = Instant::now();
    let out = complete(&m, &params(0)).unwrap();
    let secs = t.elapsed().as_secs_f64();
    let peak = peak_rss_kib() as f64 * 1024.0;
    let (body, answer) = (body_bytes(&m), answer_bytes(&m, &out));
    let mb = |b: f64| b / 1e6;
    println!(
        "{size}: {secs:.2} s, {} predictions; peak RSS {:.1} MB; request body {:.1} MB, answer's \
         predictions {:.1} MB as JSON; peak / (body + answer) = {:.2}",
        out.predictions.len(),
        mb(peak),
        mb(body as f64),
        mb(answer as f64),
        peak / (body + answer) as f64
    );
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(k) = args.iter().position(|a| a == "--peak-memory") {
        peak_memory(args.get(k + 1).map_or("2000x500", String::as_str));
        return;
    }
    let mut c = Criterion::default().configure_from_args();
    bench(&mut c);
    c.final_summary();
}
