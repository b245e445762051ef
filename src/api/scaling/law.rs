//! `POST /v1/scaling/law`: the paper's sigmoid scaling law, fitted on
//! weaker models and used to predict stronger ones.

use actix_web::post;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::required;
use crate::analysis::scaling::basis::LawBasis as FittedLawBasis;
use crate::analysis::scaling::law::{self, LawFit, LawParams, Role, Split};
use crate::analysis::scaling::metadata::{Compute, Families, LogCompute, Target as TargetValues};
use crate::analysis::scaling::sigmoid::Loss;
use crate::analysis::{BenchmarkMatrix, NComponents, ParamGuard};
use crate::api::basis::LawBasis;
use crate::api::body::Limits;
use crate::api::endpoint::{Analysis, LeaderboardEndpoint, LeaderboardQuery, handler};
use crate::api::error::{ApiError, ErrorCode, field_rule};
use crate::api::options::{AnalysisOptions, Missing};
use crate::api::pca::{ImputedCellOut, PcaResponse};
use crate::api::query::{self, TableQuery, table_query};
use crate::api::request::{self, JsonRequest, leaderboard_request};
use crate::api::schemas;
use crate::api::warnings::{self, Warning};
use crate::charts::law::{LawCharts, TargetLaw};
use crate::ingest::json::trim_label;
use crate::ingest::{Leaderboard, PerModelColumns, TargetValues as Column};

/// The benchmark to predict.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Target {
    /// Its name (echoed back).
    #[schema(min_length = 1)]
    #[serde(deserialize_with = "crate::ingest::json::labels")]
    pub name: String,
    /// One value per model, null where unknown (such models are predicted only).
    #[schema(schema_with = schemas::target_values)]
    pub values: Vec<Option<f64>>,
}

/// Which labelled models train the law; the others are held out and predicted.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(tag = "by", rename_all = "snake_case", deny_unknown_fields)]
pub enum SplitSpec {
    /// Train on models with known compute at or below `max_train_flops` (the
    /// paper); every other labelled model, above it or of unknown compute, is test.
    Flops {
        #[schema(exclusive_minimum = 0)]
        max_train_flops: f64,
    },
    /// Hold out the top `test_fraction` of labelled models by target: the
    /// count is rounded up (at least one), ties keep request order.
    TargetRank {
        #[schema(exclusive_minimum = 0, exclusive_maximum = 1)]
        test_fraction: f64,
    },
}

/// The loss the law is fitted with.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, ToSchema, Default, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum LossName {
    /// Bounded nonlinear least squares (scipy's `curve_fit`).
    #[default]
    LeastSquares,
    /// Huber loss with `huber_delta` (scipy's `least_squares(loss="huber", f_scale=delta)`).
    Huber,
}

leaderboard_request! {
    /// A leaderboard, the benchmark(s) to predict, and how to fit and test the law.
    #[schema(example = json!(law_request_example()))]
    pub struct ScalingLawRequest {
        scaling_options;
        /// The benchmark to predict (give `target` or `targets`).
        #[serde(default)]
        pub target: Option<Target>,
        /// Several benchmarks to predict, one law each on the same split rule:
        /// each trains on its own labelled models (so on its own PCA where its
        /// labels differ) and answers what a request with it as `target` would.
        #[serde(default)]
        #[schema(min_items = 1)]
        pub targets: Option<Vec<Target>>,
        compute,
        families?,
        /// Default: train on every labelled model.
        #[serde(default)]
        pub split: Option<SplitSpec>,
        #[serde(default)]
        pub loss: Option<LossName>,
        /// Huber's delta (scipy's f_scale), in target units after normalisation. Default 0.1.
        #[serde(default)]
        #[schema(value_type = Option<f64>, exclusive_minimum = 0)]
        pub huber_delta: Option<HuberDelta>,
        /// Upper bound of the floor b (lower bound 0). Default 0.2.
        #[serde(default)]
        #[schema(minimum = 0, exclusive_maximum = 1)]
        pub floor_max: Option<f64>,
        /// [lo, hi]: fit (target - lo) / (hi - lo), e.g. [0.25, 1] for four-way
        /// multiple choice. Predictions and metrics are reported in the target's own units.
        #[serde(default)]
        #[schema(schema_with = schemas::range)]
        pub target_range: Option<TargetRange>,
        /// A family (e.g. "Llama-2") whose compute-capability line converts every
        /// model's capability to `equivalent_log10_flops`.
        #[serde(default, deserialize_with = "crate::ingest::json::labels")]
        #[schema(min_length = 1)]
        pub reference_family: Option<String>,
        /// true: also return `basis` (one per target), the fitted law basis
        /// that /v1/scaling/predict predicts new models with, exactly as this
        /// fit predicts its test models.
        #[serde(default)]
        pub return_basis: Option<bool>,
        /// true: also return Vega-Lite v5 specifications (`charts`) of the
        /// target against capability (or equivalent compute) with the fitted
        /// sigmoid, and of predicted against observed; with `targets`, one
        /// curve per target, at the top level of the answer.
        #[serde(default)]
        pub charts: Option<bool>,
    }
}

