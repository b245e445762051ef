//! `POST /v1/scaling/skills`: the skills scaling law of *Sloth* (Maia Polo
//! et al., ICML 2025), which predicts every benchmark of a model from its
//! parameters, training tokens and family, and so a new family's larger
//! models from its smallest one; with `evaluate`, the paper's
//! leave-family-group-out protocol and its two baselines in the same run.

use actix_web::post;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::required;
use crate::analysis::ParamGuard;
use crate::analysis::skills::SkillsBasis as FittedSkillsBasis;
use crate::analysis::skills::{
    self, BaselineScores, FittedRange, Link, OutsideRange, ProtocolScores, Size, SkillsData,
    SkillsEvaluation, SkillsFit, SkillsParams,
};
use crate::api::basis::{SkillsBasis, SkillsFittedRange};
use crate::api::body::Limits;
use crate::api::endpoint::{Analysis, LeaderboardEndpoint, LeaderboardQuery, handler};
use crate::api::error::{ApiError, ErrorCode};
use crate::api::options::{LinkName, SentNumber};
use crate::api::query::{self, table_query};
use crate::api::request::{self, JsonRequest, leaderboard_request};
use crate::api::schemas;
use crate::charts;
use crate::ingest::{Leaderboard, PerModelColumns};

/// The paper's protocol: for each group of families, fit on every other
/// family plus each group family's `n_train_models` smallest scored models
/// (by params), then predict the group's other scored models.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EvaluateSpec {
    /// Groups of families held out together (each family a value of
    /// `families`).
    #[schema(schema_with = schemas::family_groups)]
    #[serde(deserialize_with = "crate::ingest::json::labels")]
    pub groups: Vec<Vec<String>>,
    /// Training models kept per group family. Default 1.
    #[serde(default)]
    #[schema(value_type = Option<i64>, minimum = 1)]
    pub n_train_models: Option<SentNumber>,
}

leaderboard_request! {
    /// A leaderboard (scores as fractions in [0, 1]; null = not evaluated),
    /// each model's size, training tokens and family, and the law's options.
    #[schema(example = json!(skills_request_example()))]
    pub struct SkillsRequest {
        size_and_family,
        /// Each benchmark's chance floor c in [0, 1) (e.g. 0.25 for four-way
        /// multiple choice): y = c + (1 - c) g(eta). Default 0 for all.
        #[serde(default)]
        #[schema(schema_with = schemas::floors)]
        pub floors: Option<Vec<f64>>,
        /// The number of skills d (at most the number of benchmarks).
        /// Default 4, or one fewer than the benchmarks when there are fewer
        /// than five (chosen by leave-one-family-out on the Open LLM
        /// Leaderboard v2's training families; docs/skills.md).
        #[serde(default)]
        #[schema(value_type = Option<i64>, minimum = 1)]
        pub skills: Option<SentNumber>,
        /// Default `monotone`.
        #[serde(default)]
        pub link: Option<LinkName>,
        /// Accepted for compatibility with the paper's interface, and
        /// ignored: the fit has no random step (its start is an SVD, its
        /// steps deterministic), so every seed gives the same answer.
        #[serde(default)]
        #[schema(value_type = Option<i64>, minimum = 0)]
        pub seed: Option<SentNumber>,
        /// Also run the paper's protocol on these groups, with both baselines.
        #[serde(default)]
        pub evaluate: Option<EvaluateSpec>,
        /// true: also return `basis`, the fitted law, which
        /// /v1/scaling/predict takes to predict models of its families from
        /// their params and tokens, exactly as this answer predicts them.
        #[serde(default)]
        pub return_basis: Option<bool>,
        /// true: also return Vega-Lite v5 specifications (`charts`):
        /// predicted against observed per benchmark (an evaluation's
        /// held-out models marked), the loadings heatmap, and each family's
        /// efficiency.
        #[serde(default)]
        pub charts: Option<bool>,
    }
}

/// The spec's example request: eighteen models of six families of the Open
/// LLM Leaderboard v2 (tests/fixtures/sloth/), Qwen2's larger three
/// unscored, predicted from Qwen2-0.5B and the other families.
pub fn skills_request_example() -> serde_json::Value {
    serde_json::from_str(include_str!("../examples/skills_request.json"))
        .expect("the example is JSON")
}

/// A family's efficiency: its offset in skill space.
#[derive(Debug, Serialize, ToSchema)]
pub struct FamilyOut {
    pub family: String,
    /// One value per skill.
    pub efficiency: Vec<f64>,
    /// The family's scored models, which the fit used.
    pub fitted_models: usize,
}

