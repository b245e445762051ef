//! The paper's observational scaling law: a sigmoid of the PC scores, fitted
//! on weaker models and used to predict stronger ones. Missing cells and the
//! PCA are fitted on the training models only; every other model is
//! completed and projected with that fit held fixed, as the paper does.

use linfa::ParamGuard;
use ndarray::{Array1, Array2, ArrayView1};

use crate::analysis::matrix::BenchmarkMatrix;
use crate::analysis::numerics::moments;
use crate::analysis::numerics::regression::{LineFit, fit_line};
use crate::analysis::pca::fit::{PcaFit, Placement};
use crate::analysis::pca::impute::MissingPolicy;
use crate::analysis::scaling::metadata::{Families, LogCompute, Target};
use crate::analysis::scaling::sigmoid::{self, Loss, SigmoidLaw};
use crate::analysis::{AnalysisError, NComponents, PcaValidParams};

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

/// Checked options of a law fit (see [`LawParams`]).
#[derive(Debug, Clone)]
pub struct LawSpec {
    pub pca: PcaValidParams,
    pub missing: MissingPolicy,
    pub split: Split,
    pub loss: Loss,
    /// Upper bound of the floor, in [0, 1).
    pub floor_max: f64,
    /// Min-max normalisation of the target before fitting (lo < hi).
    pub target_range: Option<(f64, f64)>,
    pub reference_family: Option<String>,
}

impl LawSpec {
    /// A value of the normalised target in the target's own units.
    pub fn in_target_units(&self, y: f64) -> f64 {
        match self.target_range {
            Some((lo, hi)) => lo + (hi - lo) * y,
            None => y,
        }
    }

    /// log10 of the compute at or below which labelled models train, with
    /// a split by flops.
    pub fn log10_cutoff(&self) -> Option<f64> {
        match self.split {
            Split::Flops { max_train } => Some(max_train.log10()),
            _ => None,
        }
    }
}

/// Options of a law fit, unchecked; `check()` validates them once.
#[derive(Debug, Clone)]
pub struct LawParams(LawSpec);

impl LawParams {
    /// The paper's defaults: least squares, floor at most 0.2, every
    /// labelled model trains, no normalisation, no reference family.
    pub fn new(pca: PcaValidParams, missing: MissingPolicy) -> Self {
        Self(LawSpec {
            pca,
            missing,
            split: Split::None,
            loss: Loss::LeastSquares,
            floor_max: 0.2,
            target_range: None,
            reference_family: None,
        })
    }

    pub fn split(mut self, split: Split) -> Self {
        self.0.split = split;
        self
    }

    pub fn loss(mut self, loss: Loss) -> Self {
        self.0.loss = loss;
        self
    }

    pub fn floor_max(mut self, floor_max: f64) -> Self {
        self.0.floor_max = floor_max;
        self
    }

    pub fn target_range(mut self, range: Option<(f64, f64)>) -> Self {
        self.0.target_range = range;
        self
    }

    pub fn reference_family(mut self, family: Option<String>) -> Self {
        self.0.reference_family = family;
        self
    }
}

impl ParamGuard for LawParams {
    type Checked = LawSpec;
    type Error = AnalysisError;

    fn check_ref(&self) -> Result<&LawSpec, AnalysisError> {
        let spec = &self.0;
        if !(0.0..1.0).contains(&spec.floor_max) {
            return Err(AnalysisError::InvalidLaw(format!(
                "floor_max must be in [0, 1), got {}",
                spec.floor_max
            )));
        }
        if let Loss::Huber { delta } = spec.loss
            && (delta <= 0.0 || !delta.is_finite())
        {
            return Err(AnalysisError::InvalidLaw(format!(
                "huber_delta must be positive, got {delta}"
            )));
        }
        if let Some((lo, hi)) = spec.target_range
            && !(lo < hi && (hi - lo).is_finite())
        {
            return Err(AnalysisError::InvalidTarget(format!(
                "target_range must be [lo, hi] with lo < hi and hi - lo a finite number, got \
                 [{lo:?}, {hi:?}]"
            )));
        }
        Ok(spec)
    }

    fn check(self) -> Result<LawSpec, AnalysisError> {
        self.check_ref()?;
        Ok(self.0)
    }
}

/// capability = slope * log10(compute) + intercept within the reference family.
#[derive(Debug, Clone, Copy)]
pub struct ReferenceLine {
    pub n_models: usize,
    pub line: LineFit,
}

