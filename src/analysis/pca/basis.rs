//! A fitted basis that the client keeps: scikit-learn's `fit` then
//! `transform`, with the service stateless. A basis holds everything needed
//! to place a new model exactly as a supplementary model was placed at fit
//! time (the PCA's centring, scaling and components, and the missing-score
//! model held fixed); a law basis adds the sigmoid and the reference line.
//!
//! A basis is made from a fit ([`Basis::of_fit`]) or rebuilt from the parts
//! a client sent back ([`Basis::from_parts`]), which checks everything a fit
//! guarantees; placing models then checks nothing again. The parts are the
//! core's own values (arrays, the fitted missing-score model): how they are
//! written down for a client is the edge's business. Both kinds of
//! basis place rows through the same code as the fit itself
//! ([`FittedMissing::apply`], [`project`](crate::analysis::project), [`law::predict_scores`](crate::analysis::scaling::law::predict_scores)), so
//! the same numbers give the same answers: to the bit for the filled cells
//! and the law, and within 1e-14 for projections (a fit also centres by its
//! mean's rounding residual, which a basis does not carry).

use std::collections::HashMap;

use ndarray::{Array1, Array2};

use super::{SignConvention, project};
use crate::analysis::AnalysisError;
use crate::analysis::matrix::{BenchmarkMatrix, ScoreRows};
use crate::analysis::pca::fit::{PcaFit, Placement};
use crate::analysis::pca::impute::{FittedMissing, IterativePcaParams};

/// How far the rows of a basis's components may be from orthonormal: a fit
/// gives them to ~1e-15, and a basis that went through a text format and
/// back is exact, so anything beyond this was edited or corrupted.
pub const ORTHONORMAL_TOL: f64 = 1e-8;

/// How far the explained-variance ratios may sum past 1 (rounding).
const RATIO_SUM_TOL: f64 = 1e-8;

/// A fitted PCA and its missing-score model, ready to place new models:
/// parts that a fit made or that [`Basis::from_parts`] checked.
#[derive(Debug, Clone)]
pub struct Basis(BasisParts);

/// What a basis is made of; nothing is checked until [`Basis::from_parts`].
#[derive(Debug, Clone)]
pub struct BasisParts {
    pub benchmarks: Vec<String>,
    pub mean: Array1<f64>,
    pub scale: Option<Array1<f64>>,
    /// k x p, orthonormal rows.
    pub components: Array2<f64>,
    pub sign: SignConvention,
    pub explained_variance_ratio: Array1<f64>,
    /// Held fixed when models are placed; its rank, for `iterative_pca`, is
    /// the number of rows of its basis.
    pub missing: FittedMissing,
    /// The models the PCA was fitted on (after `drop_models`).
    pub n_models: usize,
}

/// New models on a basis's benchmarks, matched by name.
#[derive(Debug, Clone)]
pub struct Aligned {
    /// The models, one column per basis benchmark (in the basis's order), a
    /// missing cell where a model's rows lacked that benchmark.
    pub matrix: BenchmarkMatrix,
    /// The columns sent that the basis does not know, in the order sent.
    pub ignored: Vec<String>,
}

pub(crate) fn invalid(detail: String) -> AnalysisError {
    AnalysisError::InvalidBasis(detail)
}

/// That `values`, called `name`, are p finite numbers.
fn vector(name: &str, values: &Array1<f64>, p: usize) -> Result<(), AnalysisError> {
    if values.len() != p {
        return Err(invalid(format!(
            "{name} has {} values, but there are {p} benchmarks",
            values.len()
        )));
    }
    finite(name, values)
}

pub(crate) fn finite<'a>(
    name: &str,
    values: impl IntoIterator<Item = &'a f64>,
) -> Result<(), AnalysisError> {
    match values.into_iter().position(|v| !v.is_finite()) {
        Some(i) => Err(invalid(format!("{name}[{i}] is not a finite number"))),
        None => Ok(()),
    }
}

fn positive(name: &str, values: &Array1<f64>) -> Result<(), AnalysisError> {
    match values.iter().position(|&v| v <= 0.0) {
        Some(i) => Err(invalid(format!(
            "{name}[{i}] must be positive, got {}",
            values[i]
        ))),
        None => Ok(()),
    }
}