/// Huber's delta: positive and finite.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HuberDelta(f64);

impl HuberDelta {
    pub fn new(delta: f64) -> Result<Self, ApiError> {
        Self::checked(delta).map_err(|detail| ApiError::new(ErrorCode::InvalidLaw, detail))
    }

    // The schema states the rule whatever the loss.
    fn checked(delta: f64) -> Result<Self, String> {
        if delta > 0.0 && delta.is_finite() {
            Ok(Self(delta))
        } else {
            Err(format!("huber_delta must be positive, got {delta}"))
        }
    }
}

impl<'de> Deserialize<'de> for HuberDelta {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Self::checked(f64::deserialize(deserializer)?)
            .map_err(|detail| field_rule(ErrorCode::InvalidLaw, detail))
    }
}

/// `target_range`: a pair [lo, hi] (the law checks lo < hi).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TargetRange(f64, f64);

impl<'de> Deserialize<'de> for TargetRange {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match Vec::<f64>::deserialize(deserializer)?.as_slice() {
            &[lo, hi] => Ok(Self(lo, hi)),
            other => Err(field_rule(
                ErrorCode::InvalidTarget,
                format!("target_range must be [lo, hi] with lo < hi, got {other:?}"),
            )),
        }
    }
}

/// The fitted law: y = (1 - floor) * sigmoid(weights . s + intercept) + floor,
/// s the PC scores, y the (normalised) target.
#[derive(Debug, Serialize, ToSchema)]
pub struct LawOut {
    pub weights: Vec<f64>,
    pub intercept: f64,
    pub floor: f64,
    pub loss: LossName,
    pub iterations: usize,
    pub converged: bool,
}

/// A model's part in the fit.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SplitRole {
    Train,
    Test,
    Unlabeled,
}

/// What the law says about one model.
#[derive(Debug, Serialize, ToSchema)]
pub struct Prediction {
    pub model: String,
    pub split: SplitRole,
    /// The target as given (null when unlabeled).
    pub observed: Option<f64>,
    /// The law's prediction, in the target's units.
    pub predicted: f64,
    /// weights . s + intercept.
    pub capability: f64,
    /// log10 of the reference family's compute with the same capability
    /// (present with `reference_family`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub equivalent_log10_flops: Option<f64>,
}

/// Errors of the law, in the target's units.
#[derive(Debug, Serialize, ToSchema)]
pub struct Metrics {
    pub n_train: usize,
    pub n_test: usize,
    pub train_mse: f64,
    /// Null without test models.
    pub test_mse: Option<f64>,
    pub test_mae: Option<f64>,
}

/// The reference family's line: capability = slope * log10(FLOPs) + intercept.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReferenceOut {
    pub family: String,
    pub n_models: usize,
    pub slope: f64,
    pub intercept: f64,
}

/// A fitted sigmoid scaling law and its predictions.
#[derive(Debug, Serialize, ToSchema)]
pub struct ScalingLawResponse {
    pub target: String,
    pub law: LawOut,
    /// The PCA fitted on the training models (with their imputed cells).
    pub pca: PcaResponse,
    /// Every model that was not dropped, in request order.
    pub predictions: Vec<Prediction>,
    pub metrics: Metrics,
    /// Present with `reference_family`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference: Option<ReferenceOut>,
    /// Non-training models left out for missing cells (`drop_models`).
    pub dropped_models: Vec<String>,
    /// Cells of non-training models imputed with the training fit held fixed.
    pub imputed: Vec<ImputedCellOut>,
    /// With `return_basis`: the fitted law basis, for /v1/scaling/predict.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub basis: Option<LawBasis>,
    /// With `charts` and one `target`: `{law, predicted_vs_observed}`,
    /// Vega-Lite v5 specifications with their data inline. Never inside
    /// `results` (those charts are at its top level).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub charts: Option<serde_json::Value>,
    /// When the law should not be taken at face value:
    /// `no_degrees_of_freedom` (as many free parameters as training models
    /// or more, so the fit interpolates them). The imputation's warnings
    /// are in `pca`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<Warning>,
}

