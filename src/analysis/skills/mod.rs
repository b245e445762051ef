//! The skills scaling law of *Sloth* (Maia Polo et al., ICML 2025): a few
//! latent skills per model, linear in log parameters and log training
//! tokens plus a per-family efficiency, read by every benchmark through a
//! monotone link. It predicts a new family's larger models from its smallest
//! one.
//!
//! z_i = A x_i + E[family_i], x_i = [ln S, ln T, ln S ln T] (S = parameters
//! in billions, T = training tokens in trillions; each column standardised
//! over the fitted models); benchmark j reads eta_ij = W_j . z_i + b_j and
//! scores y_ij = c_j + (1 - c_j) g_j(eta_ij), with c_j a fixed chance floor.
//!
//! The fit is penalised least squares by Levenberg-Marquardt, in two stages
//! (a sigmoid link first, then the monotone `asym` link from there), and the
//! default `Monotone` link blends that parametric link half and half with an
//! isotonic regression of each benchmark on the fitted eta of the training
//! models. [`evaluate`] runs the paper's leave-family-group-out protocol and
//! [`baselines`] the paper's two reference methods on the same splits.

pub mod baselines;
pub mod basis;
pub mod evaluate;
pub mod isotonic;
mod leaderboard;
pub mod link;
pub mod lm;
mod model;

use linfa::ParamGuard;
use ndarray::Array2;

use super::AnalysisError;
pub use basis::{NewModel, SkillsBasis, SkillsBasisParts, SkillsPlacement};
pub use evaluate::{BaselineScores, GroupResult, ProtocolScores, SkillsEvaluation, evaluate};
pub use isotonic::Isotonic;
pub use link::LinkKind;

/// The number of skills when none is asked for: 4 (or J - 1 with fewer than
/// five benchmarks, and at least 1). Chosen by leave-one-family-out on the
/// Open LLM Leaderboard v2 training families (the protocol's non-test
/// families, each in turn reduced to its smallest model): 4 skills had the
/// lowest error there (3.33 pp against 3.73 for 2 and 3.41 for 3).
pub const DEFAULT_SKILLS: usize = 4;

/// How the skills reach the scores.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Link {
    /// g = sigmoid(eta): the paper's simple link, one stage, no isotonic part.
    Sigmoid,
    /// The monotone `asym` link sigmoid(psi_j) sigmoid(eta)^exp(kappa_j)
    /// (a ceiling and an asymmetric bend per benchmark), averaged half and
    /// half with an isotonic regression of the benchmark on eta.
    #[default]
    Monotone,
}

/// One model of the leaderboard.
#[derive(Debug, Clone, PartialEq)]
pub struct SkillsModel {
    pub name: String,
    /// Parameters, in billions (> 0).
    pub params: f64,
    /// Training tokens, in trillions (> 0).
    pub tokens: f64,
    pub family: String,
    /// One score per benchmark, as a fraction; `None` = not evaluated.
    pub scores: Vec<Option<f64>>,
}

/// A checked leaderboard for the skills law: positive finite parameters and
/// tokens, one finite score or `None` per benchmark, floors in [0, 1).
#[derive(Debug, Clone, PartialEq)]
pub struct SkillsData {
    benchmarks: Vec<String>,
    floors: Vec<f64>,
    models: Vec<SkillsModel>,
}

fn invalid(message: String) -> AnalysisError {
    AnalysisError::InvalidSkills(message)
}

