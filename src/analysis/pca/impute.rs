//! Missing cells: reject them, drop the models that have them, fill them with
//! column means, impute them with the paper's iterative low-rank PCA, or
//! fill them with the completion's predictions ([`crate::analysis::complete`]).

use ndarray::{ArcArray2, Array1, Array2, ArrayView2, Axis, s};

use crate::analysis::AnalysisError;
use crate::analysis::matrix::BenchmarkMatrix;
use crate::analysis::numerics::linalg::right_svd;
use crate::analysis::numerics::moments::{self, Spread};

/// The most iterations any request may ask for; the deadline of the
/// reliability limits bounds the time, this bounds the request itself.
pub const MAX_ITER_LIMIT: usize = 100_000;

/// What to do with missing cells.
#[derive(Debug, Clone, PartialEq)]
pub enum MissingPolicy {
    /// Refuse the leaderboard, naming the missing cells.
    Reject,
    /// Leave out every model with a missing cell.
    DropModels,
    /// Fill each missing cell with the mean of its benchmark's observed cells.
    Mean,
    /// The paper's iterative low-rank PCA imputation.
    IterativePca(IterativePcaParams),
    /// The completion's predictions (`/v1/complete`'s method). Models without
    /// any score are left out; a benchmark too sparse to predict is refused.
    Complete(crate::analysis::complete::CompleteValidParams),
}

/// Options of the iterative PCA imputation (checked by [`IterativePcaParams::check`]).
#[derive(Debug, Clone, PartialEq)]
pub struct IterativePcaParams {
    /// Rank of the PCA reconstruction (the paper: 1).
    pub rank: usize,
    /// Iterations at most (the paper runs exactly 1000).
    pub max_iter: usize,
    /// Stop once no missing cell moves by more than this (in z-score units).
    pub tol: f64,
    /// Clip imputed values (in score units) to [lo, hi], e.g. [0, 1] for accuracies.
    pub bounds: Option<(f64, f64)>,
}

/// Stops the iteration once no imputed z-score moves by more than this. The
/// paper iterates 1000 times; on its data this tolerance stops after a few
/// dozen iterations, within 1e-9 of the 1000-iteration result.
pub const DEFAULT_TOL: f64 = 1e-10;

impl Default for IterativePcaParams {
    fn default() -> Self {
        Self {
            rank: 1,
            max_iter: 1000,
            tol: DEFAULT_TOL,
            bounds: None,
        }
    }
}

impl IterativePcaParams {
    fn check(&self, n: usize, p: usize) -> Result<(), AnalysisError> {
        let invalid = |msg: String| Err(AnalysisError::InvalidImputation(msg));
        if self.rank == 0 || self.rank >= p.min(n) {
            return invalid(format!(
                "the imputation rank (imputation.rank, or imputation_rank in a query) must be at \
                 least 1 and below min(n_models, n_benchmarks) = {}, got {}",
                p.min(n),
                self.rank
            ));
        }
        if self.max_iter == 0 || self.max_iter > MAX_ITER_LIMIT {
            return invalid(format!(
                "imputation max_iter must be between 1 and {MAX_ITER_LIMIT}, got {}",
                self.max_iter
            ));
        }
        if !(self.tol >= 0.0 && self.tol.is_finite()) {
            return invalid(format!(
                "imputation tol must be a finite number >= 0, got {}",
                self.tol
            ));
        }
        if let Some((lo, hi)) = self.bounds
            && !(lo.is_finite() && hi.is_finite() && lo < hi)
        {
            return invalid(format!(
                "imputation bounds must be finite with lo < hi, got [{lo}, {hi}]"
            ));
        }
        Ok(())
    }
}

/// One filled-in cell, by position in the original leaderboard.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ImputedCell {
    pub row: usize,
    pub col: usize,
    pub value: f64,
}

/// How an iterative imputation ended.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct IterationReport {
    pub iterations: usize,
    pub converged: bool,
    /// The largest change of a missing cell (z-score units) in the last iteration.
    pub max_change: f64,
}

/// A leaderboard with no missing cell left.
#[derive(Debug, Clone)]
pub struct CompletedScores {
    /// One row per kept model (shared with the leaderboard when unchanged).
    pub scores: ArcArray2<f64>,
    /// Indices (into the original models) of the rows of `scores`.
    pub rows: Vec<usize>,
    /// Indices of the models left out (`DropModels`).
    pub dropped: Vec<usize>,
    pub imputed: Vec<ImputedCell>,
    pub report: Option<IterationReport>,
}