/// What the law says about one model.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ModelPrediction {
    /// Index into the leaderboard's models.
    pub model: usize,
    pub role: Role,
    pub observed: Option<f64>,
    /// In the target's own units.
    pub predicted: f64,
    /// w . s + c.
    pub capability: f64,
    /// With a reference family: log10 of its compute at the same capability.
    pub equivalent_log10_flops: Option<f64>,
}

/// Errors of the law, in the target's units.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LawMetrics {
    pub n_train: usize,
    /// The law's free parameters: a weight per component, the intercept,
    /// and the floor unless `floor_max` pins it at 0. With as many training
    /// models or fewer, the law can pass through each of them, so
    /// `train_mse` says nothing of how well it fits.
    pub n_parameters: usize,
    pub n_test: usize,
    pub train_mse: f64,
    pub test_mse: Option<f64>,
    pub test_mae: Option<f64>,
}

/// A fitted law and what it says about every model.
#[derive(Debug, Clone)]
pub struct LawFit {
    pub law: SigmoidLaw,
    /// The training models, as a leaderboard of their own.
    pub train_matrix: BenchmarkMatrix,
    /// Completion and PCA of the training models (indices into `train_matrix`).
    pub train: PcaFit,
    /// The other models completed and projected with the training fit held
    /// fixed (indices into `other_rows`).
    pub others: Placement,
    pub other_rows: Vec<usize>,
    /// Every model that was not dropped, in leaderboard order.
    pub predictions: Vec<ModelPrediction>,
    pub metrics: LawMetrics,
    pub reference: Option<ReferenceLine>,
}