impl SkillsData {
    pub fn new(
        benchmarks: Vec<String>,
        floors: Vec<f64>,
        models: Vec<SkillsModel>,
    ) -> Result<SkillsData, AnalysisError> {
        if benchmarks.is_empty() {
            return Err(AnalysisError::NoBenchmarks);
        }
        if floors.len() != benchmarks.len() {
            return Err(AnalysisError::ShapeMismatch {
                what: "floors".into(),
                got: floors.len(),
                unit: "values",
                expected: benchmarks.len(),
                expected_from: "benchmarks",
            });
        }
        for (b, &c) in benchmarks.iter().zip(&floors) {
            if !(0.0..1.0).contains(&c) {
                return Err(invalid(format!(
                    "the floor of benchmark '{b}' must be in [0, 1), got {c}"
                )));
            }
        }
        if models.is_empty() {
            return Err(invalid("the leaderboard has no models".into()));
        }
        for m in &models {
            for (what, v) in [("params", m.params), ("tokens", m.tokens)] {
                if !(v > 0.0 && v.is_finite()) {
                    return Err(invalid(format!(
                        "model '{}' has {what} {v}; it must be a positive number",
                        m.name
                    )));
                }
            }
            if m.scores.len() != benchmarks.len() {
                return Err(AnalysisError::ShapeMismatch {
                    what: format!("the scores of model '{}'", m.name),
                    got: m.scores.len(),
                    unit: "values",
                    expected: benchmarks.len(),
                    expected_from: "benchmarks",
                });
            }
            for (b, s) in benchmarks.iter().zip(&m.scores) {
                if let Some(v) = s
                    && !v.is_finite()
                {
                    return Err(AnalysisError::NonFiniteScore {
                        model: m.name.clone(),
                        benchmark: b.clone(),
                    });
                }
                // The law reads a score as a fraction of the benchmark
                // (y = c + (1 - c) g in [0, 1]); a percentage would be
                // fitted as nonsense rather than refused.
                if let Some(v) = s
                    && !(0.0..=1.0).contains(v)
                {
                    return Err(invalid(format!(
                        "model '{}' scores {v} on benchmark '{b}'; the skills law reads \
                         scores as fractions in [0, 1]",
                        m.name
                    )));
                }
            }
        }
        // y = c + (1 - c) g with g in (0, 1): a floor at or above every
        // score of its benchmark puts every prediction above every score,
        // and the fit would answer the floor's neighbourhood for every model.
        for (j, (b, &c)) in benchmarks.iter().zip(&floors).enumerate() {
            let highest = models
                .iter()
                .filter_map(|m| m.scores[j])
                .fold(None, |top: Option<f64>, v| {
                    Some(top.map_or(v, |t| t.max(v)))
                });
            if let Some(highest) = highest
                && c >= highest
            {
                return Err(invalid(format!(
                    "the floor of benchmark '{b}' is {c}, at or above its highest score, \
                     {highest}: the law reads a score as floor + (1 - floor) g with g in (0, 1), \
                     so a benchmark's floor (its chance level) must lie below its scores"
                )));
            }
        }
        Ok(SkillsData {
            benchmarks,
            floors,
            models,
        })
    }

    pub fn benchmarks(&self) -> &[String] {
        &self.benchmarks
    }

    pub fn floors(&self) -> &[f64] {
        &self.floors
    }

    pub fn models(&self) -> &[SkillsModel] {
        &self.models
    }

    /// The same leaderboard with every score of the marked models removed
    /// (they are then predicted, not fitted).
    pub fn without_scores(&self, hide: &[bool]) -> SkillsData {
        let mut out = self.clone();
        for (m, &h) in out.models.iter_mut().zip(hide) {
            if h {
                m.scores.iter_mut().for_each(|s| *s = None);
            }
        }
        out
    }

    /// Whether a model has at least one score (and so is fitted).
    pub fn is_scored(&self, i: usize) -> bool {
        self.models[i].scores.iter().any(Option::is_some)
    }

    /// The family names in order of first appearance in the input, and each
    /// model's index into them (so no fit depends on hashing or sorting).
    pub fn family_index(&self) -> (Vec<String>, Vec<usize>) {
        let mut names: Vec<String> = Vec::new();
        let index = self
            .models
            .iter()
            .map(|m| match names.iter().position(|f| *f == m.family) {
                Some(k) => k,
                None => {
                    names.push(m.family.clone());
                    names.len() - 1
                }
            })
            .collect();
        (names, index)
    }
}