/// That `matrix` has at least one row of p finite numbers, and orthonormal
/// rows.
fn orthonormal_rows(name: &str, matrix: &Array2<f64>, p: usize) -> Result<(), AnalysisError> {
    let (k, width) = matrix.dim();
    if k == 0 {
        return Err(invalid(format!("{name} has no rows")));
    }
    if k > p {
        return Err(invalid(format!(
            "{name} has {k} rows, but {p} benchmarks have at most {p} orthonormal directions"
        )));
    }
    if width != p {
        return Err(invalid(format!(
            "{name}[0] has {width} values, but there are {p} benchmarks"
        )));
    }
    for (i, row) in matrix.rows().into_iter().enumerate() {
        finite(&format!("{name}[{i}]"), row)?;
    }
    let gram = matrix.dot(&matrix.t());
    for i in 0..k {
        let norm = gram[[i, i]].sqrt();
        if (gram[[i, i]] - 1.0).abs() > ORTHONORMAL_TOL {
            return Err(invalid(format!(
                "{name}[{i}] has length {norm}, not 1: the components must be orthonormal (to {ORTHONORMAL_TOL:e})"
            )));
        }
        for j in 0..i {
            if gram[[i, j]].abs() > ORTHONORMAL_TOL {
                return Err(invalid(format!(
                    "{name}[{j}] and {name}[{i}] are not orthogonal (dot product {}): the \
                     components must be orthonormal (to {ORTHONORMAL_TOL:e})",
                    gram[[i, j]]
                )));
            }
        }
    }
    Ok(())
}

fn check_benchmarks(benchmarks: &[String]) -> Result<(), AnalysisError> {
    if benchmarks.is_empty() {
        return Err(invalid("benchmarks is empty".into()));
    }
    let mut seen: HashMap<&str, usize> = HashMap::with_capacity(benchmarks.len());
    for (i, name) in benchmarks.iter().enumerate() {
        if name.is_empty() {
            return Err(invalid(format!("benchmarks[{i}] is empty")));
        }
        if let Some(first) = seen.insert(name, i) {
            return Err(invalid(format!(
                "benchmark '{name}' appears twice (positions {first} and {i})"
            )));
        }
    }
    Ok(())
}

impl Basis {
    /// The basis of a fit: its PCA (oriented by `sign`) and its
    /// missing-score model, over `benchmarks` (the fitted leaderboard's).
    pub fn of_fit(benchmarks: &[String], fit: &PcaFit, sign: SignConvention) -> Self {
        Self(BasisParts {
            benchmarks: benchmarks.to_vec(),
            mean: fit.pca.mean().to_owned(),
            scale: fit.pca.scale().map(|s| s.to_owned()),
            components: fit.pca.components().to_owned(),
            sign,
            explained_variance_ratio: fit.pca.explained_variance_ratio().to_owned(),
            missing: fit.missing.clone(),
            n_models: fit.pca.n_samples(),
        })
    }

    /// A basis rebuilt from its parts, checked as a fit would have made it:
    /// one value per benchmark everywhere, finite numbers, positive scales,
    /// orthonormal components (to [`ORTHONORMAL_TOL`]), k <= min(n_models,
    /// p), ratios in [0, 1], an imputation rank below min(n_models, p), a
    /// tolerance >= 0, 1 <= max_iter <= `max_iter_limit`, bounds lo < hi.
    pub fn from_parts(parts: BasisParts, max_iter_limit: usize) -> Result<Self, AnalysisError> {
        let BasisParts {
            benchmarks,
            mean,
            scale,
            components,
            explained_variance_ratio: ratio,
            missing,
            n_models,
            ..
        } = &parts;
        let n_models = *n_models;
        check_benchmarks(benchmarks)?;
        let p = benchmarks.len();
        if n_models < 2 {
            return Err(invalid(format!(
                "n_models must be at least 2 (a PCA needs two models), got {n_models}"
            )));
        }
        vector("mean", mean, p)?;
        if let Some(scale) = scale {
            vector("scale", scale, p)?;
            positive("scale", scale)?;
        }
        orthonormal_rows("components", components, p)?;
        let k = components.nrows();
        if k > n_models.min(p) {
            return Err(invalid(format!(
                "components has {k} rows, more than min(n_models, benchmarks) = {}",
                n_models.min(p)
            )));
        }
        if ratio.len() != k {
            return Err(invalid(format!(
                "explained_variance_ratio has {} values, but components has {k} rows",
                ratio.len()
            )));
        }
        finite("explained_variance_ratio", ratio)?;
        if let Some(i) = ratio.iter().position(|r| !(0.0..=1.0).contains(r)) {
            return Err(invalid(format!(
                "explained_variance_ratio[{i}] must lie in [0, 1], got {}",
                ratio[i]
            )));
        }
        let total: f64 = ratio.iter().sum();
        if total > 1.0 + RATIO_SUM_TOL {
            return Err(invalid(format!(
                "explained_variance_ratio sums to {total}, more than 1"
            )));
        }
        check_missing(missing, p, n_models, max_iter_limit)?;
        Ok(Self(parts))
    }

