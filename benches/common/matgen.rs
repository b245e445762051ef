//! The one generator of test and benchmark matrices, included by `#[path]`
//! wherever Rust needs one: the PCA benchmark (benches/core.rs), the timing
//! example (examples/fit_timing.rs) and the HTTP tests (tests/api/helpers.rs:
//! the generated reference cases and the heavy requests).
//!
//! It is the generator documented in tests/fixtures/reference/pca_cases.json
//! (`generator`), whose script (make_pca_reference.py) defines it and stores
//! each generated case's checksum, which tests/api/reference.rs checks: a
//! splitmix64 stream from the seed ([`Rng::from_state`], the core's own
//! generator) draws A (n x rank), then B (rank x p), then E (n x p), and
//! X = A B + noise (E - 0.5), summed left to right. bench/matgen.py is its
//! numpy twin for the Python benchmarks (scikit-learn's timings, the HTTP
//! bodies), bit for bit, and checks itself against the same checksum.

use ndarray::Array2;
use obscaling::analysis::numerics::rng::Rng;

pub fn generated_matrix(n: usize, p: usize, rank: usize, noise: f64, seed: u64) -> Array2<f64> {
    let mut rng = Rng::from_state(seed);
    let a: Vec<f64> = (0..n * rank).map(|_| rng.uniform()).collect();
    let b: Vec<f64> = (0..rank * p).map(|_| rng.uniform()).collect();
    let e: Vec<f64> = (0..n * p).map(|_| rng.uniform()).collect();
    Array2::from_shape_fn((n, p), |(i, j)| {
        let mut x = 0.0;
        for r in 0..rank {
            x += a[i * rank + r] * b[r * p + j];
        }
        x + noise * (e[i * p + j] - 0.5)
    })
}

/// The benchmark shapes' matrices: rank 12 plus noise, so the first 10
/// components are well separated.
pub const RANK: usize = 12;
pub const NOISE: f64 = 0.05;
pub const SEED: u64 = 2024;

#[allow(dead_code)]
pub fn bench_matrix(n: usize, p: usize) -> Array2<f64> {
    generated_matrix(n, p, RANK.min(p), NOISE, SEED)
}