/// A model's size that a law reads: its parameters or its training tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Size {
    Params,
    Tokens,
}

/// The parameters (billions) and training tokens (trillions) of the models a
/// law was fitted on, smallest and largest: where its skills are
/// interpolated rather than extrapolated.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FittedRange {
    pub params: (f64, f64),
    pub tokens: (f64, f64),
}

/// A size of a predicted model outside the fitted range.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OutsideRange {
    pub size: Size,
    /// The model's value.
    pub value: f64,
    /// The fitted models' smallest and largest values.
    pub range: (f64, f64),
}

impl FittedRange {
    /// The range of the given models' sizes (at least one).
    pub fn of<'m>(models: impl IntoIterator<Item = &'m SkillsModel>) -> Self {
        let widen = |(lo, hi): (f64, f64), v: f64| (lo.min(v), hi.max(v));
        let empty = (f64::INFINITY, f64::NEG_INFINITY);
        let (params, tokens) = models.into_iter().fold((empty, empty), |(p, t), m| {
            (widen(p, m.params), widen(t, m.tokens))
        });
        FittedRange { params, tokens }
    }

    /// The sizes of a model with `params` and `tokens` that lie outside,
    /// params first; empty inside.
    pub fn outside(&self, params: f64, tokens: f64) -> Vec<OutsideRange> {
        [
            (Size::Params, params, self.params),
            (Size::Tokens, tokens, self.tokens),
        ]
        .into_iter()
        .filter(|&(_, value, (lo, hi))| !(lo..=hi).contains(&value))
        .map(|(size, value, range)| OutsideRange { size, value, range })
        .collect()
    }
}

/// Checked options of a skills fit (see [`SkillsParams`]).
#[derive(Debug, Clone, PartialEq)]
pub struct SkillsSpec {
    /// Number of skills; `None` = [`DEFAULT_SKILLS`] capped at J - 1.
    pub skills: Option<usize>,
    pub link: Link,
}

impl SkillsSpec {
    /// The number of skills for J benchmarks.
    pub fn skills_for(&self, n_benchmarks: usize) -> usize {
        self.skills
            .unwrap_or_else(|| DEFAULT_SKILLS.min(n_benchmarks.saturating_sub(1)).max(1))
    }
}

/// Options of a skills fit, unchecked; `check()` validates them once.
#[derive(Debug, Clone, Default)]
pub struct SkillsParams(SkillsSpec);

impl Default for SkillsSpec {
    fn default() -> Self {
        SkillsSpec {
            skills: None,
            link: Link::Monotone,
        }
    }
}

impl SkillsParams {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn skills(mut self, skills: Option<usize>) -> Self {
        self.0.skills = skills;
        self
    }

    pub fn link(mut self, link: Link) -> Self {
        self.0.link = link;
        self
    }
}

impl ParamGuard for SkillsParams {
    type Checked = SkillsSpec;
    type Error = AnalysisError;

    fn check_ref(&self) -> Result<&SkillsSpec, AnalysisError> {
        if self.0.skills == Some(0) {
            return Err(invalid("skills must be at least 1".into()));
        }
        Ok(&self.0)
    }

    fn check(self) -> Result<SkillsSpec, AnalysisError> {
        self.check_ref()?;
        Ok(self.0)
    }
}

