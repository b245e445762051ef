//! The paper's analyses on top of the PCA: how each family's capabilities
//! grow with compute, and sigmoid scaling laws fitted on weaker models that
//! predict stronger ones.

use linfa::DatasetBase;
use linfa::traits::Fit;
use ndarray::{Array1, Array2};

use super::impute::{self, CompletedScores, MissingPolicy};
use super::matrix::BenchmarkMatrix;
use super::regression::{LineFit, fit_line};
use super::sigmoid::{self, Loss, SigmoidLaw};
use super::{AnalysisError, Pca, PcaValidParams};

/// One family's fits of each PC score on log10(compute).
#[derive(Debug, Clone)]
pub struct FamilyFit {
    pub family: String,
    /// Rows (into the analysed models) of the family's models with known compute.
    pub rows: Vec<usize>,
    /// One line per component.
    pub fits: Vec<LineFit>,
}

/// A family with enough models but no defined slope (all at one compute).
#[derive(Debug, Clone)]
pub struct ExcludedFamily {
    pub family: String,
    pub n_models: usize,
    pub reason: &'static str,
}

/// Families in order of first appearance, each with its rows.
fn group(families: &[String]) -> Vec<(String, Vec<usize>)> {
    let mut groups: Vec<(String, Vec<usize>)> = Vec::new();
    for (i, family) in families.iter().enumerate() {
        match groups.iter_mut().find(|(f, _)| f == family) {
            Some((_, rows)) => rows.push(i),
            None => groups.push((family.clone(), vec![i])),
        }
    }
    groups
}

/// For every family with at least `min_family_size` models of known compute,
/// the OLS line of each component's scores on log10(compute).
pub fn compute_fits(
    projections: &Array2<f64>,
    families: &[String],
    log10_compute: &[Option<f64>],
    min_family_size: usize,
) -> (Vec<FamilyFit>, Vec<ExcludedFamily>) {
    let mut fitted = Vec::new();
    let mut excluded = Vec::new();
    for (family, rows) in group(families) {
        let rows: Vec<usize> = rows
            .into_iter()
            .filter(|&i| log10_compute[i].is_some())
            .collect();
        if rows.len() < min_family_size {
            if !rows.is_empty() {
                excluded.push(ExcludedFamily {
                    family,
                    n_models: rows.len(),
                    reason: "fewer models with known compute than min_family_size",
                });
            }
            continue;
        }
        let x: Vec<f64> = rows
            .iter()
            .map(|&i| log10_compute[i].expect("filtered"))
            .collect();
        let fits: Option<Vec<LineFit>> = projections
            .columns()
            .into_iter()
            .map(|column| {
                let y: Vec<f64> = rows.iter().map(|&i| column[i]).collect();
                fit_line(&x, &y)
            })
            .collect();
        match fits {
            Some(fits) => fitted.push(FamilyFit { family, rows, fits }),
            None => excluded.push(ExcludedFamily {
                family,
                n_models: rows.len(),
                reason: "every model of the family has the same compute",
            }),
        }
    }
    (fitted, excluded)
}

/// The mean R^2 of each component over the fitted families (families whose
/// scores are constant, with no R^2, are left out of the mean).
pub fn mean_r2(fits: &[FamilyFit], n_components: usize) -> Vec<Option<f64>> {
    (0..n_components)
        .map(|c| {
            let r2: Vec<f64> = fits.iter().filter_map(|f| f.fits[c].r2).collect();
            (!r2.is_empty()).then(|| r2.iter().sum::<f64>() / r2.len() as f64)
        })
        .collect()
}

/// Which models train the law.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Split {
    /// Every labelled model.
    None,
    /// Labelled models with known compute at or below the cutoff; every other
    /// labelled model (above it, or of unknown compute) is held out.
    Flops { max_train: f64 },
    /// The top `test_fraction` of labelled models by target (rounded up, at
    /// least one, ties broken by request order) are held out.
    TargetRank { test_fraction: f64 },
}

/// A model's part in the fit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Train,
    Test,
    Unlabeled,
}

/// Everything a scaling-law fit needs besides the data.
#[derive(Debug, Clone)]
pub struct LawSpec {
    pub pca: PcaValidParams,
    pub missing: MissingPolicy,
    pub split: Split,
    pub loss: Loss,
    pub floor_max: f64,
    /// Min-max normalisation of the target before fitting.
    pub target_range: Option<(f64, f64)>,
    pub reference_family: Option<String>,
}

/// capability = slope * log10(compute) + intercept within the reference family.
#[derive(Debug, Clone, Copy)]
pub struct ReferenceLine {
    pub n_models: usize,
    pub line: LineFit,
}