/// What the law says about one model.
#[derive(Debug, Serialize, ToSchema)]
pub struct SkillsPrediction {
    pub model: String,
    pub family: String,
    /// Whether the model has a score (and so took part in the fit).
    pub fitted: bool,
    /// Its skills z (one per skill).
    pub skills: Vec<f64>,
    /// One predicted score per benchmark, in the request's order.
    pub predicted: Vec<f64>,
    /// Its params or tokens outside the sizes the law was fitted on
    /// (`fitted_range`), where the law extrapolates; empty inside them.
    pub outside_fitted_range: Vec<OutsideFittedRange>,
}

/// A model's size.
#[derive(Debug, Clone, Copy, Serialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum SizeName {
    /// Parameters, in billions.
    Params,
    /// Training tokens, in trillions.
    Tokens,
}

/// A size of a predicted model outside the sizes the law was fitted on.
/// There the skills are extrapolated linearly in ln S, ln T and ln S ln T,
/// which nothing in the fit supports (docs/skills.md, "Outside the fitted
/// sizes").
#[derive(Debug, Serialize, ToSchema)]
pub struct OutsideFittedRange {
    pub size: SizeName,
    /// The model's value.
    pub value: f64,
    /// The smallest and largest among the fitted models.
    pub fitted_range: [f64; 2],
}

impl From<&OutsideRange> for OutsideFittedRange {
    fn from(outside: &OutsideRange) -> Self {
        OutsideFittedRange {
            size: match outside.size {
                Size::Params => SizeName::Params,
                Size::Tokens => SizeName::Tokens,
            },
            value: outside.value,
            fitted_range: [outside.range.0, outside.range.1],
        }
    }
}

fn outside(range: &FittedRange, params: f64, tokens: f64) -> Vec<OutsideFittedRange> {
    range
        .outside(params, tokens)
        .iter()
        .map(OutsideFittedRange::from)
        .collect()
}

/// A model's scores as the law read them.
#[derive(Debug, Serialize, ToSchema)]
pub struct ObservedScores {
    pub model: String,
    /// One per benchmark, in the request's order; null where the model has
    /// no score (a model with none is predicted, not fitted).
    pub scores: Vec<Option<f64>>,
    /// true when an evaluation group held these scores out of its fit to
    /// test on them (the model is in its `test_models`); false without
    /// `evaluate`. The law itself is fitted on every score.
    pub held_out: bool,
}

/// The fit's error on its own scored cells, in percentage points.
#[derive(Debug, Serialize, ToSchema)]
pub struct TrainingError {
    /// Mean |predicted - score| over every scored cell.
    pub mae_pp: f64,
    /// The same per benchmark, in the request's order.
    pub per_benchmark_pp: Vec<f64>,
}

/// One method on one group's test models.
#[derive(Debug, Serialize, ToSchema)]
pub struct MethodErrors {
    /// Per test model (in `test_models` order), a prediction per benchmark.
    pub predicted: Vec<Vec<f64>>,
    /// Per test model, |predicted - score| per benchmark; null where the
    /// model has no score.
    pub abs_errors: Vec<Vec<Option<f64>>>,
    /// Per benchmark, the mean error over the test models (pp); null when
    /// none has a score there.
    pub per_benchmark_pp: Vec<Option<f64>>,
}

/// One held-out group.
#[derive(Debug, Serialize, ToSchema)]
pub struct GroupOut {
    pub families: Vec<String>,
    /// The group families' models that trained (each family's
    /// `n_train_models` smallest scored ones), in request order.
    pub train_models: Vec<String>,
    /// The group's other scored models, predicted with their scores
    /// hidden, in request order. Empty when no family has more than
    /// `n_train_models` scored models: the group is then skipped (the
    /// methods below are null) and takes no part in the totals.
    pub test_models: Vec<String>,
    /// The skills law, as this request configures it.
    pub skills: Option<MethodErrors>,
    /// Per test model (in `test_models` order), its params or tokens outside
    /// the sizes the group's skills law was fitted on; empty inside them.
    pub outside_fitted_range: Vec<Vec<OutsideFittedRange>>,
    /// PCA (2 components) with least squares on [ln FLOPs, family one-hot].
    pub pca_flops: Option<MethodErrors>,
    /// Per benchmark, a sigmoid in ln FLOPs with family intercepts.
    pub flops_sigmoid: Option<MethodErrors>,
}

