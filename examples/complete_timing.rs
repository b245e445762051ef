//! Completion timings without criterion's repetitions (benches/complete.rs
//! is the criterion benchmark of the same sizes):
//!
//!     cargo run --release --example complete_timing -- N P [FILLED [PROBES]]
//!     cargo run --release --example complete_timing -- benchpress REPS [PROBES]
//!
//! The first completes a synthetic sparse leaderboard
//! (benches/common/sparse.rs) once, e.g. `-- 2000 500 0.2` (issue 32's large
//! size), for its time and its peak memory under `/usr/bin/time -v`; the
//! second completes the BenchPress leaderboard (84 x 133) REPS times and
//! prints the median and range. Both print the process's peak resident
//! memory (VmHWM). Threads: the global rayon pool; set RAYON_NUM_THREADS.

use std::time::Instant;

use obscaling::analysis::ParamGuard;
use obscaling::analysis::complete::{CompleteParams, complete};

#[path = "../benches/common/benchpress.rs"]
mod benchpress;
#[path = "../benches/common/sparse.rs"]
mod sparse;

/// Prints the process's peak resident memory so far.
fn peak_memory() {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    if let Some(peak) = status.lines().find(|l| l.starts_with("VmHWM")) {
        println!("{peak}");
    }
}

fn benchpress_runs(reps: usize, probes: usize) {
    let (m, _) = benchpress::leaderboard().request();
    let params = CompleteParams::new()
        .probes(probes)
        .check()
        .expect("valid options");
    let mut secs: Vec<f64> = (0..reps)
        .map(|_| {
            let t = Instant::now();
            std::hint::black_box(complete(&m, &params).expect("a completion"));
            t.elapsed().as_secs_f64()
        })
        .collect();
    secs.sort_by(f64::total_cmp);
    println!(
        "benchpress {}x{}, probes {probes}: median {:.3} s over {reps} runs (min {:.3}, max {:.3})",
        m.n_models(),
        m.n_benchmarks(),
        secs[reps / 2],
        secs[0],
        secs[reps - 1]
    );
    peak_memory();
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("benchpress") {
        let reps = args.get(1).map_or(5, |a| a.parse().expect("REPS"));
        let probes = args.get(2).map_or(0, |a| a.parse().expect("PROBES"));
        benchpress_runs(reps.max(1), probes);
        return;
    }
    let usage = "usage: complete_timing N P [FILLED [PROBES]]";
    let n: usize = args.first().and_then(|a| a.parse().ok()).expect(usage);
    let p: usize = args.get(1).and_then(|a| a.parse().ok()).expect(usage);
    let filled: f64 = args.get(2).map_or(0.2, |a| a.parse().expect(usage));
    let probes: usize = args.get(3).map_or(0, |a| a.parse().expect(usage));
    let m = sparse::sparse_board(n, p, filled, 1);
    let params = CompleteParams::new()
        .probes(probes)
        .check()
        .expect("valid options");
    let t = Instant::now();
    let out = complete(&m, &params).expect("a completion");
    let secs = t.elapsed().as_secs_f64();
    let cv = out.cross_validation.overall;
    println!(
        "{n}x{p} at {:.0} % filled, probes {probes}: {secs:.2} s; {} predictions, {} not \
         predicted; CV n {} MedAE {:.3} coverage {:.3} median width {:.2}; weights {:?}",
        filled * 100.0,
        out.predictions.len(),
        out.not_predicted.len(),
        cv.n,
        cv.median_abs_error,
        cv.coverage,
        cv.median_width,
        out.method.weights.0
    );
    peak_memory();
}
