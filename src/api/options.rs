//! Analysis options shared by every endpoint that takes a leaderboard, in
//! their wire form, and their conversion to the core's checked types.

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::error::{ApiError, ErrorCode};
use super::schemas;
use crate::analysis::pca::fit::{ComponentChoice, Resampling};
use crate::analysis::pca::impute::{DEFAULT_TOL, MAX_ITER_LIMIT};
use crate::analysis::{
    IterativePcaParams, MissingPolicy, NComponents, ParamGuard, PcaParams, PcaValidParams,
    SignConvention,
};

/// How each component's arbitrary sign is fixed.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, ToSchema, Default, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Sign {
    /// The sum of the loadings is positive ("higher PC1 = more capable");
    /// a sum within 1e-12 of zero falls back to `max_abs_positive`.
    #[default]
    PositiveSum,
    /// The largest-magnitude loading is positive (scikit-learn >= 1.5).
    MaxAbsPositive,
}

impl From<Sign> for SignConvention {
    fn from(sign: Sign) -> Self {
        match sign {
            Sign::PositiveSum => SignConvention::PositiveSum,
            Sign::MaxAbsPositive => SignConvention::MaxAbsPositive,
        }
    }
}

impl From<SignConvention> for Sign {
    fn from(sign: SignConvention) -> Self {
        match sign {
            SignConvention::PositiveSum => Sign::PositiveSum,
            SignConvention::MaxAbsPositive => Sign::MaxAbsPositive,
        }
    }
}

/// What to do with missing cells.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, ToSchema, Default, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Missing {
    /// Refuse the leaderboard with `missing_scores`, naming the cells.
    #[default]
    Reject,
    /// Leave out every model with a missing cell (listed in `dropped_models`).
    DropModels,
    /// Fill each missing cell with its benchmark's mean over observed cells.
    Mean,
    /// The paper's iterative low-rank PCA imputation (see `imputation`).
    IterativePca,
}

/// Options of `iterative_pca`. Sending them without `missing` selects
/// `iterative_pca`; the other policies ignore them.
#[derive(Debug, Clone, Default, Deserialize, ToSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ImputationOptions {
    /// Rank of the PCA reconstruction, at least 1 and below
    /// min(n_models, n_benchmarks). Default 1 (the paper).
    #[schema(minimum = 1)]
    pub rank: Option<i64>,
    /// Most iterations (the paper always runs 1000). Default 1000.
    #[schema(minimum = 1, maximum = 100000)]
    pub max_iter: Option<i64>,
    /// Stop once no missing cell changes by more than this, in z-score units.
    /// Default 1e-10, which reproduces the paper's 1000 iterations to better than 1e-6.
    #[schema(minimum = 0)]
    pub tol: Option<f64>,
    /// [lo, hi] (lo < hi) to clip imputed values to, e.g. [0, 1] for accuracies. Default: none.
    #[schema(schema_with = schemas::bounds)]
    pub bounds: Option<Vec<f64>>,
}

/// `n_components` as sent: JSON does not tell 3 from 3.0, so any whole
/// number counts components and anything else is a variance fraction.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum NComponentsField {
    Count(i128),
    Fraction(f64),
    /// `"auto"`: as many as parallel analysis retains (/v1/pca only).
    Auto,
}

impl<'de> Deserialize<'de> for NComponentsField {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct NumberVisitor;
        impl Visitor<'_> for NumberVisitor {
            type Value = NComponentsField;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a number of components, a fraction of variance, or \"auto\"")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                match v {
                    "auto" => Ok(NComponentsField::Auto),
                    _ => Err(E::invalid_value(de::Unexpected::Str(v), &self)),
                }
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
                Ok(NComponentsField::Count(v.into()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
                Ok(NComponentsField::Count(v.into()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
                if v.fract() == 0.0 && v.abs() < 1e30 {
                    Ok(NComponentsField::Count(v as i128))
                } else {
                    Ok(NComponentsField::Fraction(v))
                }
            }
        }
        deserializer.deserialize_any(NumberVisitor)
    }
}

impl std::str::FromStr for NComponentsField {
    type Err = String;

    /// Query strings carry numbers as text.
    fn from_str(text: &str) -> Result<Self, String> {
        if text.trim() == "auto" {
            return Ok(NComponentsField::Auto);
        }
        match text.trim().parse::<f64>() {
            Ok(v) if v.is_finite() && v.fract() == 0.0 && v.abs() < 1e30 => {
                Ok(NComponentsField::Count(v as i128))
            }
            Ok(v) if v.is_finite() => Ok(NComponentsField::Fraction(v)),
            _ => Err(format!(
                "n_components must be a number or auto, got {text:?}"
            )),
        }
    }
}