/// A method's error over the protocol, aggregated as the paper does: the
/// mean over a group's test models, then over groups, then over benchmarks.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProtocolError {
    pub mae_pp: f64,
    /// Per benchmark, the mean over groups (pp); null when no test model
    /// has a score there (it then takes no part in `mae_pp`).
    pub per_benchmark_pp: Vec<Option<f64>>,
}

/// The protocol's splits and errors, for the skills law and both baselines.
#[derive(Debug, Serialize, ToSchema)]
pub struct EvaluationOut {
    pub n_train_models: usize,
    /// In request order.
    pub groups: Vec<GroupOut>,
    pub skills: ProtocolError,
    pub pca_flops: ProtocolError,
    pub flops_sigmoid: ProtocolError,
}

/// A fitted skills law: eta_j = loadings_j . z + intercept_j for benchmark
/// j, score = floor_j + (1 - floor_j) g_j(eta_j), z = A [ln S, ln T,
/// ln S ln T] + the family's efficiency.
#[derive(Debug, Serialize, ToSchema)]
pub struct SkillsResponse {
    /// d, the number of skills used.
    pub skills: usize,
    /// true when d is the default (no `skills` in the request).
    pub skills_default: bool,
    pub link: LinkName,
    /// In the request's order: the rows of `loadings`.
    pub benchmarks: Vec<String>,
    pub floors: Vec<f64>,
    /// One row per benchmark, one loading per skill.
    pub loadings: Vec<Vec<f64>>,
    /// One per benchmark.
    pub intercepts: Vec<f64>,
    /// `monotone`: per benchmark [psi, kappa] of sigmoid(psi)
    /// sigmoid(eta)^exp(kappa) (the parametric half of the link); null for
    /// `sigmoid`.
    pub link_params: Option<Vec<[f64; 2]>>,
    /// In order of first appearance.
    pub families: Vec<FamilyOut>,
    /// The sizes of the fitted (scored) models, smallest and largest: a
    /// prediction outside them is an extrapolation, marked in its
    /// `outside_fitted_range`.
    pub fitted_range: SkillsFittedRange,
    /// Every model, scored or not, in request order, but those in
    /// `dropped_models`.
    pub predictions: Vec<SkillsPrediction>,
    /// The scores the law was fitted on, a row per entry of `predictions`
    /// in the same order.
    pub observed: Vec<ObservedScores>,
    pub training_error: TrainingError,
    /// Models left out, neither fitted nor predicted: those a long table
    /// left with no row once its benchmarks were selected; then those
    /// without params, tokens or a family (null, or an empty cell), in
    /// request order.
    pub dropped_models: Vec<String>,
    /// With `evaluate`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evaluation: Option<EvaluationOut>,
    /// With `return_basis`: the fitted law, for /v1/scaling/predict.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub basis: Option<SkillsBasis>,
    /// With `charts`: `{predicted_vs_observed, loadings, efficiencies}`,
    /// Vega-Lite v5 specifications with their data inline.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub charts: Option<serde_json::Value>,
}

table_query! {
    /// Query parameters. The table ones and the law's options apply to
    /// table bodies (a CSV export); a JSON body carries its options itself.
    /// They are validated on every request, whatever the body.
    pub struct SkillsQuery {
        columns {
            /// The column of each model's parameters, in billions (needed for a table body).
            params_column,
            /// The column of each model's training tokens, in trillions (needed for a table body).
            tokens_column,
            /// The column of each model's family (needed for a table body).
            family_column,
        }
        /// As `floors` in the JSON body, comma-separated, one per benchmark
        /// in the order the benchmarks are read.
        #[param(min_length = 1)]
        pub floors: Option<String>,
        /// As `skills` in the JSON body.
        #[param(minimum = 1)]
        pub skills: Option<i64>,
        /// As `link` in the JSON body.
        #[param(inline)]
        pub link: Option<LinkName>,
        /// As `seed` in the JSON body (ignored: the fit has no random step).
        #[param(minimum = 0)]
        pub seed: Option<i64>,
        /// As `evaluate.groups`: groups separated by `;`, the families of a
        /// group by `,` (e.g. `qwen2,qwen2-instruct;olmo`).
        #[param(min_length = 1)]
        pub evaluate_groups: Option<String>,
        /// As `evaluate.n_train_models` (with `evaluate_groups`).
        #[param(minimum = 1)]
        pub n_train_models: Option<i64>,
        /// As `return_basis` in the JSON body.
        pub return_basis: Option<bool>,
        /// As `charts` in the JSON body.
        pub charts: Option<bool>,
    }
}