/// A fitted skills law, with every model's skills and predicted scores.
#[derive(Debug, Clone, PartialEq)]
pub struct SkillsFit {
    pub benchmarks: Vec<String>,
    pub floors: Vec<f64>,
    pub link: Link,
    /// d, the number of skills.
    pub skills: usize,
    /// W (J x d): benchmark j reads W_j . z + b_j.
    pub loadings: Array2<f64>,
    /// b (J).
    pub intercepts: Vec<f64>,
    /// The asym link's [psi, kappa] per benchmark (J x 2); J x 0 for `Sigmoid`.
    pub link_params: Array2<f64>,
    /// A (d x 3): skills per standardised [ln S, ln T, ln S ln T].
    pub skill_weights: Array2<f64>,
    /// Mean and population standard deviation of [ln S, ln T, ln S ln T]
    /// over the fitted models (a zero deviation is replaced by 1).
    pub covariate_means: [f64; 3],
    pub covariate_sds: [f64; 3],
    /// The fitted models' sizes: outside them the law extrapolates.
    pub fitted_range: FittedRange,
    /// Family names, in order of first appearance in the input.
    pub families: Vec<String>,
    /// E (F x d): each family's skill offsets ("efficiencies").
    pub efficiencies: Array2<f64>,
    /// Per model (input order): fitted (at least one score) or only predicted.
    pub fitted: Vec<bool>,
    /// z (n x d) for every model, in input order.
    pub model_skills: Array2<f64>,
    /// eta (n x J) for every model.
    pub linear_predictors: Array2<f64>,
    /// Predicted scores (n x J) for every model.
    pub predictions: Array2<f64>,
    /// The isotonic part of the `Monotone` link per benchmark (`None` for
    /// `Sigmoid`): knots in eta and score.
    pub isotonic: Vec<Option<Isotonic>>,
    /// Mean |prediction - score| over the observed cells (a fraction).
    pub train_mae: f64,
    /// The same per benchmark, over its observed cells.
    pub train_mae_per_benchmark: Vec<f64>,
    /// Levenberg-Marquardt iterations of the sigmoid stage and of the
    /// monotone stage (0 for `Sigmoid`).
    pub iterations: [usize; 2],
}

/// Fits the skills law to the scored models and predicts every model.
///
/// Models without any score take no part in the fit (nor in the
/// standardisation or the family weights); they are predicted from their
/// parameters, tokens and family. Partially scored models are fitted on
/// their observed cells.
pub fn fit_skills(data: &SkillsData, spec: &SkillsSpec) -> Result<SkillsFit, AnalysisError> {
    model::fit(data, spec)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model(name: &str, params: f64, tokens: f64, scores: Vec<Option<f64>>) -> SkillsModel {
        SkillsModel {
            name: name.into(),
            params,
            tokens,
            family: "f".into(),
            scores,
        }
    }

    #[test]
    fn sizes_outside_the_fitted_ones_are_named_with_the_range() {
        let fitted = [model("a", 1.0, 2.0, vec![]), model("b", 7.0, 0.5, vec![])];
        let range = FittedRange::of(&fitted);
        assert_eq!(range.params, (1.0, 7.0));
        assert_eq!(range.tokens, (0.5, 2.0));
        assert_eq!(range.outside(1.0, 2.0), vec![]);
        assert_eq!(
            range.outside(0.001, 3.0),
            vec![
                OutsideRange {
                    size: Size::Params,
                    value: 0.001,
                    range: (1.0, 7.0)
                },
                OutsideRange {
                    size: Size::Tokens,
                    value: 3.0,
                    range: (0.5, 2.0)
                },
            ]
        );
        assert_eq!(range.outside(3.0, 0.1).len(), 1);
    }

    #[test]
    fn a_floor_at_or_above_every_score_of_its_benchmark_is_refused() {
        let data = |floor: f64| {
            SkillsData::new(
                vec!["x".into(), "y".into()],
                vec![floor, 0.0],
                vec![
                    model("a", 1.0, 1.0, vec![Some(0.2), Some(0.1)]),
                    model("b", 2.0, 1.0, vec![Some(0.3), None]),
                    model("c", 3.0, 1.0, vec![None, Some(0.5)]),
                ],
            )
        };
        assert!(data(0.25).is_ok());
        for floor in [0.3, 0.99] {
            let err = data(floor).unwrap_err().to_string();
            assert!(
                err.contains("benchmark 'x' is") && err.contains("highest score, 0.3"),
                "{err}"
            );
        }
    }
}
