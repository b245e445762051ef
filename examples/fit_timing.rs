//! Timing harness for the benchmark scripts (not part of the service).
//!
//! fit_timing fit N P K REPS [OUT.json]
//!     Fit + transform a deterministic N x P matrix (benches/common/matgen.rs,
//!     rank 12, noise 0.05, seed 2024) REPS times; prints best/median seconds
//!     as JSON. With OUT.json, also writes the fitted results there so that
//!     bench/core_sklearn.py can check them against scikit-learn.
//! fit_timing phases N P K REPS
//!     Where a fit's time goes: the column means, a centred copy and its SVD
//!     (`analysis::numerics::linalg::right_svd`, the route for matrices that are not
//!     tall), the whole fit, transform; and the two steps of the Gram route
//!     the fit takes for tall matrices (`centred_gram`, `gram_right_svd`),
//!     with its deviation from the SVD.
//! fit_timing request BODY.json REPS
//!     Splits one POST /v1/pca JSON body into its phases (parse, the fit and
//!     projections alone, parse+validate+fit+response, serialise) and
//!     reports the best seconds and the peak heap of each, measured with a
//!     counting allocator.
//!
//! Threads: faer uses the global rayon pool; set RAYON_NUM_THREADS.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use linfa::DatasetBase;
use linfa::traits::Fit;
use obscaling::analysis::pca::fit::PcaFit;
use obscaling::analysis::{NComponents, PcaParams};
use obscaling::api::body::BodyFormat;
use obscaling::api::endpoint::{self, Body};
use obscaling::api::pca::{PcaEndpoint, PcaQuery, PcaRequest};
use obscaling::api::query;
use obscaling::ingest::json;
use obscaling::plumbing::config::Config;
use serde_json::json;

#[path = "../benches/common/matgen.rs"]
mod matgen;

struct Counting;
static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            let now = CURRENT.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        ptr
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        CURRENT.fetch_sub(layout.size(), Ordering::Relaxed);
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let new = unsafe { System.realloc(ptr, layout, new_size) };
        if !new.is_null() {
            if new_size >= layout.size() {
                let now = CURRENT.fetch_add(new_size - layout.size(), Ordering::Relaxed)
                    + (new_size - layout.size());
                // A moving realloc briefly holds both blocks.
                PEAK.fetch_max(now + layout.size(), Ordering::Relaxed);
            } else {
                CURRENT.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
            }
        }
        new
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

/// Runs `f` `reps` times; returns (best, median) seconds, the extra heap peak
/// over what was live before the first run, and the last result.
fn time<T>(reps: usize, mut f: impl FnMut() -> T) -> (f64, f64, usize, T) {
    let mut times = Vec::with_capacity(reps);
    let base = CURRENT.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    let mut last = None;
    for _ in 0..reps.max(1) {
        drop(last.take());
        let t = Instant::now();
        let out = f();
        times.push(t.elapsed().as_secs_f64());
        last = Some(out);
    }
    let peak = PEAK.load(Ordering::Relaxed) - base;
    times.sort_by(f64::total_cmp);
    (times[0], times[times.len() / 2], peak, last.unwrap())
}

