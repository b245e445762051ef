//! Missing cells: reject them, drop the models that have them, fill them with
//! column means, or impute them with the paper's iterative low-rank PCA.

use ndarray::{Array1, Array2, ArrayView2, Axis, s};

use super::AnalysisError;
use super::linalg::right_svd;
use super::matrix::BenchmarkMatrix;

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
                "imputation rank must be at least 1 and below min(n_models, n_benchmarks) = {}, got {}",
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
    /// One row per kept model.
    pub scores: Array2<f64>,
    /// Indices (into the original models) of the rows of `scores`.
    pub rows: Vec<usize>,
    /// Indices of the models left out (`DropModels`).
    pub dropped: Vec<usize>,
    pub imputed: Vec<ImputedCell>,
    pub report: Option<IterationReport>,
}

/// Applies `policy` to the leaderboard's missing cells.
pub fn complete(
    matrix: &BenchmarkMatrix,
    policy: &MissingPolicy,
) -> Result<CompletedScores, AnalysisError> {
    let x = matrix.scores();
    let (n, p) = x.dim();
    let all_rows = || (0..n).collect::<Vec<_>>();
    if matrix.n_missing() == 0 {
        if let MissingPolicy::IterativePca(params) = policy {
            params.check(n, p)?;
        }
        return Ok(CompletedScores {
            scores: x.to_owned(),
            rows: all_rows(),
            dropped: vec![],
            imputed: vec![],
            report: None,
        });
    }
    match policy {
        MissingPolicy::Reject => {
            matrix.complete_scores()?;
            unreachable!("a matrix with missing cells is never complete")
        }
        MissingPolicy::DropModels => {
            check_every_benchmark_observed(matrix)?;
            let (kept, dropped): (Vec<usize>, Vec<usize>) =
                (0..n).partition(|&i| x.row(i).iter().all(|v| !v.is_nan()));
            Ok(CompletedScores {
                scores: x.select(Axis(0), &kept),
                rows: kept,
                dropped,
                imputed: vec![],
                report: None,
            })
        }
        MissingPolicy::Mean => {
            check_every_benchmark_observed(matrix)?;
            check_every_model_observed(matrix)?;
            let (mean, _) = observed_moments(x);
            let mut scores = x.to_owned();
            let mut imputed = vec![];
            for ((i, j), v) in scores.indexed_iter_mut() {
                if v.is_nan() {
                    *v = mean[j];
                    imputed.push(ImputedCell {
                        row: i,
                        col: j,
                        value: mean[j],
                    });
                }
            }
            Ok(CompletedScores {
                scores,
                rows: all_rows(),
                dropped: vec![],
                imputed,
                report: None,
            })
        }
        MissingPolicy::IterativePca(params) => {
            check_every_benchmark_observed(matrix)?;
            check_every_model_observed(matrix)?;
            params.check(n, p)?;
            let (scores, imputed, report) = iterative_pca(x, params)?;
            Ok(CompletedScores {
                scores,
                rows: all_rows(),
                dropped: vec![],
                imputed,
                report: Some(report),
            })
        }
    }
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

/// Mean and population standard deviation of each column's observed cells.
fn observed_moments(x: ArrayView2<'_, f64>) -> (Array1<f64>, Array1<f64>) {
    let p = x.ncols();
    let mut mean = Array1::zeros(p);
    let mut std = Array1::zeros(p);
    for j in 0..p {
        let observed: Vec<f64> = x
            .column(j)
            .iter()
            .copied()
            .filter(|v| !v.is_nan())
            .collect();
        let m = observed.iter().sum::<f64>() / observed.len() as f64;
        let var = observed.iter().map(|v| (v - m).powi(2)).sum::<f64>() / observed.len() as f64;
        mean[j] = m;
        std[j] = var.sqrt();
    }
    (mean, std)
}

/// The paper's recipe: z-score each benchmark over its observed cells (a
/// benchmark whose observed cells are all equal keeps scale 1, where the
/// paper's code would divide by zero), start missing cells at 0 (the column
/// mean), then repeatedly fit a rank-r PCA to the completed z-scored matrix
/// (re-centring it, as scikit-learn's `PCA.fit` does) and overwrite only the
/// missing cells with the reconstruction. Un-scale, then clip imputed cells.
fn iterative_pca(
    x: ArrayView2<'_, f64>,
    params: &IterativePcaParams,
) -> Result<(Array2<f64>, Vec<ImputedCell>, IterationReport), AnalysisError> {
    let (mean, mut std) = observed_moments(x);
    std.mapv_inplace(|s| if s > 0.0 { s } else { 1.0 });
    let missing: Vec<(usize, usize)> = x
        .indexed_iter()
        .filter(|(_, v)| v.is_nan())
        .map(|(ij, _)| ij)
        .collect();
    let mut z = (&x - &mean) / &std;
    for &(i, j) in &missing {
        z[[i, j]] = 0.0;
    }
    if !z.iter().all(|v| v.is_finite()) {
        return Err(AnalysisError::NumericOverflow);
    }
    let mut missing_rows: Vec<usize> = missing.iter().map(|&(i, _)| i).collect();
    missing_rows.dedup();

    let mut report = IterationReport {
        iterations: 0,
        converged: false,
        max_change: f64::INFINITY,
    };
    while report.iterations < params.max_iter {
        let z_mean = z.mean_axis(Axis(0)).expect("n >= 1");
        let centred = &z - &z_mean;
        let svd = right_svd(centred.view())?;
        let basis = svd.vt.slice(s![..params.rank, ..]);
        // Reconstruct only the rows that have missing cells.
        let rows = centred.select(Axis(0), &missing_rows);
        let recon = rows.dot(&basis.t()).dot(&basis) + &z_mean;
        let mut max_change: f64 = 0.0;
        let mut r = 0;
        for &(i, j) in &missing {
            while missing_rows[r] != i {
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

    let mut scores = x.to_owned();
    let mut imputed = Vec::with_capacity(missing.len());
    for &(i, j) in &missing {
        let mut value = z[[i, j]] * std[j] + mean[j];
        if let Some((lo, hi)) = params.bounds {
            value = value.clamp(lo, hi);
        }
        scores[[i, j]] = value;
        imputed.push(ImputedCell {
            row: i,
            col: j,
            value,
        });
    }
    Ok((scores, imputed, report))
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
            let done = complete(&m, &policy).unwrap();
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
        let done = complete(&m, &MissingPolicy::Mean).unwrap();
        assert!((done.scores[[1, 1]] - 0.4).abs() < 1e-15);
    }

    #[test]
    fn drop_models_keeps_complete_rows_and_lists_the_others() {
        let m = matrix(&[&[0.1, 0.2], &[0.3, NA], &[0.5, 0.6]]);
        let done = complete(&m, &MissingPolicy::DropModels).unwrap();
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
        let done = complete(&matrix(&rows), &MissingPolicy::IterativePca(params)).unwrap();
        assert!(
            (done.scores[[2, 1]] - full[2][1]).abs() < 1e-9,
            "{}",
            done.scores[[2, 1]]
        );
        assert!(done.report.unwrap().converged);
    }

    #[test]
    fn bounds_clip_imputed_values_only() {
        let m = matrix(&[&[0.0, 0.0], &[1.0, 1.0], &[2.0, 2.0], &[3.0, NA]]);
        let params = IterativePcaParams {
            bounds: Some((0.0, 1.0)),
            ..Default::default()
        };
        let done = complete(&m, &MissingPolicy::IterativePca(params.clone()));
        // rank 1 must be below min(4, 2) = 2: allowed.
        let done = done.unwrap();
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