/// `POST /v1/scaling/skills`.
pub type SkillsEndpoint = LeaderboardEndpoint<SkillsQuery, SkillsRequest>;

/// What /v1/scaling/skills is asked besides the leaderboard and its
/// per-model columns.
#[derive(Debug)]
pub struct SkillsOptions {
    pub floors: Option<Vec<f64>>,
    pub skills: Option<SentNumber>,
    pub link: Option<LinkName>,
    pub seed: Option<SentNumber>,
    pub evaluate: Option<EvaluateSpec>,
    pub return_basis: bool,
    pub charts: bool,
}

impl JsonRequest for SkillsRequest {
    type Options = SkillsOptions;

    fn into_parts(mut self) -> Result<(Leaderboard, SkillsOptions), ApiError> {
        let (leaderboard, _) = self.take_leaderboard();
        let options = SkillsOptions {
            floors: self.floors,
            skills: self.skills,
            link: self.link,
            seed: self.seed,
            evaluate: self.evaluate,
            return_basis: self.return_basis.unwrap_or(false),
            charts: self.charts.unwrap_or(false),
        };
        Ok((leaderboard, options))
    }
}

impl LeaderboardQuery for SkillsQuery {
    type Options = SkillsOptions;

    fn check(&self) -> Result<(), ApiError> {
        query::within("skills", self.skills, |v| v >= 1, "at least 1")?;
        query::within("seed", self.seed, |v| v >= 0, "at least 0")?;
        query::within(
            "n_train_models",
            self.n_train_models,
            |v| v >= 1,
            "at least 1",
        )?;
        self.floors()?;
        self.evaluate().map(drop)
    }

    fn per_model(&self) -> Result<PerModelColumns, ApiError> {
        Ok(PerModelColumns {
            params: Some(required(self.params_column.as_deref(), "params_column")?.to_owned()),
            tokens: Some(required(self.tokens_column.as_deref(), "tokens_column")?.to_owned()),
            family: Some(required(self.family_column.as_deref(), "family_column")?.to_owned()),
            ..Default::default()
        })
    }

    fn options(&self) -> Result<SkillsOptions, ApiError> {
        Ok(SkillsOptions {
            floors: self.floors()?,
            skills: self.skills.map(SentNumber::from),
            link: self.link,
            seed: self.seed.map(SentNumber::from),
            evaluate: self.evaluate()?,
            return_basis: self.return_basis.unwrap_or(false),
            charts: self.charts.unwrap_or(false),
        })
    }
}

impl SkillsQuery {
    fn floors(&self) -> Result<Option<Vec<f64>>, ApiError> {
        let Some(text) = self.floors.as_deref() else {
            return Ok(None);
        };
        text.split(',')
            .map(|v| match v.trim().parse::<f64>() {
                Ok(x) if x.is_finite() => Ok(x),
                _ => Err(ApiError::new(
                    ErrorCode::InvalidQuery,
                    format!("floors must be comma-separated numbers, got {text:?}"),
                )),
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some)
    }

    /// `evaluate` as the JSON body states it.
    fn evaluate(&self) -> Result<Option<EvaluateSpec>, ApiError> {
        match (self.evaluate_groups.as_deref(), self.n_train_models) {
            (None, None) => Ok(None),
            (None, Some(_)) => Err(ApiError::new(
                ErrorCode::InvalidQuery,
                "n_train_models goes with evaluate_groups",
            )),
            (Some(text), n_train_models) => Ok(Some(EvaluateSpec {
                groups: text
                    .split(';')
                    .map(|group| query::list("evaluate_groups", group))
                    .collect::<Result<_, _>>()?,
                n_train_models: n_train_models.map(SentNumber::from),
            })),
        }
    }
}

impl Analysis for SkillsOptions {
    type Answer = SkillsResponse;