    /// What the basis is made of (what [`Basis::from_parts`] takes back).
    pub fn parts(&self) -> &BasisParts {
        &self.0
    }

    pub fn benchmarks(&self) -> &[String] {
        &self.0.benchmarks
    }

    pub fn n_components(&self) -> usize {
        self.0.components.nrows()
    }

    /// New models as a leaderboard on this basis's benchmarks: columns are
    /// matched by name in any order, columns the basis does not know are
    /// left out (and listed), and a basis benchmark the rows lack is a
    /// missing cell of every model.
    pub fn align(
        &self,
        models: Vec<String>,
        benchmarks: Vec<String>,
        rows: ScoreRows,
    ) -> Result<Aligned, AnalysisError> {
        let sent = BenchmarkMatrix::new(models, benchmarks, rows)?;
        let position: HashMap<&str, usize> = sent
            .benchmarks()
            .iter()
            .enumerate()
            .map(|(j, b)| (b.as_str(), j))
            .collect();
        let columns: Vec<Option<usize>> = self
            .benchmarks()
            .iter()
            .map(|b| position.get(b.as_str()).copied())
            .collect();
        let ignored = sent
            .benchmarks()
            .iter()
            .filter(|b| !self.benchmarks().contains(b))
            .cloned()
            .collect();
        let x = sent.scores();
        let p = self.benchmarks().len();
        let mut values = Vec::with_capacity(x.nrows() * p);
        for row in x.rows() {
            values.extend(columns.iter().map(|c| c.map_or(f64::NAN, |j| row[j])));
        }
        let rows = ScoreRows {
            values,
            row_lengths: vec![p; x.nrows()],
        };
        let matrix =
            BenchmarkMatrix::new(sent.models().to_vec(), self.benchmarks().to_vec(), rows)?;
        Ok(Aligned { matrix, ignored })
    }

    /// Completes `matrix` (on this basis's benchmarks, see [`Basis::align`])
    /// with the missing-score model held fixed and projects it: what a fit
    /// does with its supplementary models.
    pub fn place(&self, matrix: &BenchmarkMatrix) -> Result<Placement, AnalysisError> {
        let parts = &self.0;
        assert_eq!(
            matrix.benchmarks(),
            parts.benchmarks,
            "models are aligned to the basis first"
        );
        let completed = parts.missing.apply(matrix)?;
        let projections = project(
            completed.scores.view(),
            parts.mean.view(),
            None,
            parts.scale.as_ref().map(|s| s.view()),
            parts.components.view(),
        );
        Placement::checked(matrix, completed, projections)
    }
}