/// A fitted law and what it says about every model.
#[derive(Debug, Clone)]
pub struct LawResult {
    pub law: SigmoidLaw,
    /// The PCA fitted on the training rows.
    pub pca: Pca,
    /// The training rows' completion (imputed cells, dropped rows), as indices into `train_rows`.
    pub train: CompletedScores,
    pub train_rows: Vec<usize>,
    /// The other rows' completion with the training fit held fixed, indices into `other_rows`.
    pub other: CompletedScores,
    pub other_rows: Vec<usize>,
    pub roles: Vec<Role>,
    /// Per model (None when dropped for missing cells): PC scores on the training basis.
    pub scores: Vec<Option<Array1<f64>>>,
    pub reference: Option<ReferenceLine>,
}

fn roles(
    target: &[Option<f64>],
    log10_compute: Option<&[Option<f64>]>,
    split: Split,
) -> Result<Vec<Role>, AnalysisError> {
    let labelled = |i: usize| target[i].is_some();
    let mut roles: Vec<Role> = (0..target.len())
        .map(|i| {
            if labelled(i) {
                Role::Train
            } else {
                Role::Unlabeled
            }
        })
        .collect();
    match split {
        Split::None => {}
        Split::Flops { max_train } => {
            let compute = log10_compute.ok_or_else(|| {
                AnalysisError::InvalidSplit(
                    "a split by flops needs flops (or params and tokens)".into(),
                )
            })?;
            if !(max_train > 0.0 && max_train.is_finite()) {
                return Err(AnalysisError::InvalidSplit(format!(
                    "max_train_flops must be a positive number, got {max_train}"
                )));
            }
            let cutoff = max_train.log10();
            for (i, role) in roles.iter_mut().enumerate() {
                if *role == Role::Train && !compute[i].is_some_and(|c| c <= cutoff) {
                    *role = Role::Test;
                }
            }
        }
        Split::TargetRank { test_fraction } => {
            if !(test_fraction > 0.0 && test_fraction < 1.0) {
                return Err(AnalysisError::InvalidSplit(format!(
                    "test_fraction must lie strictly between 0 and 1, got {test_fraction}"
                )));
            }
            let mut ranked: Vec<usize> = (0..target.len()).filter(|&i| labelled(i)).collect();
            // Stable: equal targets keep request order.
            ranked.sort_by(|&a, &b| target[b].unwrap().total_cmp(&target[a].unwrap()));
            let n_test = ((test_fraction * ranked.len() as f64).ceil() as usize).max(1);
            for &i in ranked.iter().take(n_test) {
                roles[i] = Role::Test;
            }
        }
    }
    Ok(roles)
}

/// Fits a sigmoid scaling law as the paper does: missing cells and PCA are
/// fitted on the training rows only; the other rows are completed and
/// projected with that fit held fixed; the law is fitted on the training
/// rows' PC scores.
pub fn fit_law(
    matrix: &BenchmarkMatrix,
    target: &[Option<f64>],
    log10_compute: Option<&[Option<f64>]>,
    families: Option<&[String]>,
    spec: &LawSpec,
) -> Result<LawResult, AnalysisError> {
    let roles = roles(target, log10_compute, spec.split)?;
    let train_rows: Vec<usize> = (0..roles.len())
        .filter(|&i| roles[i] == Role::Train)
        .collect();
    let other_rows: Vec<usize> = (0..roles.len())
        .filter(|&i| roles[i] != Role::Train)
        .collect();
    let k_hint = match spec.pca.n_components() {
        super::NComponents::Count(k) => k,
        _ => 1,
    };
    let needed = k_hint + 2;
    if train_rows.len() < needed.max(2) {
        return Err(AnalysisError::TooFewTrainingModels {
            n_train: train_rows.len(),
            needed: needed.max(2),
        });
    }

    let train_matrix = matrix.select_rows(&train_rows);
    let (train, fitted_missing) = impute::complete(&train_matrix, &spec.missing)?;
    let pca = spec.pca.fit(&DatasetBase::new(train.scores.view(), ()))?;
    let k = pca.n_components();
    let kept_train: Vec<usize> = train.rows.iter().map(|&r| train_rows[r]).collect();
    if kept_train.len() < k + 2 {
        return Err(AnalysisError::TooFewTrainingModels {
            n_train: kept_train.len(),
            needed: k + 2,
        });
    }
    let other = fitted_missing.apply(&matrix.select_rows(&other_rows))?;

    let mut scores: Vec<Option<Array1<f64>>> = vec![None; roles.len()];
    for (completed, rows) in [(&train, &train_rows), (&other, &other_rows)] {
        let projected = pca.transform(completed.scores.view());
        for (r, row) in completed.rows.iter().zip(projected.rows()) {
            scores[rows[*r]] = Some(row.to_owned());
        }
    }

    let normalise = |y: f64| match spec.target_range {
        Some((lo, hi)) => (y - lo) / (hi - lo),
        None => y,
    };
    let s_train = Array2::from_shape_fn((kept_train.len(), k), |(r, c)| {
        scores[kept_train[r]]
            .as_ref()
            .expect("kept rows are projected")[c]
    });
    let y_train = Array1::from_iter(
        kept_train
            .iter()
            .map(|&i| normalise(target[i].expect("train rows are labelled"))),
    );
    let law = sigmoid::fit(s_train.view(), y_train.view(), spec.floor_max, spec.loss)?;

    let reference = match &spec.reference_family {
        None => None,
        Some(family) => Some(reference_line(
            family,
            &law,
            &scores,
            log10_compute,
            families,
        )?),
    };
    Ok(LawResult {
        law,
        pca,
        train,
        train_rows,
        other,
        other_rows,
        roles,
        scores,
        reference,
    })
}

