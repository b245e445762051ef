//! Deterministic benchmark matrices, shared by `benches/core.rs` and
//! `examples/fit_timing.rs` (included with `#[path]`).
//!
//! The generator is the one documented in
//! tests/fixtures/reference/pca_cases.json (`generator`): splitmix64, A (n x
//! rank), then B (rank x p), then E (n x p), X = A B + noise (E - 0.5), summed
//! left to right. `bench/matgen.py` reproduces it bit for bit.

use ndarray::Array2;

pub fn generated_matrix(n: usize, p: usize, rank: usize, noise: f64, seed: u64) -> Array2<f64> {
    let mut state = seed;
    let mut uniform = move || {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        (z >> 11) as f64 * 2f64.powi(-53)
    };
    let a: Vec<f64> = (0..n * rank).map(|_| uniform()).collect();
    let b: Vec<f64> = (0..rank * p).map(|_| uniform()).collect();
    let e: Vec<f64> = (0..n * p).map(|_| uniform()).collect();
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