/// The options every leaderboard analysis takes, however they arrived.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AnalysisOptions {
    pub n_components: Option<NComponentsField>,
    pub standardize: Option<bool>,
    pub sign: Option<Sign>,
    pub missing: Option<Missing>,
    pub imputation: Option<ImputationOptions>,
}

impl ImputationOptions {
    /// The rules the schema states, checked whatever the missing-cell policy,
    /// so that a request the spec forbids is never silently accepted.
    pub fn validate(&self) -> Result<(), ApiError> {
        let invalid = |msg: String| Err(ApiError::new(ErrorCode::InvalidImputation, msg));
        if let Some(rank) = self.rank
            && rank < 1
        {
            return invalid(format!("imputation rank must be at least 1, got {rank}"));
        }
        if let Some(max_iter) = self.max_iter
            && !(1..=MAX_ITER_LIMIT as i64).contains(&max_iter)
        {
            return invalid(format!(
                "imputation max_iter must be between 1 and {MAX_ITER_LIMIT}, got {max_iter}"
            ));
        }
        if let Some(tol) = self.tol
            && !(tol >= 0.0 && tol.is_finite())
        {
            return invalid(format!(
                "imputation tol must be a finite number >= 0, got {tol}"
            ));
        }
        match self.bounds.as_deref() {
            None => Ok(()),
            Some(&[lo, hi]) if lo < hi => Ok(()),
            Some(&[lo, hi]) => invalid(format!(
                "imputation bounds must have lo < hi, got [{lo}, {hi}]"
            )),
            Some(other) => invalid(format!(
                "imputation bounds must be [lo, hi], got {} values",
                other.len()
            )),
        }
    }
}

impl AnalysisOptions {
    /// The rules the schema states for every option, whatever else the
    /// request says; data-dependent rules are checked when the data is known.
    pub fn validate(&self) -> Result<(), ApiError> {
        match self.n_components {
            Some(NComponentsField::Count(k)) if k < 1 => {
                return Err(ApiError::new(
                    ErrorCode::InvalidNComponents,
                    format!("n_components must be at least 1, got {k}"),
                ));
            }
            Some(NComponentsField::Fraction(f)) if !(f > 0.0 && f < 1.0) => {
                return Err(ApiError::new(
                    ErrorCode::InvalidNComponents,
                    format!("a fractional n_components must lie strictly between 0 and 1, got {f}"),
                ));
            }
            _ => {}
        }
        self.imputation
            .as_ref()
            .map_or(Ok(()), ImputationOptions::validate)
    }

    /// The PCA parameters, checked, with `default_k` when `n_components` is
    /// absent. `"auto"` is refused: only /v1/pca runs the parallel analysis
    /// that counts components.
    pub fn pca_params(&self, default_k: NComponents) -> Result<PcaValidParams, ApiError> {
        match self.pca_params_or_auto(default_k)? {
            (params, ComponentChoice::Fixed) => Ok(params),
            (_, ComponentChoice::ParallelAnalysis) => Err(ApiError::new(
                ErrorCode::InvalidNComponents,
                "n_components \"auto\" (parallel analysis) is available on /v1/pca only",
            )),
        }
    }

    /// The PCA parameters, checked, and whether parallel analysis chooses
    /// the number of components (`"auto"`; the parameters then say `All`
    /// until it has).
    pub fn pca_params_or_auto(
        &self,
        default_k: NComponents,
    ) -> Result<(PcaValidParams, ComponentChoice), ApiError> {
        let (n_components, choice) = match self.n_components {
            None => (default_k, ComponentChoice::Fixed),
            Some(NComponentsField::Count(k)) if k >= 1 => (
                NComponents::Count(usize::try_from(k).unwrap_or(usize::MAX)),
                ComponentChoice::Fixed,
            ),
            Some(NComponentsField::Count(k)) => {
                return Err(ApiError::new(
                    ErrorCode::InvalidNComponents,
                    format!("n_components must be at least 1, got {k}"),
                ));
            }
            Some(NComponentsField::Fraction(f)) => {
                (NComponents::VarianceFraction(f), ComponentChoice::Fixed)
            }
            Some(NComponentsField::Auto) => (NComponents::All, ComponentChoice::ParallelAnalysis),
        };
        let params = PcaParams::new()
            .n_components(n_components)
            .standardize(self.standardize.unwrap_or(false))
            .sign(self.sign.unwrap_or_default().into())
            .check()?;
        Ok((params, choice))
    }

