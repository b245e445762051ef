//! A synthetic sparse leaderboard for the completion's benchmark
//! (benches/complete.rs): n models x p benchmarks, a share `filled` of the
//! cells observed (each model keeps at least two), percentages from a
//! rank-3 model on the logit scale plus noise, two decimals. Included with
//! `#[path]`.

#![allow(dead_code)]

use obscaling::analysis::BenchmarkMatrix;
use obscaling::analysis::matrix::ScoreRows;
use obscaling::analysis::numerics::rng::Rng;

pub fn sparse_board(n: usize, p: usize, filled: f64, seed: u64) -> BenchmarkMatrix {
    let mut rng = Rng::new(seed, 0);
    let rows: Vec<[f64; 3]> = (0..n)
        .map(|_| [rng.normal(), rng.normal(), rng.normal()])
        .collect();
    let cols: Vec<[f64; 4]> = (0..p)
        .map(|_| {
            [
                rng.normal(),
                rng.normal(),
                0.5 * rng.normal(),
                0.3 * rng.normal(),
            ]
        })
        .collect();
    let mut values = vec![f64::NAN; n * p];
    for i in 0..n {
        let mut kept = 0;
        for j in 0..p {
            if rng.uniform() < filled || p - j <= 2 - kept.min(2) {
                let c = &cols[j];
                let l = c[0] * 0.7
                    + rows[i][0] * c[1]
                    + rows[i][1] * c[2]
                    + rows[i][2] * c[3]
                    + 0.25 * rng.normal();
                values[i * p + j] = (10000.0 / (1.0 + (-l).exp())).round() / 100.0;
                kept += 1;
            }
        }
    }
    BenchmarkMatrix::new(
        (0..n)
            .map(|i| format!("org-{:02}/model-{i:05}", i % 37))
            .collect(),
        (0..p).map(|j| format!("benchmark_{j:04}")).collect(),
        ScoreRows {
            values,
            row_lengths: vec![p; n],
        },
    )
    .expect("a valid leaderboard")
}
