//! `POST /v1/complete`: a sparse leaderboard in (JSON with nulls, or a
//! table), a predicted score with its interval for every missing cell out,
//! with the method's own cross-validated error, what it chose, and (on
//! request) the benchmarks a new model should run first.
//!
//! An answer can hold hundreds of thousands of predictions: they are
//! serialised straight from the core's cells, each naming its model and
//! benchmark by reference to the one copy of the labels, never through a
//! `serde_json::Value` or a copy of a label per cell.

use std::sync::Arc;

use actix_web::post;
use serde::ser::SerializeSeq;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use utoipa::ToSchema;

use super::body::Limits;
use super::endpoint::{Analysis, LeaderboardEndpoint, LeaderboardQuery, handler};
use super::error::{ApiError, ErrorCode};
use super::options::SentNumber;
use super::query::{self, table_query};
use super::request::{self, JsonRequest, leaderboard_request};
use crate::analysis::ParamGuard;
use crate::analysis::complete::{
    self, CompleteParams, Completion, ErrorSummary, MAX_PROBES, NotPredicted, PREDICTORS,
    Prediction, RISK_FEATURES, ScaleKind, Settings,
};
use crate::charts;
use crate::ingest::Leaderboard;

/// What a benchmark's numbers are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ScaleName {
    /// A share in [0, 1] (the paper's own leaderboards).
    Fraction,
    /// A percentage in [0, 100].
    Percent,
    /// Anything else (Elo ratings, dollars, counts): never transformed or
    /// clipped.
    Unbounded,
}

impl From<ScaleName> for ScaleKind {
    fn from(name: ScaleName) -> Self {
        match name {
            ScaleName::Fraction => ScaleKind::Fraction,
            ScaleName::Percent => ScaleKind::Percent,
            ScaleName::Unbounded => ScaleKind::Unbounded,
        }
    }
}

impl ScaleName {
    fn parse(text: &str) -> Option<Self> {
        match text {
            "fraction" => Some(ScaleName::Fraction),
            "percent" => Some(ScaleName::Percent),
            "unbounded" => Some(ScaleName::Unbounded),
            _ => None,
        }
    }
}

/// The stated scales, `{"benchmark": "percent", ...}`, in the order sent. A
/// benchmark named twice is kept twice, so that the check refuses it
/// rather than a map keeping the last one silently.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ScalesField(pub Vec<(String, ScaleName)>);

impl<'de> Deserialize<'de> for ScalesField {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = ScalesField;

            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str(
                    "an object naming a scale per benchmark: \"fraction\", \"percent\" or \
                     \"unbounded\"",
                )
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<ScalesField, A::Error> {
                let mut scales = Vec::new();
                while let Some((benchmark, scale)) = map.next_entry::<String, ScaleName>()? {
                    // A benchmark's name, as the leaderboard's labels are read.
                    scales.push((crate::ingest::json::trim_label(benchmark), scale));
                }
                Ok(ScalesField(scales))
            }
        }
        deserializer.deserialize_map(Visitor)
    }
}

leaderboard_request! {
    /// A sparse leaderboard (models x benchmarks; `null` for a score nobody
    /// ran) and the completion's options.
    #[schema(example = json!(complete_request_example()))]
    pub struct CompleteRequest {
        /// The level of the prediction intervals, in (0, 1). Default 0.9.
        #[serde(default)]
        #[schema(exclusive_minimum = 0, exclusive_maximum = 1)]
        pub interval: Option<f64>,
        /// How many benchmarks to choose for a new model to run first, in
        /// order (0 to 50, and at most the benchmarks observed for at least
        /// 3 models). Default 0: none.
        #[serde(default)]
        #[schema(value_type = Option<i64>, minimum = 0, maximum = 50)]
        pub probes: Option<SentNumber>,
        /// The scale of some benchmarks, by name; the others are detected
        /// (docs/complete.md gives the rule). A score outside a stated
        /// bounded scale is refused.
        #[serde(default)]
        #[schema(value_type = Option<std::collections::BTreeMap<String, ScaleName>>)]
        pub scales: Option<ScalesField>,
        /// true: also return Vega-Lite v5 specifications of the completed
        /// matrix (a heatmap), the calibration of the cross-validated cells
        /// and, with probes, the probe curve.
        #[serde(default)]
        pub charts: Option<bool>,
    }
}