/// What a missing-cell policy learned from the rows it was fitted on, so
/// that further rows (supplementary models, a holdout) can be completed with
/// it held fixed.
// Built once per request; boxing the large variant would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
pub enum FittedMissing {
    Reject,
    DropModels,
    /// The observed mean of each benchmark.
    Mean {
        mean: Array1<f64>,
    },
    /// The z-scoring and the rank-r PCA of the completed z-scored matrix.
    IterativePca {
        params: IterativePcaParams,
        mean: Array1<f64>,
        std: Array1<f64>,
        z_mean: Array1<f64>,
        /// r x p orthonormal rows.
        basis: Array2<f64>,
    },
}

/// Applies `policy` to the leaderboard's missing cells, and returns what it
/// fitted for completing other rows the same way.
pub fn complete(
    matrix: &BenchmarkMatrix,
    policy: &MissingPolicy,
) -> Result<(CompletedScores, FittedMissing), AnalysisError> {
    let x = matrix.scores();
    let (n, p) = x.dim();
    match policy {
        MissingPolicy::Reject => {
            let scores = matrix.complete_scores()?;
            Ok((CompletedScores::unchanged(scores), FittedMissing::Reject))
        }
        MissingPolicy::DropModels => {
            check_every_benchmark_observed(matrix)?;
            Ok((drop_incomplete(x), FittedMissing::DropModels))
        }
        MissingPolicy::Mean => {
            check_every_benchmark_observed(matrix)?;
            check_every_model_observed(matrix)?;
            let (mean, _) = observed_spreads(x);
            let (scores, imputed) = fill(x, |_, j| mean[j]);
            let completed = CompletedScores {
                imputed,
                ..CompletedScores::unchanged(scores)
            };
            Ok((completed, FittedMissing::Mean { mean }))
        }
        MissingPolicy::IterativePca(params) => {
            check_every_benchmark_observed(matrix)?;
            check_every_model_observed(matrix)?;
            params.check(n, p)?;
            iterative_pca(x, params).map_err(|err| err.naming_benchmarks(matrix.benchmarks()))
        }
        MissingPolicy::Complete(params) => {
            check_every_benchmark_observed(matrix)?;
            let completion = crate::analysis::complete::complete(matrix, params)?;
            let completed = completion.completed_scores(matrix)?;
            // Further rows (supplementary models, a basis's placements) are
            // completed with what can be held fixed: the rank-1 structure of
            // the completed leaderboard, as iterative_pca places them. The
            // completion itself has no form that places one new model
            // without refitting.
            let placing = IterativePcaParams::default();
            let (_, fitted) = iterative_pca(completed.scores.view(), &placing)
                .map_err(|err| err.naming_benchmarks(matrix.benchmarks()))?;
            Ok((completed, fitted))
        }
    }
}

impl CompletedScores {
    fn unchanged(scores: impl Into<ArcArray2<f64>>) -> Self {
        let scores = scores.into();
        Self {
            rows: (0..scores.nrows()).collect(),
            scores,
            dropped: vec![],
            imputed: vec![],
            report: None,
        }
    }
}

impl FittedMissing {
    /// Completes the rows of `matrix` (the same benchmarks, other models)
    /// with what was fitted, without refitting anything.
    pub fn apply(&self, matrix: &BenchmarkMatrix) -> Result<CompletedScores, AnalysisError> {
        let x = matrix.scores();
        match self {
            FittedMissing::Reject => Ok(CompletedScores::unchanged(matrix.complete_scores()?)),
            FittedMissing::DropModels => Ok(drop_incomplete(x)),
            FittedMissing::Mean { mean } => {
                check_every_model_observed(matrix)?;
                let (scores, imputed) = fill(x, |_, j| mean[j]);
                Ok(CompletedScores {
                    imputed,
                    ..CompletedScores::unchanged(scores)
                })
            }
            FittedMissing::IterativePca {
                params,
                mean,
                std,
                z_mean,
                basis,
            } => {
                check_every_model_observed(matrix)?;
                let missing = missing_cells(x);
                let mut z = z_scores(x, &missing, mean, std)?;
                // Row by row: each row iterates until its own cells settle,
                // so a row's completion never depends on the rows sent with
                // it (a basis places one model as it placed it among many).
                let mut report = IterationReport {
                    iterations: 0,
                    converged: true,
                    max_change: 0.0,
                };
                for cells in missing.chunk_by(|a, b| a.0 == b.0) {
                    let i = cells[0].0;
                    let mut row = z.slice(s![i..=i, ..]).to_owned();
                    let own: Vec<(usize, usize)> = cells.iter().map(|&(_, j)| (0, j)).collect();
                    let settled = iterate(&mut row, &own, params, |row, _| {
                        Ok((row - z_mean).dot(&basis.t()).dot(basis) + z_mean)
                    })?;
                    z.slice_mut(s![i..=i, ..]).assign(&row);
                    report.iterations = report.iterations.max(settled.iterations);
                    report.converged &= settled.converged;
                    report.max_change = report.max_change.max(settled.max_change);
                }
                let (scores, imputed) = unscale(x, &z, &missing, mean, std, params.bounds);
                Ok(CompletedScores {
                    imputed,
                    report: (!missing.is_empty()).then_some(report),
                    ..CompletedScores::unchanged(scores)
                })
            }
        }
    }
}