fn reference_line(
    family: &str,
    law: &SigmoidLaw,
    scores: &[Option<Array1<f64>>],
    log10_compute: Option<&[Option<f64>]>,
    families: Option<&[String]>,
) -> Result<ReferenceLine, AnalysisError> {
    let invalid = |msg: String| AnalysisError::InvalidReferenceFamily(msg);
    let (Some(compute), Some(families)) = (log10_compute, families) else {
        return Err(invalid(
            "reference_family needs families and flops (or params and tokens)".into(),
        ));
    };
    let rows: Vec<usize> = (0..families.len())
        .filter(|&i| families[i] == family && compute[i].is_some() && scores[i].is_some())
        .collect();
    let x: Vec<f64> = rows
        .iter()
        .map(|&i| compute[i].expect("filtered"))
        .collect();
    let y: Vec<f64> = rows
        .iter()
        .map(|&i| law.capability(scores[i].as_ref().expect("filtered").view()))
        .collect();
    match fit_line(&x, &y) {
        Some(line) if line.slope != 0.0 => Ok(ReferenceLine {
            n_models: rows.len(),
            line,
        }),
        _ => Err(invalid(format!(
            "reference family '{family}' needs at least two models of different known compute \
             (it has {} with known compute)",
            rows.len()
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn families_group_in_order_of_first_appearance() {
        let families: Vec<String> = ["b", "a", "b", "c"].iter().map(|s| s.to_string()).collect();
        assert_eq!(
            group(&families),
            vec![
                ("b".to_string(), vec![0, 2]),
                ("a".to_string(), vec![1]),
                ("c".to_string(), vec![3])
            ]
        );
    }

    #[test]
    fn compute_fits_skip_small_and_degenerate_families() {
        let projections = Array2::from_shape_vec((5, 1), vec![1.0, 2.0, 3.0, 5.0, 5.0]).unwrap();
        let families: Vec<String> = ["a", "a", "a", "b", "b"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let compute = [Some(0.0), Some(1.0), Some(2.0), Some(1.0), Some(1.0)];
        let (fits, excluded) = compute_fits(&projections, &families, &compute, 2);
        assert_eq!(fits.len(), 1);
        assert!((fits[0].fits[0].slope - 1.0).abs() < 1e-12);
        assert_eq!(excluded[0].family, "b");
        assert_eq!(mean_r2(&fits, 1), vec![Some(1.0)]);
    }

    #[test]
    fn splits_follow_the_paper() {
        let target = [Some(0.1), Some(0.5), None, Some(0.9), Some(0.3)];
        let compute = [Some(1.0), Some(2.0), Some(1.0), None, Some(3.0)];
        let by_flops = roles(&target, Some(&compute), Split::Flops { max_train: 100.0 }).unwrap();
        assert_eq!(
            by_flops,
            [
                Role::Train,
                Role::Train,
                Role::Unlabeled,
                Role::Test,
                Role::Test
            ]
        );
        let by_rank = roles(&target, None, Split::TargetRank { test_fraction: 0.3 }).unwrap();
        // ceil(0.3 * 4) = 2 held out: the two highest targets.
        assert_eq!(
            by_rank,
            [
                Role::Train,
                Role::Test,
                Role::Unlabeled,
                Role::Test,
                Role::Train
            ]
        );
        assert!(roles(&target, None, Split::Flops { max_train: 1.0 }).is_err());
    }
}
