//! The request as the method sees it: rows and columns in label order
//! (so that reordering a leaderboard moves nothing), each column on its
//! scale, and the cells the fits may use.

use super::params::{self, CompleteValidParams};
use super::random;
use super::scale::{self, ColumnScale, Scale};
use crate::analysis::AnalysisError;
use crate::analysis::matrix::BenchmarkMatrix;

/// The request in label order, on the scale of the method.
pub(crate) struct Board {
    /// Canonical row -> request row, and the same for columns.
    pub row_of: Vec<usize>,
    pub col_of: Vec<usize>,
    pub rkeys: Vec<u64>,
    pub ckeys: Vec<u64>,
    pub scale: Scale,
    /// Observed models per benchmark and scores per model (all observed cells).
    pub col_obs: Vec<usize>,
    pub row_obs: Vec<usize>,
    pub col_ok: Vec<bool>,
    /// The cells the fits use (observed, on a benchmark with enough models),
    /// row-major: position, z, and the score in internal units.
    pub cells: Vec<(u32, u32)>,
    pub z: Vec<f64>,
    pub truth: Vec<f64>,
    /// Whether each canonical cell (row-major n x p) is observed at all.
    pub observed: Vec<bool>,
    /// Each canonical column's scale and how it was decided.
    pub scales_detected: Vec<ColumnScale>,
}

impl Board {
    /// The index in `cells` of an observed cell of the fits.
    pub(crate) fn cell_index(&self, i: u32, j: u32) -> usize {
        self.cells
            .binary_search(&(i, j))
            .expect("a CV cell is a cell of the fits")
    }
}

/// Puts the request in label order and on the method's scale.
pub(crate) fn board(
    matrix: &BenchmarkMatrix,
    params: &CompleteValidParams,
) -> Result<Board, AnalysisError> {
    let s = &params.settings;
    let (n, p) = (matrix.n_models(), matrix.n_benchmarks());
    let models = matrix.models();
    let benchmarks = matrix.benchmarks();
    let scores = matrix.scores();
    let mut stated: Vec<Option<params::ScaleKind>> = vec![None; p];
    for (label, kind) in &params.scales {
        let Some(c) = benchmarks.iter().position(|b| b == label) else {
            return Err(AnalysisError::InvalidCompletion(format!(
                "scales names benchmark '{label}', which is not one of the leaderboard's"
            )));
        };
        scale::check_stated(
            *kind,
            label,
            (0..n).filter_map(|r| {
                let v = scores[(r, c)];
                (!v.is_nan()).then_some((r, v))
            }),
            |r| models[r].clone(),
        )?;
        stated[c] = Some(*kind);
    }
    let mut row_of: Vec<usize> = (0..n).collect();
    row_of.sort_by(|&a, &b| models[a].cmp(&models[b]));
    let mut col_of: Vec<usize> = (0..p).collect();
    col_of.sort_by(|&a, &b| benchmarks[a].cmp(&benchmarks[b]));
    let x = |i: usize, j: usize| scores[(row_of[i], col_of[j])];
    let mut observed = vec![false; n * p];
    let mut col_obs = vec![0usize; p];
    let mut row_obs = vec![0usize; n];
    let mut columns: Vec<Vec<f64>> = vec![Vec::new(); p];
    for i in 0..n {
        for j in 0..p {
            let v = x(i, j);
            if !v.is_nan() {
                observed[i * p + j] = true;
                col_obs[j] += 1;
                row_obs[i] += 1;
                columns[j].push(v);
            }
        }
    }
    let stated_c: Vec<Option<params::ScaleKind>> = col_of.iter().map(|&c| stated[c]).collect();
    let scales_detected: Vec<ColumnScale> = scale::detect(&columns, &stated_c);
    let col_ok: Vec<bool> = col_obs.iter().map(|&c| c >= s.min_col_obs).collect();
    for (j, col) in columns.iter_mut().enumerate() {
        if !col_ok[j] {
            col.clear();
        }
    }
    let scale = Scale::new(
        scales_detected.iter().map(|c| c.kind).collect(),
        &columns,
        s.logit_a,
        s.spread_pseudo,
    )?;
    let mut cells = Vec::new();
    let mut z = Vec::new();
    let mut truth = Vec::new();
    for i in 0..n {
        for j in 0..p {
            if observed[i * p + j] && col_ok[j] {
                let v = x(i, j);
                cells.push((i as u32, j as u32));
                z.push(scale.to_z(j, v));
                truth.push(v * scale.unit[j]);
            }
        }
    }
    Ok(Board {
        rkeys: row_of.iter().map(|&r| random::key(&models[r])).collect(),
        ckeys: col_of
            .iter()
            .map(|&c| random::key(&benchmarks[c]))
            .collect(),
        row_of,
        col_of,
        scale,
        col_obs,
        row_obs,
        col_ok,
        cells,
        z,
        truth,
        observed,
        scales_detected,
    })
}