fn drop_incomplete(x: ArrayView2<'_, f64>) -> CompletedScores {
    let (kept, dropped): (Vec<usize>, Vec<usize>) =
        (0..x.nrows()).partition(|&i| x.row(i).iter().all(|v| !v.is_nan()));
    CompletedScores {
        scores: x.select(Axis(0), &kept).into_shared(),
        rows: kept,
        dropped,
        imputed: vec![],
        report: None,
    }
}

/// A copy of `x` with each missing cell set by `value(i, j)`, and the list of them.
fn fill(
    x: ArrayView2<'_, f64>,
    value: impl Fn(usize, usize) -> f64,
) -> (Array2<f64>, Vec<ImputedCell>) {
    let mut scores = x.to_owned();
    let mut imputed = vec![];
    for ((row, col), v) in scores.indexed_iter_mut() {
        if v.is_nan() {
            *v = value(row, col);
            imputed.push(ImputedCell {
                row,
                col,
                value: *v,
            });
        }
    }
    (scores, imputed)
}

fn missing_cells(x: ArrayView2<'_, f64>) -> Vec<(usize, usize)> {
    x.indexed_iter()
        .filter(|(_, v)| v.is_nan())
        .map(|(ij, _)| ij)
        .collect()
}

fn check_every_benchmark_observed(matrix: &BenchmarkMatrix) -> Result<(), AnalysisError> {
    let x = matrix.scores();
    match (0..x.ncols()).find(|&j| x.column(j).iter().all(|v| v.is_nan())) {
        Some(j) => Err(AnalysisError::UnobservedBenchmark {
            benchmark: matrix.benchmarks()[j].clone(),
        }),
        None => Ok(()),
    }
}

fn check_every_model_observed(matrix: &BenchmarkMatrix) -> Result<(), AnalysisError> {
    let x = matrix.scores();
    match (0..x.nrows()).find(|&i| x.row(i).iter().all(|v| v.is_nan())) {
        Some(i) => Err(AnalysisError::UnobservedModel {
            model: matrix.models()[i].clone(),
        }),
        None => Ok(()),
    }
}

/// Mean and spread of each column's observed cells (`moments::spread`,
/// the rule of every fit).
fn observed_spreads(x: ArrayView2<'_, f64>) -> (Array1<f64>, Vec<Spread>) {
    let p = x.ncols();
    let mut mean = Array1::zeros(p);
    let mut spreads = Vec::with_capacity(p);
    let mut observed = Vec::with_capacity(x.nrows());
    for j in 0..p {
        observed.clear();
        observed.extend(x.column(j).iter().copied().filter(|v| !v.is_nan()));
        let (m, spread) = moments::of_values(&observed);
        mean[j] = m;
        spreads.push(spread);
    }
    (mean, spreads)
}

/// The z-scoring of [`iterative_pca`]: each column's observed mean and
/// scale, the population standard deviation or 1 for a column that is
/// constant up to rounding. A column that varies by less than f64's smallest normal number
/// is refused, as every fit refuses it (`moments::SMALLEST_SPREAD`): its
/// z-scores would be its deviations divided by a deviation of a few bits.
fn z_scaling(x: ArrayView2<'_, f64>) -> Result<(Array1<f64>, Array1<f64>), AnalysisError> {
    let (mean, spreads) = observed_spreads(x);
    if let Some(j) = spreads.iter().position(Spread::is_below_smallest) {
        return Err(AnalysisError::NumericUnderflow {
            column: j,
            benchmark: None,
            std: spreads[j].std,
            consequence: "its z-scores, which the imputation fits, cannot be computed to the \
                          precision of the scores",
        });
    }
    Ok((mean, spreads.iter().map(Spread::scale).collect()))
}