/// The example of the OpenAPI document: six models, four benchmarks (one
/// an Elo rating), three scores nobody ran.
pub fn complete_request_example() -> serde_json::Value {
    serde_json::json!({
        "models": ["model-a", "model-b", "model-c", "model-d", "model-e", "model-f"],
        "benchmarks": ["MMLU", "GSM8K", "HumanEval", "Arena Elo"],
        "scores": [[45.2, 30.1, 22.0, 1105],
                   [58.7, 51.3, 35.5, 1160],
                   [63.0, null, 41.2, 1181],
                   [70.4, 72.8, null, 1220],
                   [77.9, 81.5, 60.3, null],
                   [82.1, 88.0, 71.9, 1281]],
        "interval": 0.9,
        "scales": {"Arena Elo": "unbounded"}
    })
}

table_query! {
    /// Query parameters. The table ones and the options apply to table
    /// bodies; a JSON body carries its options itself. They are validated
    /// on every request, whatever the body.
    pub struct CompleteQuery {
        /// As `interval` in the JSON body.
        #[param(exclusive_minimum = 0, exclusive_maximum = 1)]
        pub interval: Option<f64>,
        /// As `probes` in the JSON body.
        #[param(minimum = 0, maximum = 50)]
        pub probes: Option<i64>,
        /// As `scales` in the JSON body, written `benchmark:scale` pairs,
        /// comma-separated (`Arena Elo:unbounded,MMLU:percent`); a name
        /// holding a comma goes in double quotes, and a name may hold
        /// colons (the scale is after the last one).
        #[param(min_length = 1)]
        pub scales: Option<String>,
        /// As `charts` in the JSON body.
        pub charts: Option<bool>,
    }
}

/// `POST /v1/complete`.
pub type CompleteEndpoint = LeaderboardEndpoint<CompleteQuery, CompleteRequest>;

/// What /v1/complete is asked besides the leaderboard.
#[derive(Debug, Default)]
pub struct CompleteOptions {
    pub interval: Option<f64>,
    pub probes: Option<SentNumber>,
    pub scales: Vec<(String, ScaleName)>,
    pub charts: bool,
}

impl JsonRequest for CompleteRequest {
    type Options = CompleteOptions;

    fn into_parts(mut self) -> Result<(Leaderboard, CompleteOptions), ApiError> {
        let (leaderboard, _) = self.take_leaderboard();
        Ok((
            leaderboard,
            CompleteOptions {
                interval: self.interval,
                probes: self.probes,
                scales: self.scales.unwrap_or_default().0,
                charts: self.charts.unwrap_or(false),
            },
        ))
    }
}

impl CompleteQuery {
    /// `scales` as pairs: `benchmark:scale`, comma-separated.
    fn scale_list(&self) -> Result<Vec<(String, ScaleName)>, ApiError> {
        let Some(text) = &self.scales else {
            return Ok(Vec::new());
        };
        query::list("scales", text)?
            .into_iter()
            .map(|item| {
                let parsed = item.rsplit_once(':').and_then(|(benchmark, scale)| {
                    let benchmark = benchmark.trim();
                    let scale = ScaleName::parse(scale.trim())?;
                    (!benchmark.is_empty()).then(|| (benchmark.to_owned(), scale))
                });
                parsed.ok_or_else(|| {
                    ApiError::new(
                        ErrorCode::InvalidQuery,
                        format!(
                            "scales must be benchmark:scale pairs, comma-separated, each scale \
                             fraction, percent or unbounded (e.g. scales=Arena Elo:unbounded), \
                             got {item:?}"
                        ),
                    )
                })
            })
            .collect()
    }
}