/// Several fitted laws, one per target, in request order.
#[derive(Debug, Serialize, ToSchema)]
pub struct ScalingLawResults {
    /// What a request with each target alone as `target` answers (but
    /// `charts`, which are here at the top level).
    pub results: Vec<ScalingLawResponse>,
    /// With `charts`: `{law, predicted_vs_observed}`, Vega-Lite v5
    /// specifications with one curve and one set of points per target.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub charts: Option<serde_json::Value>,
}

/// One law (for `target`), or several (for `targets`).
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
pub enum LawAnswer {
    One(Box<ScalingLawResponse>),
    Several(ScalingLawResults),
}

table_query! {
    /// Query parameters. The table ones and the options apply to table
    /// bodies (a CSV export); a JSON body carries its options itself. They
    /// are validated on every request, whatever the body.
    pub struct LawQuery {
        scaling_options;
        columns {
            /// The column(s) to predict, comma-separated (a name with a comma in
            /// double quotes): one is `target`, several are `targets`. Needed for
            /// a table body.
            target_columns,
            /// The column of each model's family; an empty cell means no family.
            family_column,
            compute_columns,
        }
        /// As `split.by`: `flops` (with `max_train_flops`) or `target_rank`
        /// (with `test_fraction`). Default: the one whose parameter is given.
        #[param(inline)]
        pub split_by: Option<SplitBy>,
        /// As `split.max_train_flops`.
        #[param(exclusive_minimum = 0)]
        pub max_train_flops: Option<f64>,
        /// As `split.test_fraction`.
        #[param(exclusive_minimum = 0, exclusive_maximum = 1)]
        pub test_fraction: Option<f64>,
        /// As `loss` in the JSON body.
        #[param(inline)]
        pub loss: Option<LossName>,
        /// As `huber_delta` in the JSON body.
        #[param(exclusive_minimum = 0)]
        pub huber_delta: Option<f64>,
        /// As `floor_max` in the JSON body.
        #[param(minimum = 0, exclusive_maximum = 1)]
        pub floor_max: Option<f64>,
        /// As `target_range` in the JSON body, written `lo,hi`.
        #[param(pattern = r"^\s*[-+0-9.eE]+\s*,\s*[-+0-9.eE]+\s*$")]
        pub target_range: Option<String>,
        /// As `reference_family` in the JSON body.
        #[param(min_length = 1)]
        pub reference_family: Option<String>,
        /// As `return_basis` in the JSON body: also return the law basis.
        pub return_basis: Option<bool>,
        /// As `charts` in the JSON body.
        pub charts: Option<bool>,
    }
}

/// How a table query splits the models (`split.by`).
#[derive(Debug, Clone, Copy, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum SplitBy {
    Flops,
    TargetRank,
}

/// `POST /v1/scaling/law`.
pub type LawEndpoint = LeaderboardEndpoint<LawQuery, ScalingLawRequest>;

/// What /v1/scaling/law is asked besides the leaderboard and its per-model
/// columns (the targets among them).
#[derive(Debug)]
pub struct LawOptions {
    pub analysis: AnalysisOptions,
    /// Whether the targets were asked for as a list (answered as `results`).
    pub several: bool,
    pub split: Option<SplitSpec>,
    pub loss: Option<LossName>,
    pub huber_delta: Option<HuberDelta>,
    pub floor_max: Option<f64>,
    pub target_range: Option<TargetRange>,
    pub reference_family: Option<String>,
    pub return_basis: bool,
    pub charts: bool,
}

impl JsonRequest for ScalingLawRequest {
    type Options = LawOptions;