/// z-scores with the missing cells at 0, their column mean.
fn z_scores(
    x: ArrayView2<'_, f64>,
    missing: &[(usize, usize)],
    mean: &Array1<f64>,
    std: &Array1<f64>,
) -> Result<Array2<f64>, AnalysisError> {
    let mut z = (&x - mean) / std;
    for &(i, j) in missing {
        z[[i, j]] = 0.0;
    }
    if z.iter().all(|v| v.is_finite()) {
        Ok(z)
    } else {
        Err(AnalysisError::NumericOverflow)
    }
}

/// The paper's recipe: z-score each benchmark over its observed cells (a
/// benchmark whose observed cells are constant up to rounding keeps scale 1,
/// where the paper's code would divide by zero or by rounding noise), start missing cells at 0 (the column
/// mean), then repeatedly fit a rank-r PCA to the completed z-scored matrix
/// (re-centring it, as scikit-learn's `PCA.fit` does) and overwrite only the
/// missing cells with the reconstruction. Un-scale, then clip imputed cells.
/// The fitted model is the z-scoring plus a rank-r PCA of the final matrix.
fn iterative_pca(
    x: ArrayView2<'_, f64>,
    params: &IterativePcaParams,
) -> Result<(CompletedScores, FittedMissing), AnalysisError> {
    let (mean, std) = z_scaling(x)?;
    let missing = missing_cells(x);
    let mut z = z_scores(x, &missing, &mean, &std)?;
    let report = iterate(&mut z, &missing, params, |z, rows| {
        let (z_mean, basis) = low_rank_pca(z.view(), params.rank)?;
        let centred = z.select(Axis(0), rows) - &z_mean;
        Ok(centred.dot(&basis.t()).dot(&basis) + &z_mean)
    })?;
    let (z_mean, basis) = low_rank_pca(z.view(), params.rank)?;
    let (scores, imputed) = unscale(x, &z, &missing, &mean, &std, params.bounds);
    let completed = CompletedScores {
        imputed,
        report: (!missing.is_empty()).then_some(report),
        ..CompletedScores::unchanged(scores)
    };
    let fitted = FittedMissing::IterativePca {
        params: params.clone(),
        mean,
        std,
        z_mean,
        basis,
    };
    Ok((completed, fitted))
}

/// Column means and the top `rank` right singular vectors of the centred matrix.
fn low_rank_pca(
    z: ArrayView2<'_, f64>,
    rank: usize,
) -> Result<(Array1<f64>, Array2<f64>), AnalysisError> {
    let z_mean = z.mean_axis(Axis(0)).expect("n >= 1");
    let svd = right_svd((&z - &z_mean).view())?;
    Ok((z_mean, svd.vt.slice(s![..rank, ..]).to_owned()))
}

/// Overwrites the missing cells of `z` with `reconstruct(z, rows)` (the
/// reconstruction of the listed rows) until no cell moves by more than `tol`
/// or `max_iter` is reached. With nothing missing, nothing runs.
fn iterate(
    z: &mut Array2<f64>,
    missing: &[(usize, usize)],
    params: &IterativePcaParams,
    reconstruct: impl Fn(&Array2<f64>, &[usize]) -> Result<Array2<f64>, AnalysisError>,
) -> Result<IterationReport, AnalysisError> {
    let mut report = IterationReport {
        iterations: 0,
        converged: missing.is_empty(),
        max_change: 0.0,
    };
    if missing.is_empty() {
        return Ok(report);
    }
    let mut rows: Vec<usize> = missing.iter().map(|&(i, _)| i).collect();
    rows.dedup();
    while report.iterations < params.max_iter {
        crate::analysis::budget::check()?;
        let recon = reconstruct(z, &rows)?;
        let mut max_change: f64 = 0.0;
        let mut r = 0;
        for &(i, j) in missing {
            while rows[r] != i {
                r += 1;
            }
            let new = recon[[r, j]];
            max_change = max_change.max((new - z[[i, j]]).abs());
            z[[i, j]] = new;
        }
        report.iterations += 1;
        report.max_change = max_change;
        if max_change <= params.tol {
            report.converged = true;
            break;
        }
    }
    Ok(report)
}