/// That the missing-score model of a basis is one a fit could have made.
fn check_missing(
    missing: &FittedMissing,
    p: usize,
    n_models: usize,
    max_iter_limit: usize,
) -> Result<(), AnalysisError> {
    match missing {
        FittedMissing::Reject | FittedMissing::DropModels => {}
        FittedMissing::Mean { mean } => vector("missing.mean", mean, p)?,
        FittedMissing::IterativePca(fitted) => {
            vector("missing.mean", &fitted.mean, p)?;
            vector("missing.scale", &fitted.std, p)?;
            positive("missing.scale", &fitted.std)?;
            vector("missing.center", &fitted.z_mean, p)?;
            orthonormal_rows("missing.components", &fitted.basis, p)?;
            let rank = fitted.basis.nrows();
            if rank >= n_models.min(p) {
                return Err(invalid(format!(
                    "missing.components has {rank} rows: the imputation rank must be below \
                     min(n_models, benchmarks) = {}",
                    n_models.min(p)
                )));
            }
            let IterativePcaParams {
                rank: stated,
                max_iter,
                tol,
                bounds,
            } = fitted.params.clone();
            // The rank is the basis's rows; a caller that states another
            // has built the model wrongly, whatever the numbers.
            if stated != rank {
                return Err(invalid(format!(
                    "missing.components has {rank} rows, but the imputation rank is {stated}"
                )));
            }
            if !(tol.is_finite() && tol >= 0.0) {
                return Err(invalid(format!(
                    "missing.tol must be a finite number >= 0, got {tol}"
                )));
            }
            if !(1..=max_iter_limit).contains(&max_iter) {
                return Err(invalid(format!(
                    "missing.max_iter must be between 1 and {max_iter_limit} (MAX_ITERATIONS), \
                     got {max_iter}"
                )));
            }
            if let Some((lo, hi)) = bounds
                && !(lo.is_finite() && hi.is_finite() && lo < hi)
            {
                return Err(invalid(format!(
                    "missing.bounds must be finite with lo < hi, got [{lo}, {hi}]"
                )));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use ndarray::{array, s};

    use super::*;
    use crate::analysis::pca::impute::MissingPolicy;
    use crate::analysis::{NComponents, ParamGuard, PcaParams};

    const NA: f64 = f64::NAN;

    fn matrix(models: &[&str], benchmarks: &[&str], rows: &[&[f64]]) -> BenchmarkMatrix {
        BenchmarkMatrix::new(
            models.iter().map(|s| s.to_string()).collect(),
            benchmarks.iter().map(|s| s.to_string()).collect(),
            ScoreRows {
                values: rows.iter().flat_map(|r| r.iter().copied()).collect(),
                row_lengths: rows.iter().map(|r| r.len()).collect(),
            },
        )
        .unwrap()
    }

    const BENCHMARKS: [&str; 4] = ["a", "b", "c", "d"];

    fn fitted(policy: &MissingPolicy, standardize: bool) -> (BenchmarkMatrix, PcaFit) {
        let m = matrix(
            &["m0", "m1", "m2", "m3", "m4", "m5"],
            &BENCHMARKS,
            &[
                &[0.1, 0.2, 0.15, 0.3],
                &[0.4, NA, 0.35, 0.5],
                &[0.6, 0.5, 0.55, 0.7],
                &[0.2, 0.3, 0.25, NA],
                &[0.9, 0.8, 0.7, 0.95],
                &[0.5, 0.45, 0.5, 0.4],
            ],
        );
        let params = PcaParams::new()
            .n_components(NComponents::Count(2))
            .standardize(standardize)
            .check()
            .unwrap();
        let fit = PcaFit::new(&m, &params, policy).unwrap();
        (m, fit)
    }

    fn others() -> BenchmarkMatrix {
        matrix(
            &["x", "y", "z"],
            &BENCHMARKS,
            &[
                &[0.3, NA, 0.2, 0.4],
                &[0.7, 0.6, 0.65, 0.8],
                &[NA, 0.1, NA, 0.2],
            ],
        )
    }

    fn policies() -> Vec<MissingPolicy> {
        vec![
            MissingPolicy::DropModels,
            MissingPolicy::Mean,
            MissingPolicy::IterativePca(IterativePcaParams {
                bounds: Some((0.0, 1.0)),
                ..Default::default()
            }),
        ]
    }

    #[test]
    fn a_rebuilt_basis_places_models_exactly_as_the_fit_does() {
        for policy in policies() {
            for standardize in [false, true] {
                let (m, fit) = fitted(&policy, standardize);
                let basis = Basis::of_fit(m.benchmarks(), &fit, SignConvention::PositiveSum);
                let rebuilt = Basis::from_parts(basis.parts().clone(), 1000).unwrap();
                let by_fit = fit.place(&others()).unwrap();
                let by_basis = rebuilt.place(&others()).unwrap();
                // The same numbers through the same code, but for the fit's
                // mean residual (what the f64 mean's rounding missed, about
                // 1e-17 here), which a basis does not carry.
                let gap = (&by_fit.projections - &by_basis.projections)
                    .iter()
                    .fold(0.0_f64, |worst, d| worst.max(d.abs()));
                assert!(
                    gap <= 1e-14,
                    "{policy:?}, standardize {standardize}: {gap:e}"
                );
                assert_eq!(by_fit.completed.imputed, by_basis.completed.imputed);
                assert_eq!(by_fit.completed.dropped, by_basis.completed.dropped);
            }
        }
    }

    #[test]
    fn a_row_is_placed_the_same_alone_or_among_others() {
        for policy in policies() {
            let (m, fit) = fitted(&policy, false);
            let basis = Basis::of_fit(m.benchmarks(), &fit, SignConvention::PositiveSum);
            let together = basis.place(&others()).unwrap();
            for (i, model) in ["x", "y", "z"].iter().enumerate() {
                let alone = basis.place(&others().select_rows(&[i])).unwrap();
                let Some(r) = together.completed.rows.iter().position(|&row| row == i) else {
                    assert_eq!(alone.completed.dropped, [0], "{model}");
                    continue;
                };
                assert_eq!(
                    alone.projections.row(0),
                    together.projections.row(r),
                    "{policy:?} {model}"
                );
            }
        }
    }

    #[test]
    fn columns_are_matched_by_name_and_unknown_ones_ignored() {
        let (m, fit) = fitted(&MissingPolicy::Mean, false);
        let basis = Basis::of_fit(m.benchmarks(), &fit, SignConvention::PositiveSum);
        let aligned = basis
            .align(
                vec!["x".into()],
                vec!["d".into(), "extra".into(), "b".into(), "a".into()],
                ScoreRows {
                    values: vec![0.4, 9.0, 0.25, 0.3],
                    row_lengths: vec![4],
                },
            )
            .unwrap();
        assert_eq!(aligned.ignored, ["extra"]);
        let x = aligned.matrix.scores();
        assert_eq!(x[[0, 0]], 0.3);
        assert_eq!(x[[0, 1]], 0.25);
        assert!(x[[0, 2]].is_nan(), "c was not sent: a missing cell");
        assert_eq!(x[[0, 3]], 0.4);
    }

    #[test]
    fn bad_parts_are_named() {
        let (m, fit) = fitted(
            &MissingPolicy::IterativePca(IterativePcaParams::default()),
            false,
        );
        let good = Basis::of_fit(m.benchmarks(), &fit, SignConvention::PositiveSum)
            .parts()
            .clone();
        let check = |edit: &dyn Fn(&mut BasisParts), needle: &str| {
            let mut parts = good.clone();
            edit(&mut parts);
            match Basis::from_parts(parts, 1000) {
                Err(AnalysisError::InvalidBasis(detail)) => {
                    assert!(detail.contains(needle), "{detail} lacks {needle}")
                }
                other => panic!("{needle}: {other:?}"),
            }
        };
        check(
            &|p| p.mean = p.mean.slice(s![..3]).to_owned(),
            "mean has 3 values",
        );
        check(
            &|p| {
                // Unit length, but leaning towards the first component.
                let row = &p.components.row(1) + &(0.1 * &p.components.row(0));
                let norm = row.dot(&row).sqrt();
                p.components.row_mut(1).assign(&(row / norm));
            },
            "not orthogonal",
        );
        check(&|p| p.components[[0, 0]] *= 1.01, "has length");
        check(&|p| p.mean[2] = NA, "mean[2] is not a finite number");
        check(&|p| p.scale = Some(array![1.0, 0.0, 1.0, 1.0]), "scale[1]");
        check(&|p| p.n_models = 1, "n_models");
        check(&|p| p.explained_variance_ratio[0] = 1.5, "[0, 1]");
        check(&|p| p.benchmarks[1] = "a".into(), "appears twice");
        if let FittedMissing::IterativePca(fitted) = &good.missing {
            assert_eq!(fitted.params.max_iter, 1000);
        }
        check(
            &|p| {
                if let FittedMissing::IterativePca(fitted) = &mut p.missing {
                    fitted.params.max_iter = 1001;
                }
            },
            "missing.max_iter",
        );
        check(
            &|p| {
                if let FittedMissing::IterativePca(fitted) = &mut p.missing {
                    fitted.params.tol = -1.0;
                }
            },
            "missing.tol",
        );
        // Components within the tolerance are accepted.
        let mut close = good.clone();
        close.components[[0, 0]] += 1e-12;
        assert!(Basis::from_parts(close, 1000).is_ok());
    }
}