fn arg<T: std::str::FromStr>(args: &[String], i: usize, what: &str) -> T {
    args.get(i)
        .and_then(|a| a.parse().ok())
        .unwrap_or_else(|| panic!("argument {i} ({what}) missing or invalid; see the file header"))
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let threads = rayon_threads();
    match args.first().map(String::as_str) {
        Some("fit") => {
            let (n, p, k, reps): (usize, usize, usize, usize) = (
                arg(&args, 1, "N"),
                arg(&args, 2, "P"),
                arg(&args, 3, "K"),
                arg(&args, 4, "REPS"),
            );
            let x = matgen::bench_matrix(n, p);
            let params = PcaParams::new().n_components(NComponents::Count(k));
            let (best, median, peak, (pca, proj)) = time(reps, || {
                let pca = params
                    .clone()
                    .fit(&DatasetBase::new(x.view(), ()))
                    .expect("fit");
                let proj = pca.transform(x.view());
                (pca, proj)
            });
            let summary = json!({
                "n": n, "p": p, "k": k, "reps": reps, "rayon_threads": threads,
                "best_s": best, "median_s": median, "peak_heap_bytes": peak,
            });
            println!("{summary}");
            if let Some(out) = args.get(5) {
                let rows = |a: ndarray::ArrayView2<'_, f64>| -> Vec<Vec<f64>> {
                    a.rows().into_iter().map(|r| r.to_vec()).collect()
                };
                let result = json!({
                    "generator": {"n": n, "p": p, "rank": matgen::RANK.min(p),
                                  "noise": matgen::NOISE, "seed": matgen::SEED},
                    "timing": summary,
                    "explained_variance_ratio": pca.explained_variance_ratio().to_vec(),
                    "singular_values": pca.singular_values().to_vec(),
                    "components": rows(pca.components()),
                    "projections_head": rows(proj.slice(ndarray::s![..n.min(50), ..])),
                });
                std::fs::write(out, serde_json::to_vec(&result).unwrap()).expect("write OUT");
            }
        }
        Some("phases") => {
            let (n, p, k, reps): (usize, usize, usize, usize) = (
                arg(&args, 1, "N"),
                arg(&args, 2, "P"),
                arg(&args, 3, "K"),
                arg(&args, 4, "REPS"),
            );
            phases(n, p, k, reps, threads);
        }
        Some("request") => {
            let path: String = arg(&args, 1, "BODY.json");
            let reps: usize = arg(&args, 2, "REPS");
            let body = std::fs::read(&path).expect("read body");
            let query: PcaQuery = query::parse("").unwrap();
            let limits = Config::default().limits();
            let answer = |body: &[u8]| {
                endpoint::run::<PcaEndpoint>(Body::new(BodyFormat::Json, body), &query, &limits)
            };
            // The service's parse (with the fast path for `scores`), and
            // serde_json's alone for comparison.
            let (parse_best, _, parse_peak, _) = time(reps, || {
                json::parse::<PcaRequest>(&body).unwrap_or_else(|e| panic!("{e:?}"))
            });
            let (serde_best, _, _, _) = time(reps, || {
                serde_json::from_slice::<PcaRequest>(&body).expect("parse")
            });
            // The fit and projections alone (`PcaFit::new`: completion,
            // fit, transform) on the parsed leaderboard.
            let mut request = json::parse::<PcaRequest>(&body).expect("parse");
            let (leaderboard, options) = request.take_leaderboard();
            let params = options.pca_params(NComponents::All).expect("params");
            let policy = options
                .missing_policy(limits.max_iterations)
                .expect("policy");
            let (matrix, _, _) = leaderboard.into_matrix().expect("matrix");
            let (fit_best, fit_median, fit_peak, _) = time(reps, || {
                PcaFit::new(&matrix, &params, &policy).unwrap_or_else(|e| panic!("{e:?}"))
            });
            let (answer_best, answer_median, answer_peak, response) =
                time(reps, || answer(&body).unwrap_or_else(|e| panic!("{e:?}")));
            let (ser_best, _, ser_peak, bytes) =
                time(reps, || serde_json::to_vec(&response).unwrap());
            let (total_best, total_median, total_peak, _) = time(reps, || {
                serde_json::to_vec(&answer(&body).unwrap()).unwrap()
            });
            println!(
                "{}",
                json!({
                    "body_bytes": body.len(), "response_bytes": bytes.len(),
                    "reps": reps, "rayon_threads": threads,
                    "parse_s": parse_best, "parse_peak_heap_bytes": parse_peak,
                    "parse_serde_json_s": serde_best,
                    "fit_s": fit_best, "fit_median_s": fit_median,
                    "fit_peak_heap_bytes": fit_peak,
                    "answer_s": answer_best, "answer_median_s": answer_median,
                    "answer_minus_parse_s": answer_best - parse_best,
                    "answer_peak_heap_bytes": answer_peak,
                    "serialise_s": ser_best, "serialise_peak_heap_bytes": ser_peak,
                    "total_s": total_best, "total_median_s": total_median,
                    "total_peak_heap_bytes": total_peak,
                })
            );
        }
        _ => {
            eprintln!(
                "usage: fit_timing fit N P K REPS [OUT.json] | phases N P K REPS | request BODY.json REPS"
            );
            std::process::exit(2);
        }
    }
}

fn phases(n: usize, p: usize, k: usize, reps: usize, threads: usize) {
    use obscaling::analysis::numerics::linalg::{centred_gram, gram_right_svd, right_svd};
    use obscaling::analysis::numerics::moments::scan_columns;

    let x = matgen::bench_matrix(n, p);
    // The column means, with each column's unit (its largest magnitude) in the same pass.
    let (mean_s, _, _, scan) = time(reps, || scan_columns(x.view()));
    let mean = scan.mean;
    // In the scores' own units, to compare with the SVD below (the fit's
    // units are powers of two: the same work and digits).
    let unit = ndarray::Array1::<f64>::ones(p);
    let (centre_s, _, centre_heap, xs) = time(reps, || &x - &mean);
    let (svd_s, _, svd_heap, svd) = time(reps, || right_svd(xs.view()).unwrap());
    let params = PcaParams::new().n_components(NComponents::Count(k));
    let (fit_s, _, fit_heap, pca) = time(reps, || {
        params.clone().fit(&DatasetBase::new(x.view(), ())).unwrap()
    });
    let (transform_s, _, _, _) = time(reps, || pca.transform(x.view()));
    // The Gram route the fit takes for tall matrices, in its two steps.
    let (gram_s, _, gram_heap, gram) = time(reps, || {
        centred_gram(x.view(), mean.view(), unit.view()).gram
    });
    let (eigh_s, _, _, eig) = time(reps, || gram_right_svd(&gram).unwrap());
    let mut sv_dev: f64 = 0.0;
    let mut comp_dev: f64 = 0.0;
    let top = svd.singular_values[0];
    for r in 0..k {
        sv_dev = sv_dev.max((eig.singular_values[r] - svd.singular_values[r]).abs() / top);
        let sign = eig.vt.row(r).dot(&svd.vt.row(r)).signum();
        for j in 0..p {
            comp_dev = comp_dev.max((sign * eig.vt[[r, j]] - svd.vt[[r, j]]).abs());
        }
    }
    println!(
        "{}",
        json!({
            "n": n, "p": p, "k": k, "reps": reps, "rayon_threads": threads,
            "mean_s": mean_s,
            "centre_s": centre_s, "centre_peak_heap_bytes": centre_heap,
            "right_svd_s": svd_s, "right_svd_peak_heap_bytes": svd_heap,
            "fit_s": fit_s, "fit_peak_heap_bytes": fit_heap,
            "transform_s": transform_s,
            "gram_s": gram_s, "gram_peak_heap_bytes": gram_heap, "gram_eigh_s": eigh_s,
            "gram_vs_svd": {"singular_values_rel": sv_dev, "components": comp_dev},
        })
    );
}

fn rayon_threads() -> usize {
    std::env::var("RAYON_NUM_THREADS")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|&n: &usize| n > 0)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}