/// The raw scores with the missing cells taken from `z`, un-scaled and clipped.
fn unscale(
    x: ArrayView2<'_, f64>,
    z: &Array2<f64>,
    missing: &[(usize, usize)],
    mean: &Array1<f64>,
    std: &Array1<f64>,
    bounds: Option<(f64, f64)>,
) -> (Array2<f64>, Vec<ImputedCell>) {
    let mut scores = x.to_owned();
    let mut imputed = Vec::with_capacity(missing.len());
    for &(i, j) in missing {
        let mut value = z[[i, j]] * std[j] + mean[j];
        if let Some((lo, hi)) = bounds {
            value = value.clamp(lo, hi);
        }
        scores[[i, j]] = value;
        imputed.push(ImputedCell {
            row: i,
            col: j,
            value,
        });
    }
    (scores, imputed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::matrix::ScoreRows;

    fn matrix(rows: &[&[f64]]) -> BenchmarkMatrix {
        let n = rows.len();
        let p = rows[0].len();
        BenchmarkMatrix::new(
            (0..n).map(|i| format!("m{i}")).collect(),
            (0..p).map(|j| format!("b{j}")).collect(),
            ScoreRows {
                values: rows.iter().flat_map(|r| r.iter().copied()).collect(),
                row_lengths: rows.iter().map(|r| r.len()).collect(),
            },
        )
        .unwrap()
    }

    const NA: f64 = f64::NAN;

    #[test]
    fn observed_cells_are_never_changed() {
        let m = matrix(&[
            &[0.1, 0.2, NA],
            &[0.3, NA, 0.5],
            &[0.6, 0.7, 0.9],
            &[0.2, 0.1, 0.3],
        ]);
        for policy in [
            MissingPolicy::Mean,
            MissingPolicy::IterativePca(IterativePcaParams::default()),
        ] {
            let (done, _) = complete(&m, &policy).unwrap();
            for ((i, j), &v) in m.scores().indexed_iter() {
                if !v.is_nan() {
                    assert_eq!(done.scores[[i, j]], v, "{policy:?} changed ({i}, {j})");
                }
            }
            assert_eq!(done.imputed.len(), 2);
            assert!(done.scores.iter().all(|v| v.is_finite()));
        }
    }

    #[test]
    fn mean_fills_with_the_observed_column_mean() {
        let m = matrix(&[&[0.1, 0.2], &[0.3, NA], &[0.5, 0.6]]);
        let (done, _) = complete(&m, &MissingPolicy::Mean).unwrap();
        assert!((done.scores[[1, 1]] - 0.4).abs() < 1e-15);
    }

    #[test]
    fn drop_models_keeps_complete_rows_and_lists_the_others() {
        let m = matrix(&[&[0.1, 0.2], &[0.3, NA], &[0.5, 0.6]]);
        let (done, _) = complete(&m, &MissingPolicy::DropModels).unwrap();
        assert_eq!(done.rows, vec![0, 2]);
        assert_eq!(done.dropped, vec![1]);
        assert_eq!(done.scores.nrows(), 2);
    }

    #[test]
    fn rank_one_imputation_recovers_an_exactly_rank_one_matrix() {
        // x_ij = a_i * b_j + c_j is rank one after centring; the hole is recoverable.
        let a = [0.1, 0.4, 0.5, 0.9, 0.3];
        let b = [1.0, 0.5, 2.0];
        let c = [0.0, 0.1, -0.2];
        let full: Vec<Vec<f64>> = a
            .iter()
            .map(|ai| (0..3).map(|j| ai * b[j] + c[j]).collect())
            .collect();
        let mut holed = full.clone();
        holed[2][1] = NA;
        let rows: Vec<&[f64]> = holed.iter().map(|r| r.as_slice()).collect();
        let params = IterativePcaParams {
            tol: 1e-14,
            ..Default::default()
        };
        let (done, _) = complete(&matrix(&rows), &MissingPolicy::IterativePca(params)).unwrap();
        assert!(
            (done.scores[[2, 1]] - full[2][1]).abs() < 1e-9,
            "{}",
            done.scores[[2, 1]]
        );
        assert!(done.report.unwrap().converged);
    }

    #[test]
    fn a_benchmark_constant_up_to_rounding_keeps_scale_one() {
        // Observed cells 1, 1, 1 + eps vary by one rounding step of 1: the
        // rule calls the benchmark constant. Divided by that step's standard
        // deviation (4.7e-17) they would become a benchmark as loud as any
        // other and steer the imputation of the rest; with scale 1 the
        // imputation is that of an exactly constant benchmark (1, 1, 1).
        let impute = |third: f64| {
            let rows = [
                [1.0, 0.2, 0.3],
                [1.0, 0.5, 0.4],
                [third, 0.9, 0.8],
                [NA, 0.4, 0.35],
                [NA, 0.7, NA],
            ];
            let rows: Vec<&[f64]> = rows.iter().map(|r| r.as_slice()).collect();
            let params = IterativePcaParams {
                tol: 1e-14,
                ..Default::default()
            };
            complete(&matrix(&rows), &MissingPolicy::IterativePca(params))
                .unwrap()
                .0
        };
        let (rounding, exact) = (impute(1.0 + f64::EPSILON), impute(1.0));
        let (a, b) = (rounding.scores[[4, 2]], exact.scores[[4, 2]]);
        assert!((a - b).abs() < 1e-12, "{a} vs {b}");
        for i in [3, 4] {
            assert!((rounding.scores[[i, 0]] - 1.0).abs() < 1e-15);
            assert_eq!(exact.scores[[i, 0]], 1.0);
        }
    }

    #[test]
    fn tiny_scores_are_z_scored_by_their_own_spread() {
        // Scores times 1e-200 impute as the unscaled scores times 1e-200:
        // their squares underflow, their spread must not.
        let rows = [
            [0.1, 0.2, 0.3],
            [0.4, 0.5, 0.45],
            [0.3, 0.9, 0.8],
            [NA, 0.4, 0.35],
            [0.6, 0.7, NA],
        ];
        let impute = |factor: f64| {
            let scaled: Vec<Vec<f64>> = rows
                .iter()
                .map(|r| r.iter().map(|v| v * factor).collect())
                .collect();
            let scaled: Vec<&[f64]> = scaled.iter().map(|r| r.as_slice()).collect();
            complete(
                &matrix(&scaled),
                &MissingPolicy::IterativePca(Default::default()),
            )
            .unwrap()
            .0
        };
        let (unit, tiny) = (impute(1.0), impute(1e-200));
        for (a, b) in tiny.imputed.iter().zip(&unit.imputed) {
            assert!(
                (a.value - b.value * 1e-200).abs() < 1e-12 * b.value.abs() * 1e-200,
                "{a:?} vs {b:?} x 1e-200"
            );
        }
        assert_eq!(tiny.imputed.len(), 2);
    }

    #[test]
    fn bounds_clip_imputed_values_only() {
        let m = matrix(&[&[0.0, 0.0], &[1.0, 1.0], &[2.0, 2.0], &[3.0, NA]]);
        let params = IterativePcaParams {
            bounds: Some((0.0, 1.0)),
            ..Default::default()
        };
        // rank 1 must be below min(4, 2) = 2: allowed.
        let (done, _) = complete(&m, &MissingPolicy::IterativePca(params)).unwrap();
        assert_eq!(done.scores[[3, 1]], 1.0);
        assert_eq!(done.scores[[3, 0]], 3.0);
    }

    #[test]
    fn unobserved_benchmarks_and_models_are_named() {
        let m = matrix(&[&[0.1, NA], &[0.3, NA], &[0.5, NA]]);
        assert_eq!(
            complete(&m, &MissingPolicy::Mean).unwrap_err(),
            AnalysisError::UnobservedBenchmark {
                benchmark: "b1".into()
            }
        );
        let m = matrix(&[&[0.1, 0.2], &[NA, NA], &[0.5, 0.4]]);
        assert_eq!(
            complete(&m, &MissingPolicy::IterativePca(Default::default())).unwrap_err(),
            AnalysisError::UnobservedModel { model: "m1".into() }
        );
    }

    #[test]
    fn invalid_imputation_options_are_refused() {
        let m = matrix(&[&[0.1, 0.2, 0.3], &[0.3, NA, 0.1], &[0.5, 0.4, 0.2]]);
        for params in [
            IterativePcaParams {
                rank: 0,
                ..Default::default()
            },
            IterativePcaParams {
                rank: 3,
                ..Default::default()
            },
            IterativePcaParams {
                max_iter: 0,
                ..Default::default()
            },
            IterativePcaParams {
                tol: -1.0,
                ..Default::default()
            },
            IterativePcaParams {
                bounds: Some((1.0, 0.0)),
                ..Default::default()
            },
        ] {
            assert!(matches!(
                complete(&m, &MissingPolicy::IterativePca(params)),
                Err(AnalysisError::InvalidImputation(_))
            ));
        }
    }
}