    fn answer(self, leaderboard: Leaderboard, limits: &Limits) -> Result<Self::Answer, ApiError> {
        request::check(&leaderboard, &Default::default(), limits, 0)?;
        let code = ErrorCode::InvalidSkills;
        if let Some(seed) = &self.seed {
            seed.whole_in("seed", 0..=i64::MAX, "a whole number, at least 0", code)?;
        }
        let skills = self
            .skills
            .as_ref()
            .map(|d| d.whole_in("skills", 1..=i64::MAX, "a whole number, at least 1", code))
            .transpose()?
            .map(|d| usize::try_from(d).unwrap_or(usize::MAX));
        let link = self.link.unwrap_or_default();
        let spec = SkillsParams::new()
            .skills(skills)
            .link(link.into())
            .check()?;
        let (matrix, per_model, mut dropped_models) = leaderboard.into_matrix()?;
        let (data, left_out) = SkillsData::of_leaderboard(
            &matrix,
            per_model.params.unwrap_or_default(),
            per_model.tokens.unwrap_or_default(),
            per_model.families.unwrap_or_default(),
            self.floors,
        )?;
        dropped_models.extend(left_out);
        let evaluate = self
            .evaluate
            .map(|e| {
                let n_train_models = match &e.n_train_models {
                    None => 1,
                    Some(n) => n.whole_in(
                        "evaluate.n_train_models",
                        1..=i64::MAX,
                        "a whole number, at least 1",
                        code,
                    )? as usize,
                };
                data.check_groups(&e.groups)?;
                Ok::<_, ApiError>((e.groups, n_train_models))
            })
            .transpose()?;
        let fit = skills::fit_skills(&data, &spec)?;
        let evaluation = evaluate
            .map(|(groups, n_train_models)| skills::evaluate(&data, &spec, &groups, n_train_models))
            .transpose()?;
        let mut response = SkillsResponse::new(
            &data,
            &fit,
            link,
            self.skills.is_none(),
            dropped_models,
            evaluation.as_ref(),
        );
        if self.return_basis {
            response.basis = Some(SkillsBasis::new(&FittedSkillsBasis::of_fit(&fit)));
        }
        if self.charts {
            response.charts = Some(charts::skills::skills(&data, &fit, evaluation.as_ref()));
        }
        Ok(response)
    }
}

fn pp(fraction: f64) -> f64 {
    100.0 * fraction
}

impl MethodErrors {
    fn new(scores: &BaselineScores) -> Self {
        MethodErrors {
            predicted: scores.predictions.clone(),
            abs_errors: scores.abs_errors.clone(),
            per_benchmark_pp: scores.per_benchmark_pp.clone(),
        }
    }
}

impl ProtocolError {
    fn new(scores: &ProtocolScores) -> Self {
        ProtocolError {
            mae_pp: scores.mae_pp,
            per_benchmark_pp: scores.per_benchmark_pp.clone(),
        }
    }
}

impl EvaluationOut {
    fn new(data: &SkillsData, eval: &SkillsEvaluation) -> Self {
        let names = |rows: &[usize]| -> Vec<String> {
            rows.iter()
                .map(|&i| data.models()[i].name.clone())
                .collect()
        };
        EvaluationOut {
            n_train_models: eval.n_train_models,
            groups: eval
                .groups
                .iter()
                .map(|g| GroupOut {
                    families: g.families.clone(),
                    train_models: names(&g.train_models),
                    test_models: names(&g.test_models),
                    skills: g.skills.as_ref().map(MethodErrors::new),
                    outside_fitted_range: match &g.skills_fitted_range {
                        Some(range) => g
                            .test_models
                            .iter()
                            .map(|&i| {
                                let m = &data.models()[i];
                                outside(range, m.params, m.tokens)
                            })
                            .collect(),
                        None => vec![],
                    },
                    pca_flops: g.pca_flops.as_ref().map(MethodErrors::new),
                    flops_sigmoid: g.flops_sigmoid.as_ref().map(MethodErrors::new),
                })
                .collect(),
            skills: ProtocolError::new(&eval.skills),
            pca_flops: ProtocolError::new(&eval.pca_flops),
            flops_sigmoid: ProtocolError::new(&eval.flops_sigmoid),
        }
    }
}

impl SkillsResponse {
    fn new(
        data: &SkillsData,
        fit: &SkillsFit,
        link: LinkName,
        skills_default: bool,
        dropped_models: Vec<String>,
        evaluation: Option<&SkillsEvaluation>,
    ) -> Self {
        let rows = |a: &ndarray::Array2<f64>| -> Vec<Vec<f64>> {
            a.rows().into_iter().map(|r| r.to_vec()).collect()
        };
        let (_, family_of) = data.family_index();
        let mut fitted_models = vec![0; fit.families.len()];
        for (f, &fitted) in family_of.iter().zip(&fit.fitted) {
            fitted_models[*f] += usize::from(fitted);
        }
        SkillsResponse {
            skills: fit.skills,
            skills_default,
            link,
            benchmarks: fit.benchmarks.clone(),
            floors: fit.floors.clone(),
            loadings: rows(&fit.loadings),
            intercepts: fit.intercepts.clone(),
            link_params: (fit.link == Link::Monotone).then(|| {
                fit.link_params
                    .rows()
                    .into_iter()
                    .map(|r| [r[0], r[1]])
                    .collect()
            }),
            families: fit
                .families
                .iter()
                .zip(fit.efficiencies.rows())
                .zip(fitted_models)
                .map(|((family, e), fitted_models)| FamilyOut {
                    family: family.clone(),
                    efficiency: e.to_vec(),
                    fitted_models,
                })
                .collect(),
            fitted_range: fit.fitted_range.into(),
            predictions: data
                .models()
                .iter()
                .enumerate()
                .map(|(i, m)| SkillsPrediction {
                    model: m.name.clone(),
                    family: m.family.clone(),
                    fitted: fit.fitted[i],
                    skills: fit.model_skills.row(i).to_vec(),
                    predicted: fit.predictions.row(i).to_vec(),
                    outside_fitted_range: outside(&fit.fitted_range, m.params, m.tokens),
                })
                .collect(),
            observed: data
                .models()
                .iter()
                .enumerate()
                .map(|(i, m)| ObservedScores {
                    model: m.name.clone(),
                    scores: m.scores.clone(),
                    held_out: evaluation
                        .is_some_and(|e| e.groups.iter().any(|g| g.test_models.contains(&i))),
                })
                .collect(),
            training_error: TrainingError {
                mae_pp: pp(fit.train_mae),
                per_benchmark_pp: fit.train_mae_per_benchmark.iter().map(|&v| pp(v)).collect(),
            },
            dropped_models,
            evaluation: evaluation.map(|e| EvaluationOut::new(data, e)),
            basis: None,
            charts: None,
        }
    }
}

handler! {
    /// The skills scaling law (Sloth): every benchmark from size, tokens and family.
    ///
    /// A few latent skills per model, z = A [ln S, ln T, ln S ln T] + e_family
    /// (S parameters, T training tokens, e the family's efficiency), read by
    /// each benchmark through a monotone link: y_j = c_j + (1 - c_j)
    /// g_j(w_j . z + b_j). Fitted on the scored models; a model whose scores are
    /// all null is predicted from its params, tokens and family, so one scored
    /// model of a new family predicts its larger ones. With `evaluate`, the
    /// paper's leave-family-group-out protocol and two baselines in the same
    /// run. The same request gives the same answer, bit for bit.
    post "/v1/scaling/skills" => post_skills(SkillsEndpoint), tag "scaling",
    leaderboard(SkillsQuery, SkillsRequest, csv = "Model,Family,Params,Tokens,IFEval,BBH,MMLU-PRO\nqwen2-0.5b,qwen2,0.5,12,0.19,0.33,0.17\nqwen2-7b,qwen2,7,7,,,\nolmo-1b,olmo,1,3,0.22,0.31,0.12\nolmo-7b,olmo,7,2.5,0.27,0.33,0.12\n"),
    ok(description = "The fitted skills law, every model's prediction and, with \
            `evaluate`, the protocol's errors", body = SkillsResponse),
    unanswerable "`invalid_request`, `unknown_field`, `number_out_of_range`, \
            `empty_label`, `duplicate_model`, `duplicate_benchmark`, `no_benchmarks`, `non_finite_score` \
            as for /v1/pca; `shape_mismatch` (scores, params, tokens, families or floors not one per \
            model or benchmark), `unobserved_benchmark` (a benchmark no model has a score on), \
            `invalid_compute` (params or tokens not positive; a model without them is left out), \
            `family_without_scores` (a \
            family none of whose models has a score: its efficiency is unknown), `invalid_skills` (a \
            score outside [0, 1], a floor outside [0, 1) or at or above every score of its benchmark, \
            no model with params, tokens and a family, \
            every scored model of the same params, \
            skills less than 1 \
            or more than the benchmarks or the scored models, seed negative, an evaluate group that \
            is empty or names a family no model has, n_train_models less than 1, no group with a model \
            to predict, too few fully scored models for a baseline); for a table also \
            `invalid_query` (no params_column, tokens_column or family_column, floors not numbers, \
            n_train_models without evaluate_groups), `conflicting_metadata` (a long table's model \
            whose rows disagree on a per-model column), and the table codes of /v1/pca",
}