impl LeaderboardQuery for CompleteQuery {
    type Options = CompleteOptions;

    fn check(&self) -> Result<(), ApiError> {
        query::within(
            "interval",
            self.interval,
            |v| v > 0.0 && v < 1.0,
            "in (0, 1)",
        )?;
        query::within(
            "probes",
            self.probes,
            |v| (0..=MAX_PROBES as i64).contains(&v),
            &format!("a whole number from 0 to {MAX_PROBES}"),
        )?;
        self.scale_list().map(drop)
    }

    fn options(&self) -> Result<CompleteOptions, ApiError> {
        Ok(CompleteOptions {
            interval: self.interval,
            probes: self.probes.map(SentNumber::from),
            scales: self.scale_list()?,
            charts: self.charts.unwrap_or(false),
        })
    }
}

impl Analysis for CompleteOptions {
    type Answer = CompleteResponse;

    fn answer(
        self,
        leaderboard: Leaderboard,
        limits: &Limits,
    ) -> Result<CompleteResponse, ApiError> {
        let options = self;
        request::check(&leaderboard, &Default::default(), limits, 0)?;
        let probes = match &options.probes {
            None => 0,
            Some(k) => {
                let k = k.whole_in(
                    "probes",
                    0..=i64::MAX,
                    "a whole number, at least 0",
                    ErrorCode::InvalidCompletion,
                )?;
                usize::try_from(k).unwrap_or(usize::MAX)
            }
        };
        let params = CompleteParams::new()
            .level(options.interval.unwrap_or(0.9))
            .probes(probes)
            .scales(
                options
                    .scales
                    .into_iter()
                    .map(|(benchmark, scale)| (benchmark, scale.into()))
                    .collect(),
            )
            .check()?;
        let (matrix, _, absent) = leaderboard.into_matrix()?;
        let completion = complete::complete(&matrix, &params)?;
        let charts = options
            .charts
            .then(|| charts::complete::complete(&matrix, &completion));
        Ok(CompleteResponse::new(matrix, completion, absent, charts))
    }
}

/// A predicted score, in the benchmark's own units.
#[derive(Debug, Serialize, ToSchema)]
pub struct PredictionOut<'a> {
    pub model: &'a str,
    pub benchmark: &'a str,
    /// The predicted score.
    pub value: f64,
    /// The interval at the `interval` level (a bounded benchmark's within
    /// its bounds).
    pub lower: f64,
    pub upper: f64,
}

/// A missing cell without a prediction.
#[derive(Debug, Serialize, ToSchema)]
pub struct NotPredictedOut<'a> {
    pub model: &'a str,
    pub benchmark: &'a str,
    /// `model_without_score` (the model has no score on any benchmark), or
    /// `benchmark_too_sparse` (observed for fewer models than the method
    /// needs: 3).
    pub reason: &'static str,
    /// The reason in words.
    pub detail: String,
}

/// The leaderboard's labels, one copy for every cell that names them.
#[derive(Debug)]
struct Labels {
    models: Vec<String>,
    benchmarks: Vec<String>,
}

/// The predictions, serialised one by one as [`PredictionOut`].
#[derive(Debug)]
pub struct Predictions {
    labels: Arc<Labels>,
    cells: Vec<Prediction>,
}

impl Predictions {
    pub fn len(&self) -> usize {
        self.cells.len()
    }

    pub fn is_empty(&self) -> bool {
        self.cells.is_empty()
    }
}

impl Serialize for Predictions {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(self.cells.len()))?;
        for p in &self.cells {
            seq.serialize_element(&PredictionOut {
                model: &self.labels.models[p.row],
                benchmark: &self.labels.benchmarks[p.col],
                value: p.value,
                lower: p.lower,
                upper: p.upper,
            })?;
        }
        seq.end()
    }
}

/// The cells without a prediction: the core's, then each benchmark of the
/// models a long table left without a row.
#[derive(Debug)]
pub struct NotPredictedList {
    labels: Arc<Labels>,
    cells: Vec<NotPredicted>,
    absent: Vec<String>,
}