    /// The effective policy: `imputation` alone implies `iterative_pca`.
    pub fn missing(&self) -> Missing {
        match (self.missing, &self.imputation) {
            (Some(policy), _) => policy,
            (None, Some(_)) => Missing::IterativePca,
            (None, None) => Missing::Reject,
        }
    }

    /// The missing-cell policy; `max_iterations` is the service's limit on
    /// `imputation.max_iter` (MAX_ITERATIONS).
    pub fn missing_policy(&self, max_iterations: usize) -> Result<MissingPolicy, ApiError> {
        Ok(match self.missing() {
            Missing::Reject => MissingPolicy::Reject,
            Missing::DropModels => MissingPolicy::DropModels,
            Missing::Mean => MissingPolicy::Mean,
            Missing::IterativePca => {
                let options = self.imputation.clone().unwrap_or_default();
                options.validate()?;
                if let Some(max_iter) = options.max_iter
                    && max_iter as u64 > max_iterations as u64
                {
                    return Err(ApiError::new(
                        ErrorCode::InvalidImputation,
                        format!(
                            "imputation max_iter {max_iter} exceeds this service's limit of \
                             {max_iterations} (MAX_ITERATIONS)"
                        ),
                    ));
                }
                let bounds = match options.bounds.as_deref() {
                    Some(&[lo, hi]) => Some((lo, hi)),
                    _ => None,
                };
                let defaults = IterativePcaParams::default();
                let to_usize = |v: i64| usize::try_from(v).unwrap_or(usize::MAX);
                MissingPolicy::IterativePca(IterativePcaParams {
                    rank: options.rank.map_or(defaults.rank, to_usize),
                    max_iter: options.max_iter.map_or(defaults.max_iter, to_usize),
                    tol: options.tol.unwrap_or(DEFAULT_TOL),
                    bounds,
                })
            }
        })
    }
}

/// `bootstrap` on /v1/pca: percentile confidence intervals.
#[derive(Debug, Clone, Default, Deserialize, ToSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct BootstrapOptions {
    /// Resamples of the models, with replacement. Default 1000; at most MAX_RESAMPLES.
    #[schema(minimum = 2)]
    pub resamples: Option<i64>,
    /// Two-sided coverage of the intervals. Default 0.95.
    #[schema(exclusive_minimum = 0, exclusive_maximum = 1)]
    pub confidence: Option<f64>,
    /// The same seed gives the same intervals. Default 0.
    #[schema(minimum = 0)]
    pub seed: Option<i64>,
}

/// `parallel_analysis` on /v1/pca: Horn's method.
#[derive(Debug, Clone, Default, Deserialize, ToSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ParallelAnalysisOptions {
    /// Column-permuted matrices to compare with. Default 100; at most MAX_RESAMPLES.
    #[schema(minimum = 1)]
    pub iterations: Option<i64>,
    /// Quantile of the permuted eigenvalues a component must beat. Default 0.95.
    #[schema(exclusive_minimum = 0, exclusive_maximum = 1)]
    pub quantile: Option<f64>,
    /// Default 0.
    #[schema(minimum = 0)]
    pub seed: Option<i64>,
}

/// Validated resampling options.
pub fn resampling(
    what: &str,
    count: Option<i64>,
    default_count: i64,
    min_count: i64,
    level: Option<f64>,
    seed: Option<i64>,
    max_resamples: usize,
) -> Result<Resampling, ApiError> {
    let invalid = |msg: String| Err(ApiError::new(ErrorCode::InvalidBootstrap, msg));
    let count = count.unwrap_or(default_count);
    if count < min_count || count as u64 > max_resamples as u64 {
        return invalid(format!(
            "{what} must be between {min_count} and {max_resamples} (MAX_RESAMPLES), got {count}"
        ));
    }
    let level = level.unwrap_or(0.95);
    if !(level > 0.0 && level < 1.0) {
        return invalid(format!(
            "the {what} level must lie strictly between 0 and 1, got {level}"
        ));
    }
    let seed = seed.unwrap_or(0);
    if seed < 0 {
        return invalid(format!("the {what} seed must be at least 0, got {seed}"));
    }
    Ok(Resampling {
        count: count as usize,
        level,
        seed: seed as u64,
    })
}