    fn into_parts(mut self) -> Result<(Leaderboard, LawOptions), ApiError> {
        let (mut leaderboard, analysis) = self.take_leaderboard();
        let several = self.targets.is_some();
        let targets = match (self.target, self.targets) {
            (Some(target), None) => vec![target],
            (None, Some(targets)) if !targets.is_empty() => targets,
            (None, None) => return Err(invalid_target("give target or targets")),
            (None, Some(_)) => return Err(invalid_target("targets must name at least one target")),
            (Some(_), Some(_)) => return Err(invalid_target("give target or targets, not both")),
        };
        let per_model = &mut leaderboard.per_model;
        per_model.targets = targets
            .into_iter()
            .map(|t| Column {
                name: t.name,
                values: t.values,
            })
            .collect();
        let options = LawOptions {
            analysis,
            several,
            split: self.split,
            loss: self.loss,
            huber_delta: self.huber_delta,
            floor_max: self.floor_max,
            target_range: self.target_range,
            reference_family: self.reference_family,
            return_basis: self.return_basis.unwrap_or(false),
            charts: self.charts.unwrap_or(false),
        };
        Ok((leaderboard, options))
    }
}

impl LeaderboardQuery for LawQuery {
    type Options = LawOptions;

    fn check(&self) -> Result<(), ApiError> {
        query::within(
            "max_train_flops",
            self.max_train_flops,
            |v| v > 0.0,
            "positive",
        )?;
        query::within(
            "test_fraction",
            self.test_fraction,
            |v| v > 0.0 && v < 1.0,
            "in (0, 1)",
        )?;
        query::within("huber_delta", self.huber_delta, |v| v > 0.0, "positive")?;
        query::within(
            "floor_max",
            self.floor_max,
            |v| (0.0..1.0).contains(&v),
            "in [0, 1)",
        )?;
        query::pair("target_range", self.target_range.as_deref())?;
        // The rule a JSON body's targets meet when the law reads them
        // (`invalid_target`), checked here because the table's reading would
        // refuse the column first, as a column of two roles.
        if let (Some(targets), Some(benchmarks)) =
            (self.target_columns.as_deref(), self.benchmarks.as_deref())
        {
            let benchmarks = query::list("benchmarks", benchmarks)?;
            if let Some(target) = query::list("target_columns", targets)?
                .iter()
                .find(|target| benchmarks.contains(target))
            {
                return Err(TargetValues::among_benchmarks(target).into());
            }
        }
        self.split().map(drop)
    }

    fn per_model(&self) -> Result<PerModelColumns, ApiError> {
        Ok(PerModelColumns {
            family: self.family_column.clone(),
            flops: self.flops_column.clone(),
            params: self.params_column.clone(),
            tokens: self.tokens_column.clone(),
            targets: self.targets()?,
            ..Default::default()
        })
    }

    fn options(&self) -> Result<LawOptions, ApiError> {
        let target_range = query::pair("target_range", self.target_range.as_deref())?;
        Ok(LawOptions {
            analysis: self.analysis_options()?,
            several: self.targets()?.len() != 1,
            split: self.split()?,
            loss: self.loss,
            huber_delta: self.huber_delta.map(HuberDelta::new).transpose()?,
            floor_max: self.floor_max,
            target_range: target_range.map(|range| TargetRange(range[0], range[1])),
            // A family is a label (as a JSON body's is read).
            reference_family: self.reference_family.clone().map(trim_label),
            return_basis: self.return_basis.unwrap_or(false),
            charts: self.charts.unwrap_or(false),
        })
    }
}

impl LawQuery {
    /// The columns to predict, which a table body needs.
    fn targets(&self) -> Result<Vec<String>, ApiError> {
        let names = required(self.target_columns.as_deref(), "target_columns")?;
        query::list("target_columns", names)
    }

    /// The split as the JSON body states it.
    fn split(&self) -> Result<Option<SplitSpec>, ApiError> {
        let invalid = |msg: &str| Err(ApiError::new(ErrorCode::InvalidQuery, msg));
        let by = match (self.split_by, self.max_train_flops, self.test_fraction) {
            (Some(by), _, _) => by,
            (None, Some(_), None) => SplitBy::Flops,
            (None, None, Some(_)) => SplitBy::TargetRank,
            (None, None, None) => return Ok(None),
            (None, Some(_), Some(_)) => {
                return invalid("give max_train_flops or test_fraction, not both");
            }
        };
        match (by, self.max_train_flops, self.test_fraction) {
            (SplitBy::Flops, Some(max_train_flops), None) => {
                Ok(Some(SplitSpec::Flops { max_train_flops }))
            }
            (SplitBy::TargetRank, None, Some(test_fraction)) => {
                Ok(Some(SplitSpec::TargetRank { test_fraction }))
            }
            (SplitBy::Flops, _, _) => invalid("split_by=flops takes max_train_flops alone"),
            (SplitBy::TargetRank, _, _) => {
                invalid("split_by=target_rank takes test_fraction alone")
            }
        }
    }
}