impl Serialize for NotPredictedList {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let benchmarks = &self.labels.benchmarks;
        let mut seq = serializer.serialize_seq(Some(
            self.cells.len() + self.absent.len() * benchmarks.len(),
        ))?;
        for c in &self.cells {
            seq.serialize_element(&NotPredictedOut {
                model: &self.labels.models[c.row],
                benchmark: &benchmarks[c.col],
                reason: c.reason.code(),
                detail: c.reason.describe(),
            })?;
        }
        for model in &self.absent {
            for benchmark in benchmarks {
                seq.serialize_element(&NotPredictedOut {
                    model,
                    benchmark,
                    reason: "model_without_score",
                    detail: "the model has no score on the benchmarks read".into(),
                })?;
            }
        }
        seq.end()
    }
}

/// The method's own estimate of its error, from the observed cells alone:
/// each observed cell predicted by the fits that did not see it (an inner
/// cross-validation), scored against its score.
#[derive(Debug, Serialize, ToSchema)]
pub struct CrossValidationOut {
    /// The cross-validated cells.
    pub n: usize,
    /// In points: fractions x 100, percentages as they are, an unbounded
    /// benchmark's errors scaled by the ratio of the bounded benchmarks'
    /// median spread to its spread.
    pub median_abs_error: f64,
    pub mean_abs_error: f64,
    /// The share of the cells inside their interval.
    pub coverage: f64,
    /// The median width of their intervals, in points.
    pub median_width: f64,
    /// Inner folds that held cells.
    pub folds: usize,
    /// The same per benchmark with cross-validated cells, in request
    /// order, in the benchmark's own units.
    pub per_benchmark: Vec<BenchmarkCvOut>,
}

/// One benchmark's cross-validated error, in its own units.
#[derive(Debug, Serialize, ToSchema)]
pub struct BenchmarkCvOut {
    pub benchmark: String,
    pub n: usize,
    pub median_abs_error: f64,
    pub mean_abs_error: f64,
    pub coverage: f64,
    pub median_width: f64,
}

/// A benchmark's scale and how it was decided.
#[derive(Debug, Serialize, ToSchema)]
pub struct ScaleOut {
    pub benchmark: String,
    pub scale: ScaleName,
    /// `stated`, `fraction_range`, `percent_range`,
    /// `outvoted_by_percent_columns`, `outside_bounded_ranges` or
    /// `no_observed_score` (docs/complete.md gives the rule).
    pub decided_by: &'static str,
}

/// One variant of a predictor and its inner-CV loss (the mean of the
/// central absolute errors, in points).
#[derive(Debug, Serialize, ToSchema)]
pub struct VariantOut {
    /// The bandwidth (`knn`, `rknn`), the exponent (`reg`), 0 for `bmf`.
    pub value: f64,
    pub loss: f64,
}

/// A predictor of the blend: its variants, the one chosen, its weight.
#[derive(Debug, Serialize, ToSchema)]
pub struct PredictorOut {
    /// `bmf` (Bayesian low-rank factorisation with biases), `knn`
    /// (similar models), `reg` (benchmark-to-benchmark regressions),
    /// `rknn` (similar models on the factorisation's residuals).
    pub name: &'static str,
    /// The variant chosen by the inner cross-validation.
    pub chosen: f64,
    /// Its weight in the blend.
    pub weight: f64,
    pub variants: Vec<VariantOut>,
}

/// The interval model: a log-linear risk model of the inner-CV errors,
/// calibrated split-conformally.
#[derive(Debug, Serialize, ToSchema)]
pub struct IntervalOut {
    pub level: f64,
    /// The risk model's features, in the order of `coefficients`.
    pub features: Vec<&'static str>,
    pub coefficients: Vec<f64>,
    /// The conformal quantile of |error| / risk.
    pub conformal_quantile: f64,
    /// The cross-validated cells it was calibrated on.
    pub n_calibration: usize,
}

