//! The BenchPress leaderboard and its 30 held-out folds
//! (tests/fixtures/benchpress/, see SOURCE.md there). Shared by the
//! completion's tests (tests/complete.rs), benchmark (benches/complete.rs)
//! and protocol example (examples/complete_protocol.rs), which include this
//! file by `#[path]`.

#![allow(dead_code)]

use obscaling::analysis::BenchmarkMatrix;
use obscaling::analysis::matrix::ScoreRows;
use serde_json::Value;

const MATRIX: &str = include_str!("../../tests/fixtures/benchpress/matrix.csv");
const FOLDS: &str = include_str!("../../tests/fixtures/benchpress/folds.json");

/// models x benchmarks, NaN where nobody published a score.
pub struct Leaderboard {
    pub models: Vec<String>,
    pub benchmarks: Vec<String>,
    /// Row-major n x p.
    pub scores: Vec<f64>,
}

impl Leaderboard {
    pub fn n(&self) -> usize {
        self.models.len()
    }

    pub fn p(&self) -> usize {
        self.benchmarks.len()
    }

    pub fn get(&self, i: usize, j: usize) -> f64 {
        self.scores[i * self.p() + j]
    }

    /// The leaderboard as a request, without the benchmarks that have no
    /// observed score (as the protocol script sends it); also returns the
    /// kept columns.
    pub fn request(&self) -> (BenchmarkMatrix, Vec<usize>) {
        let (n, p) = (self.n(), self.p());
        let keep: Vec<usize> = (0..p)
            .filter(|&j| (0..n).any(|i| !self.get(i, j).is_nan()))
            .collect();
        let values: Vec<f64> = (0..n)
            .flat_map(|i| keep.iter().map(move |&j| (i, j)))
            .map(|(i, j)| self.get(i, j))
            .collect();
        let matrix = BenchmarkMatrix::new(
            self.models.clone(),
            keep.iter().map(|&j| self.benchmarks[j].clone()).collect(),
            ScoreRows {
                values,
                row_lengths: vec![keep.len(); n],
            },
        )
        .expect("a valid leaderboard");
        (matrix, keep)
    }

    /// A copy with the given cells blanked.
    pub fn without(&self, cells: &[(usize, usize)]) -> Leaderboard {
        let mut scores = self.scores.clone();
        for &(i, j) in cells {
            scores[i * self.p() + j] = f64::NAN;
        }
        Leaderboard {
            models: self.models.clone(),
            benchmarks: self.benchmarks.clone(),
            scores,
        }
    }

    /// The median of column j's observed scores (numpy's), None if it has none.
    pub fn column_median(&self, j: usize) -> Option<f64> {
        let mut v: Vec<f64> = (0..self.n())
            .map(|i| self.get(i, j))
            .filter(|v| !v.is_nan())
            .collect();
        if v.is_empty() {
            return None;
        }
        v.sort_by(f64::total_cmp);
        let m = v.len();
        Some(if m % 2 == 1 {
            v[m / 2]
        } else {
            (v[m / 2 - 1] + v[m / 2]) / 2.0
        })
    }
}

pub fn leaderboard() -> Leaderboard {
    let mut reader = csv::Reader::from_reader(MATRIX.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    let benchmarks = header[1..].to_vec();
    let mut models = Vec::new();
    let mut scores = Vec::new();
    for record in reader.records() {
        let r = record.unwrap();
        models.push(r[0].to_string());
        for v in r.iter().skip(1) {
            scores.push(if v.is_empty() {
                f64::NAN
            } else {
                v.parse().unwrap()
            });
        }
    }
    Leaderboard {
        models,
        benchmarks,
        scores,
    }
}

/// The paper's 30 folds: each fold's test cells as (row, column).
pub fn folds() -> Vec<Vec<(usize, usize)>> {
    let v: Value = serde_json::from_str(FOLDS).unwrap();
    v["folds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            f["test_cells"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| {
                    (
                        c[0].as_u64().unwrap() as usize,
                        c[1].as_u64().unwrap() as usize,
                    )
                })
                .collect()
        })
        .collect()
}