impl Analysis for LawOptions {
    type Answer = LawAnswer;

    fn answer(self, leaderboard: Leaderboard, limits: &Limits) -> Result<Self::Answer, ApiError> {
        let analysis = &self.analysis;
        request::check(&leaderboard, analysis, limits, 0)?;
        let missing = analysis.missing();
        let loss = match self.loss.unwrap_or_default() {
            LossName::LeastSquares => Loss::LeastSquares,
            LossName::Huber => Loss::Huber {
                delta: self.huber_delta.map_or(0.1, |HuberDelta(delta)| delta),
            },
        };
        let split = match self.split {
            None => Split::None,
            Some(SplitSpec::Flops { max_train_flops }) => Split::Flops {
                max_train: max_train_flops,
            },
            Some(SplitSpec::TargetRank { test_fraction }) => Split::TargetRank { test_fraction },
        };
        let spec = LawParams::new(
            analysis.pca_params(NComponents::Count(3))?,
            analysis.missing_policy(limits.max_iterations)?,
        )
        .split(split)
        .loss(loss)
        .floor_max(self.floor_max.unwrap_or(0.2))
        .target_range(self.target_range.map(|TargetRange(lo, hi)| (lo, hi)))
        .reference_family(self.reference_family.clone())
        .check()?;
        let (matrix, per_model, absent) = leaderboard.into_matrix()?;
        let families = per_model
            .families
            .map(|f| Families::new(f, &matrix))
            .transpose()?;
        let targets = per_model
            .targets
            .into_iter()
            .map(|t| (t.name, t.values))
            .collect();
        let targets = TargetValues::list(targets, &matrix)?;
        let compute = Compute::of(per_model.flops, per_model.params, per_model.tokens)?
            .map(|c| LogCompute::new(c, &matrix))
            .transpose()?;
        let fits = if self.several {
            law::fit_laws(
                &matrix,
                &targets,
                compute.as_ref(),
                families.as_ref(),
                &spec,
            )?
        } else {
            vec![law::fit_law(
                &matrix,
                &targets[0],
                compute.as_ref(),
                families.as_ref(),
                &spec,
            )?]
        };
        let mut results: Vec<ScalingLawResponse> = targets
            .iter()
            .zip(&fits)
            .map(|(target, fit)| {
                let mut response = ScalingLawResponse::new(
                    &matrix,
                    target,
                    fit,
                    self.loss.unwrap_or_default(),
                    self.reference_family.clone(),
                    missing,
                );
                if self.return_basis {
                    let basis =
                        FittedLawBasis::of_fit(matrix.benchmarks(), target.name(), fit, &spec);
                    response.basis = Some(LawBasis::new(&basis));
                }
                response.pca.add_absent(absent.clone());
                response
            })
            .collect();
        let charts = self.charts.then(|| {
            let laws: Vec<TargetLaw> = targets
                .iter()
                .zip(&fits)
                .map(|(target, fit)| TargetLaw { target, fit })
                .collect();
            LawCharts {
                matrix: &matrix,
                spec: &spec,
                families: families.as_ref(),
            }
            .specs(&laws)
        });
        Ok(if self.several {
            LawAnswer::Several(ScalingLawResults { results, charts })
        } else {
            let mut one = results.remove(0);
            one.charts = charts;
            LawAnswer::One(Box::new(one))
        })
    }
}

/// The spec's example request: thirteen of the paper's models on four
/// benchmarks (Llama-3-8B without ARC-C), the word-unscrambling target,
/// trained up to 200e21 FLOPs, Llama-2 as the reference family, with its
/// law basis (`crate::api::basis::law_basis_example`).
pub fn law_request_example() -> serde_json::Value {
    serde_json::from_str(include_str!("../examples/law_request.json")).expect("the example is JSON")
}