fn roles(
    target: &[Option<f64>],
    log10_compute: Option<&LogCompute>,
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
                if *role == Role::Train && !compute.values()[i].is_some_and(|c| c <= cutoff) {
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

/// The law's y is (1 - floor) sigmoid + floor, a fraction: a target must be
/// one ([0, 1]) unless `target_range` [lo, hi] says its units, and then lie
/// in [min(lo, 0), hi] (below lo only as a score below chance, which a
/// fraction-like target can be; never above the law's ceiling hi). A target
/// times 10 or negated is refused here rather than fitted into nonsense.
fn check_target_range(
    target: &[Option<f64>],
    matrix: &BenchmarkMatrix,
    range: Option<(f64, f64)>,
) -> Result<(), AnalysisError> {
    let (lo, hi) = match range {
        None => (0.0, 1.0),
        Some((lo, hi)) => (lo.min(0.0), hi),
    };
    let Some(i) = target
        .iter()
        .position(|v| v.is_some_and(|v| !(lo..=hi).contains(&v)))
    else {
        return Ok(());
    };
    let value = target[i].expect("found as a value");
    let model = &matrix.models()[i];
    Err(AnalysisError::InvalidTarget(match range {
        None => format!(
            "the target of model '{model}' is {value:?}, outside [0, 1]: the law predicts a \
             fraction, (1 - floor) sigmoid(capability) + floor; for a target in other units, \
             give target_range [lo, hi]"
        ),
        Some((range_lo, range_hi)) => format!(
            "the target of model '{model}' is {value:?}, outside [{lo:?}, {hi:?}]: with \
             target_range [{range_lo:?}, {range_hi:?}] a target lies at most at hi (the law's ceiling) and at \
             least at the lower of lo and 0 (a score below chance)"
        ),
    }))
}

/// Fits the law as the paper does: missing cells and PCA on the training
/// rows only, the other rows completed and projected with that fit held
/// fixed, the sigmoid fitted on the training rows' PC scores. Then predicts
/// every model and measures the errors.
pub fn fit_law(
    matrix: &BenchmarkMatrix,
    target: &Target,
    log10_compute: Option<&LogCompute>,
    families: Option<&Families>,
    spec: &LawSpec,
) -> Result<LawFit, AnalysisError> {
    let target = target.values();
    check_target_range(target, matrix, spec.target_range)?;
    let roles = roles(target, log10_compute, spec.split)?;
    let train_rows: Vec<usize> = (0..roles.len())
        .filter(|&i| roles[i] == Role::Train)
        .collect();
    let other_rows: Vec<usize> = (0..roles.len())
        .filter(|&i| roles[i] != Role::Train)
        .collect();
    let k_hint = match spec.pca.n_components() {
        NComponents::Count(k) => k,
        _ => 1,
    };
    let needed = (k_hint + 2).max(2);
    if train_rows.len() < needed {
        return Err(AnalysisError::TooFewTrainingModels {
            n_train: train_rows.len(),
            needed,
        });
    }

    let train_matrix = matrix.select_rows(&train_rows);
    let train = PcaFit::new(&train_matrix, &spec.pca, &spec.missing)?;
    let k = train.pca.n_components();
    let kept_train: Vec<usize> = train
        .completed
        .rows
        .iter()
        .map(|&r| train_rows[r])
        .collect();
    if kept_train.len() < k + 2 {
        return Err(AnalysisError::TooFewTrainingModels {
            n_train: kept_train.len(),
            needed: k + 2,
        });
    }
    let others = train.place(&matrix.select_rows(&other_rows))?;

    // PC scores per model on the training basis; None for dropped models.
    let mut scores: Vec<Option<Array1<f64>>> = vec![None; roles.len()];
    for (completed, projected, rows) in [
        (&train.completed, &train.projections, &train_rows),
        (&others.completed, &others.projections, &other_rows),
    ] {
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
    let (_, spread) = moments::of_values(y_train.as_slice().expect("a fresh array"));
    if spread.constant {
        return Err(AnalysisError::InvalidTarget(format!(
            "the target is {:?} for every one of the {} training models (constant up to \
             rounding): a sigmoid of the PC scores needs a target that varies to fit its weights",
            spec.in_target_units(y_train[0]),
            kept_train.len()
        )));
    }
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
    let (predictions, metrics) = predict(&law, &scores, &roles, target, spec, reference);
    Ok(LawFit {
        law,
        train_matrix,
        train,
        others,
        other_rows,
        predictions,
        metrics,
        reference,
    })
}

/// One law per target, each fitted exactly as [`fit_law`] fits it alone:
/// on its own labelled models, and so on its own PCA where its labels differ.
pub fn fit_laws(
    matrix: &BenchmarkMatrix,
    targets: &[Target],
    log10_compute: Option<&LogCompute>,
    families: Option<&Families>,
    spec: &LawSpec,
) -> Result<Vec<LawFit>, AnalysisError> {
    targets
        .iter()
        .map(|target| {
            fit_law(matrix, target, log10_compute, families, spec).map_err(|error| {
                AnalysisError::ForTarget {
                    target: target.name().to_owned(),
                    error: Box::new(error),
                }
            })
        })
        .collect()
}

/// Every projected model's prediction, and the errors on the labelled ones.
fn predict(
    law: &SigmoidLaw,
    scores: &[Option<Array1<f64>>],
    roles: &[Role],
    target: &[Option<f64>],
    spec: &LawSpec,
    reference: Option<ReferenceLine>,
) -> (Vec<ModelPrediction>, LawMetrics) {
    let mut predictions = Vec::new();
    let (mut train_se, mut test_se, mut test_ae) = (vec![], vec![], vec![]);
    for (i, s) in scores.iter().enumerate() {
        let Some(s) = s else { continue };
        let Predicted {
            capability,
            predicted,
            equivalent_log10_flops,
        } = predict_scores(law, spec.target_range, reference.map(|r| r.line), s.view());
        let observed = target[i];
        if let Some(y) = observed {
            match roles[i] {
                Role::Train => train_se.push((predicted - y).powi(2)),
                Role::Test => {
                    test_se.push((predicted - y).powi(2));
                    test_ae.push((predicted - y).abs());
                }
                Role::Unlabeled => {}
            }
        }
        predictions.push(ModelPrediction {
            model: i,
            role: roles[i],
            observed,
            predicted,
            capability,
            equivalent_log10_flops,
        });
    }
    let mean = |v: &[f64]| (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64);
    let metrics = LawMetrics {
        n_train: train_se.len(),
        n_parameters: law.weights.len() + 1 + usize::from(spec.floor_max > 0.0),
        n_test: test_se.len(),
        train_mse: mean(&train_se).unwrap_or(0.0),
        test_mse: mean(&test_se),
        test_mae: mean(&test_ae),
    };
    (predictions, metrics)
}

/// What a law says of one model, from its PC scores `s`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Predicted {
    /// w . s + c.
    pub capability: f64,
    /// In the target's own units (denormalised from `target_range`).
    pub predicted: f64,
    /// With a reference line: log10 of its compute at the same capability.
    pub equivalent_log10_flops: Option<f64>,
}

/// The law's prediction for PC scores `s`: the fit's own predictions and a
/// law basis's (`analysis::scaling::basis`) go through here, so they agree to the bit.
pub fn predict_scores(
    law: &SigmoidLaw,
    target_range: Option<(f64, f64)>,
    reference: Option<LineFit>,
    s: ArrayView1<'_, f64>,
) -> Predicted {
    let capability = law.capability(s);
    let y = law.predict(s);
    let predicted = match target_range {
        Some((lo, hi)) => lo + (hi - lo) * y,
        None => y,
    };
    Predicted {
        capability,
        predicted,
        equivalent_log10_flops: reference.map(|line| (capability - line.intercept) / line.slope),
    }
}

fn reference_line(
    family: &str,
    law: &SigmoidLaw,
    scores: &[Option<Array1<f64>>],
    log10_compute: Option<&LogCompute>,
    families: Option<&Families>,
) -> Result<ReferenceLine, AnalysisError> {
    let invalid = |msg: String| AnalysisError::InvalidReferenceFamily(msg);
    let (Some(compute), Some(families)) = (log10_compute, families) else {
        return Err(invalid(
            "reference_family needs families and flops (or params and tokens)".into(),
        ));
    };
    let compute = compute.values();
    let rows: Vec<usize> = (0..scores.len())
        .filter(|&i| families.of(i) == Some(family) && compute[i].is_some() && scores[i].is_some())
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
        Some(line) if line.slope != 0.0 && line.slope.is_finite() => Ok(ReferenceLine {
            n_models: rows.len(),
            line,
        }),
        // The family's compute varies, but the law's capability does not
        // along it: no compute is equivalent to a capability.
        Some(_) => Err(invalid(format!(
            "the law's capability is the same for every model of reference family '{family}' \
             ({} models of different compute): its line has no slope, so no compute is \
             equivalent to a capability",
            rows.len()
        ))),
        None => Err(invalid(format!(
            "reference family '{family}' needs at least two models of different known compute \
             (it has {} with known compute)",
            rows.len()
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::matrix::ScoreRows;

    #[test]
    fn splits_follow_the_paper() {
        let target = [Some(0.1), Some(0.5), None, Some(0.9), Some(0.3)];
        let matrix = BenchmarkMatrix::new(
            (0..5).map(|i| format!("m{i}")).collect(),
            vec!["b".into()],
            ScoreRows {
                values: vec![0.0; 5],
                row_lengths: vec![1; 5],
            },
        )
        .unwrap();
        let compute = LogCompute::new(
            crate::analysis::scaling::metadata::Compute::Flops(vec![
                Some(10.0),
                Some(100.0),
                Some(10.0),
                None,
                Some(1000.0),
            ]),
            &matrix,
        )
        .unwrap();
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

    #[test]
    fn a_target_is_a_fraction_unless_its_range_is_stated() {
        let matrix = BenchmarkMatrix::new(
            (0..3).map(|i| format!("m{i}")).collect(),
            vec!["b".into()],
            ScoreRows {
                values: vec![0.0; 3],
                row_lengths: vec![1; 3],
            },
        )
        .unwrap();
        let check = |target: &[Option<f64>], range| check_target_range(target, &matrix, range);
        assert!(check(&[Some(0.0), None, Some(1.0)], None).is_ok());
        let err = check(&[Some(0.2), Some(4.0), None], None).unwrap_err();
        assert!(
            err.to_string()
                .contains("model 'm1' is 4.0, outside [0, 1]"),
            "{err}"
        );
        assert!(check(&[Some(-0.1), None, None], None).is_err());
        // With a range: up to hi, down to below chance but not below 0.
        let range = Some((0.25, 1.0));
        assert!(check(&[Some(0.2), Some(1.0), None], range).is_ok());
        assert!(check(&[Some(-0.01), None, None], range).is_err());
        assert!(check(&[Some(1.5), None, None], range).is_err());
        assert!(check(&[Some(-8.0), Some(-1.0)], Some((-10.0, -1.0))).is_ok());
    }

    #[test]
    fn options_are_checked_once() {
        let params = || {
            LawParams::new(
                PcaValidParams::unchecked(NComponents::Count(1), false),
                MissingPolicy::Reject,
            )
        };
        assert!(params().check().is_ok());
        assert!(matches!(
            params().floor_max(1.0).check(),
            Err(AnalysisError::InvalidLaw(_))
        ));
        assert!(matches!(
            params().loss(Loss::Huber { delta: 0.0 }).check(),
            Err(AnalysisError::InvalidLaw(_))
        ));
        assert!(matches!(
            params().target_range(Some((1.0, 0.0))).check(),
            Err(AnalysisError::InvalidTarget(_))
        ));
    }
}