/// The answer's constants, made from the core's list of them: the same
/// names (but where the list gives the answer's own) and types, in the same
/// order. Their meanings are the core's docs, left out here as they always
/// were from the schema. The wire name arrives as a `tt`: captured as a
/// `literal` fragment, it reaches utoipa's derive as an opaque group that
/// the derive does not read as a rename (serde does), and the schema would
/// keep the core's name.
macro_rules! constants_out {
    ($($(#[$doc:meta])* $name:ident: $type:ty = $default:expr $(, wire $wire:tt)?;)*) => {
        /// The method's constants, fixed in advance (docs/complete.md says why).
        #[derive(Debug, Serialize, ToSchema)]
        pub struct ConstantsOut {
            $($(#[serde(rename = $wire)])? pub $name: $type,)*
        }

        impl From<Settings> for ConstantsOut {
            fn from(s: Settings) -> Self {
                ConstantsOut {
                    $($name: s.$name,)*
                }
            }
        }
    };
}

complete::with_settings!(constants_out);

/// What was used and what was chosen.
#[derive(Debug, Serialize, ToSchema)]
pub struct MethodOut {
    /// Each benchmark's scale, in request order.
    pub scales: Vec<ScaleOut>,
    /// The four predictors of the blend, in blend order.
    pub predictors: Vec<PredictorOut>,
    pub interval: IntervalOut,
    pub constants: ConstantsOut,
}

/// The benchmarks for a new model to run first.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProbesOut {
    /// In the order chosen (greedily).
    pub benchmarks: Vec<String>,
    /// The search's estimate of the median absolute error (points) of the
    /// other benchmarks after each probe.
    pub expected_error: Vec<f64>,
}

/// The completed leaderboard.
#[derive(Debug, Serialize, ToSchema)]
pub struct CompleteResponse {
    /// One per missing cell that can be predicted, model by model in
    /// request order.
    #[schema(value_type = Vec<PredictionOut>)]
    pub predictions: Predictions,
    /// The missing cells that cannot be predicted, with their reason.
    #[schema(value_type = Vec<NotPredictedOut>)]
    pub not_predicted: NotPredictedList,
    pub cross_validation: CrossValidationOut,
    pub method: MethodOut,
    /// With `probes` > 0.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub probes: Option<ProbesOut>,
    /// With `charts`: Vega-Lite v5 specifications `{heatmap, calibration}`,
    /// and `probes` with probes, with their data inline.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub charts: Option<serde_json::Value>,
}

impl CompleteResponse {
    fn new(
        matrix: crate::analysis::BenchmarkMatrix,
        completion: Completion,
        absent: Vec<String>,
        charts: Option<serde_json::Value>,
    ) -> Self {
        let (models, benchmarks) = matrix.into_labels();
        let labels = Arc::new(Labels { models, benchmarks });
        let name = |col: usize| labels.benchmarks[col].clone();
        let cv = &completion.cross_validation;
        let o = &cv.overall;
        let cross_validation = CrossValidationOut {
            n: o.n,
            median_abs_error: o.median_abs_error,
            mean_abs_error: o.mean_abs_error,
            coverage: o.coverage,
            median_width: o.median_width,
            folds: cv.folds_used,
            per_benchmark: cv
                .per_benchmark
                .iter()
                .map(|b| BenchmarkCvOut::new(name(b.col), &b.summary))
                .collect(),
        };
        let m = &completion.method;
        let chosen = [
            0.0,
            m.choices.knn_bandwidth,
            m.choices.reg_exponent,
            m.choices.rknn_bandwidth,
        ];
        let method = MethodOut {
            scales: m
                .scales
                .iter()
                .enumerate()
                .map(|(col, s)| ScaleOut {
                    benchmark: name(col),
                    scale: match s.kind {
                        ScaleKind::Fraction => ScaleName::Fraction,
                        ScaleKind::Percent => ScaleName::Percent,
                        ScaleKind::Unbounded => ScaleName::Unbounded,
                    },
                    decided_by: s.source.as_str(),
                })
                .collect(),
            predictors: (0..PREDICTORS.len())
                .map(|k| PredictorOut {
                    name: PREDICTORS[k],
                    chosen: chosen[k],
                    weight: m.weights.0[k],
                    variants: m.choices.losses[k]
                        .iter()
                        .map(|v| VariantOut {
                            value: v.value,
                            loss: v.loss,
                        })
                        .collect(),
                })
                .collect(),
            interval: IntervalOut {
                level: m.interval.level,
                features: RISK_FEATURES.to_vec(),
                coefficients: m.interval.coefficients.to_vec(),
                conformal_quantile: m.interval.conformal_quantile,
                n_calibration: m.interval.n_calibration,
            },
            constants: m.settings.clone().into(),
        };
        let probes = completion.probes.as_ref().map(|p| ProbesOut {
            benchmarks: p.benchmarks.iter().map(|&col| name(col)).collect(),
            expected_error: p.expected_error.clone(),
        });
        CompleteResponse {
            predictions: Predictions {
                labels: labels.clone(),
                cells: completion.predictions,
            },
            not_predicted: NotPredictedList {
                labels,
                cells: completion.not_predicted,
                absent,
            },
            cross_validation,
            method,
            probes,
            charts,
        }
    }
}

impl BenchmarkCvOut {
    fn new(benchmark: String, s: &ErrorSummary) -> Self {
        BenchmarkCvOut {
            benchmark,
            n: s.n,
            median_abs_error: s.median_abs_error,
            mean_abs_error: s.mean_abs_error,
            coverage: s.coverage,
            median_width: s.median_width,
        }
    }
}

handler! {
    /// Complete a sparse leaderboard.
    ///
    /// Predicts every missing score with a calibrated interval, from a blend
    /// of a Bayesian low-rank factorisation, similar models and benchmark
    /// regressions whose choices are made by a cross-validation over the
    /// observed cells of the request; answers that cross-validation's error
    /// and coverage, what was chosen, and (with `probes`) which benchmarks a
    /// new model should run first. Benchmarks may be fractions, percentages
    /// or unbounded (Elo ratings, dollars): detected by a documented rule, or
    /// stated in `scales`. The same request gives the same answer, bit for
    /// bit. The body is JSON (`null` for a missing score), or a table (CSV,
    /// Parquet, an Arrow stream; wide or long) with its options in the query
    /// string.
    post "/v1/complete" => post_complete(CompleteEndpoint), tag "complete",
    leaderboard(CompleteQuery, CompleteRequest, csv = "Model,MMLU,GSM8K,HumanEval\nmodel-a,45.2,30.1,22.0\nmodel-b,58.7,51.3,35.5\nmodel-c,63.0,,41.2\nmodel-d,70.4,72.8,\nmodel-e,77.9,81.5,60.3\nmodel-f,82.1,88.0,71.9\n"),
    ok(description = "The predictions, the cross-validated error, the method's choices", body = CompleteResponse),
    unanswerable "Well-formed but unanswerable. `invalid_request`, `unknown_field`, \
            `invalid_query` (interval outside (0, 1), probes outside 0..=50, a scales pair that is \
            not benchmark:scale), `number_out_of_range`, `shape_mismatch`, `empty_label`, \
            `duplicate_model`, `duplicate_benchmark`, `no_benchmarks`, `non_finite_score`, \
            `too_few_models` (fewer than 3 models), `invalid_completion` (interval outside (0, 1), \
            probes not a whole number from 0 to 50 or more than the benchmarks observed for at \
            least 3 models, a stated scale naming no benchmark or named twice, a score outside its \
            stated scale, no observed score that the cross-validation can hold out); for a table \
            also `invalid_csv`, `invalid_parquet`, `invalid_arrow`, `unknown_column`, \
            `no_matching_columns`, `invalid_score`, `empty_label`, `duplicate_score`. A model or a \
            benchmark without enough scores is no error: its cells are listed in `not_predicted`",
}