fn invalid_target(detail: &str) -> ApiError {
    ApiError::new(ErrorCode::InvalidTarget, detail)
}

impl ScalingLawResponse {
    fn new(
        matrix: &BenchmarkMatrix,
        target: &TargetValues,
        result: &LawFit,
        loss: LossName,
        reference_family: Option<String>,
        missing: Missing,
    ) -> Self {
        let models = matrix.models();
        let others = &result.others.completed;
        ScalingLawResponse {
            target: target.name().to_owned(),
            law: LawOut {
                weights: result.law.weights.to_vec(),
                intercept: result.law.intercept,
                floor: result.law.floor,
                loss,
                iterations: result.law.iterations,
                converged: result.law.converged,
            },
            pca: PcaResponse::new(&result.train_matrix, &result.train, missing),
            predictions: result
                .predictions
                .iter()
                .map(|p| Prediction {
                    model: models[p.model].clone(),
                    split: match p.role {
                        Role::Train => SplitRole::Train,
                        Role::Test => SplitRole::Test,
                        Role::Unlabeled => SplitRole::Unlabeled,
                    },
                    observed: p.observed,
                    predicted: p.predicted,
                    capability: p.capability,
                    equivalent_log10_flops: p.equivalent_log10_flops,
                })
                .collect(),
            metrics: Metrics {
                n_train: result.metrics.n_train,
                n_test: result.metrics.n_test,
                train_mse: result.metrics.train_mse,
                test_mse: result.metrics.test_mse,
                test_mae: result.metrics.test_mae,
            },
            reference: result.reference.map(|reference| ReferenceOut {
                family: reference_family.unwrap_or_default(),
                n_models: reference.n_models,
                slope: reference.line.slope,
                intercept: reference.line.intercept,
            }),
            dropped_models: others
                .dropped
                .iter()
                .map(|&d| models[result.other_rows[d]].clone())
                .collect(),
            imputed: ImputedCellOut::list(
                &others.imputed,
                |row| &models[result.other_rows[row]],
                matrix.benchmarks(),
            ),
            basis: None,
            charts: None,
            warnings: warnings::saturated_law(result.metrics.n_train, result.metrics.n_parameters)
                .into_iter()
                .collect(),
        }
    }
}

handler! {
    /// Sigmoid scaling law from PC scores, with a holdout.
    ///
    /// The paper's observational scaling law: y = (1 - b) sigmoid(w . s + c) + b
    /// with s a model's PC scores, fitted on the training models (missing-cell
    /// imputation and PCA fitted on them alone), then used to predict every
    /// other model with that fit held fixed.
    post "/v1/scaling/law" => post_law(LawEndpoint), tag "scaling",
    leaderboard(LawQuery, ScalingLawRequest, csv = "Model,Model Family,FLOPs (1E21),MMLU,ARC-C,GSM8K\nmeta-llama/Llama-2-7b-hf,Llama-2,84.0,0.438,0.5307,0.1448\nmeta-llama/Llama-2-13b-hf,Llama-2,156.0,0.5434,0.5811,0.2282\n"),
    ok(description = "The fitted law, its predictions and holdout errors (with `targets`: \
            `results`, one such answer per target)", body = LawAnswer),
    unanswerable "The codes of /v1/pca (`empty_label` also for a target named with white space \
            only), and `invalid_compute`, `invalid_target` \
            (neither or both of target and targets, a target named twice or like one of the \
            benchmarks, more than 100 targets (MAX_TARGETS), a non-finite value, a value \
            outside [0, 1] without target_range or outside [min(lo, 0), hi] with it, the same value for \
            every training model, target_range not lo < hi with a finite width), `invalid_split` (a split \
            by flops without compute), \
            `invalid_law` (floor_max outside [0, 1), huber_delta not positive), `too_few_training_models` \
            (fewer than n_components + 2), `invalid_reference_family` (fewer than two models of \
            different known compute, a capability that does not change along the family, or no \
            families/compute), `shape_mismatch` (target, families or \
            compute not one per model); for a table also `invalid_query` (no target_columns, a split \
            parameter without its partner), `conflicting_metadata` (a long table's model whose rows disagree \
            on a per-model column), `duplicate_score` (a target read from a long table's benchmark values)",
}
