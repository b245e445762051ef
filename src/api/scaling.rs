//! `POST /v1/scaling/compute-fit` and `POST /v1/scaling/law`: the paper's
//! analyses on top of the PCA, over HTTP.

use actix_web::{HttpRequest, HttpResponse, post, web};
use linfa::DatasetBase;
use linfa::traits::Fit;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::body::{Limits, answer, json_only, parse_json};
use super::error::{ApiError, ErrorCode, Problem};
use super::options::{AnalysisOptions, ImputationOptions, Missing, NComponentsField, Sign};
use super::pca::{ImputedCellOut, PcaResponse, respond};
use super::schemas;
use super::scores::{ScoresField, TopLevelScores};
use crate::analysis::scaling::{self, LawSpec, Role, Split};
use crate::analysis::sigmoid::Loss;
use crate::analysis::{BenchmarkMatrix, NComponents, ParamGuard, impute};

/// Compute per model: `flops`, or `params` and `tokens` (FLOPs = 6 N D), as
/// log10 values, each positive; `None` where the request gives none.
fn log10_compute(
    n: usize,
    flops: Option<Vec<Option<f64>>>,
    params: Option<Vec<Option<f64>>>,
    tokens: Option<Vec<Option<f64>>>,
    models: &[String],
) -> Result<Option<Vec<Option<f64>>>, ApiError> {
    let invalid = |msg: String| ApiError::new(ErrorCode::InvalidCompute, msg);
    let check_len = |name: &str, v: &Vec<Option<f64>>| {
        if v.len() == n {
            Ok(())
        } else {
            Err(ApiError::new(
                ErrorCode::ShapeMismatch,
                format!("{name} has {} values, but models gives {n}", v.len()),
            ))
        }
    };
    let compute = match (flops, params, tokens) {
        (None, None, None) => return Ok(None),
        (Some(flops), None, None) => {
            check_len("flops", &flops)?;
            flops
        }
        (None, Some(params), Some(tokens)) => {
            check_len("params", &params)?;
            check_len("tokens", &tokens)?;
            params
                .iter()
                .zip(&tokens)
                .map(|(p, t)| p.zip(*t).map(|(p, t)| 6.0 * p * t))
                .collect()
        }
        (Some(_), _, _) => {
            return Err(invalid("give flops, or params and tokens, not both".into()));
        }
        _ => return Err(invalid("params and tokens go together".into())),
    };
    compute
        .iter()
        .enumerate()
        .map(|(i, c)| match c {
            None => Ok(None),
            Some(c) if *c > 0.0 && c.is_finite() => Ok(Some(c.log10())),
            Some(c) => Err(invalid(format!(
                "the compute of model '{}' must be a positive number, got {c}",
                models[i]
            ))),
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

/// The leaderboard and options common to every scaling endpoint.
struct Leaderboard {
    matrix: BenchmarkMatrix,
    options: AnalysisOptions,
}

impl Leaderboard {
    fn new(
        models: Vec<String>,
        benchmarks: Vec<String>,
        scores: ScoresField,
        options: AnalysisOptions,
        limits: &Limits,
    ) -> Result<Self, ApiError> {
        options.validate()?;
        limits.check_cells(scores.0.values.len())?;
        let matrix = BenchmarkMatrix::new(models, benchmarks, scores.0)?;
        Ok(Self { matrix, options })
    }

    fn families(&self, families: Option<Vec<String>>) -> Result<Option<Vec<String>>, ApiError> {
        match families {
            Some(f) if f.len() != self.matrix.n_models() => Err(ApiError::new(
                ErrorCode::ShapeMismatch,
                format!(
                    "families has {} values, but models gives {}",
                    f.len(),
                    self.matrix.n_models()
                ),
            )),
            other => Ok(other),
        }
    }
}

// ---------------------------------------------------------------------------
// compute-fit

/// A leaderboard, each model's family and compute, and the PCA options.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "models": ["meta-llama/Llama-2-7b-hf", "meta-llama/Llama-2-13b-hf", "meta-llama/Llama-2-70b-hf",
               "EleutherAI/pythia-410m-deduped", "EleutherAI/pythia-1.4b-deduped", "EleutherAI/pythia-6.9b-deduped"],
    "benchmarks": ["MMLU", "ARC-C", "HellaSwag"],
    "scores": [[0.438, 0.5307, 0.7774], [0.5434, 0.5811, 0.8097], [0.6983, 0.6732, 0.8733],
               [0.2599, 0.2602, 0.4049], [0.2556, 0.2935, 0.5208], [0.2564, 0.3643, 0.6453]],
    "n_components": 2,
    "families": ["Llama-2", "Llama-2", "Llama-2", "Pythia", "Pythia", "Pythia"],
    "flops": [84.0, 156.0, 840.0, 0.7380, 2.520, 12.42]
}))]
pub struct ComputeFitRequest {
    #[schema(schema_with = schemas::models)]
    pub models: Vec<String>,
    #[schema(schema_with = schemas::benchmarks)]
    pub benchmarks: Vec<String>,
    #[schema(schema_with = schemas::scores)]
    pub scores: ScoresField,
    /// As in /v1/pca; default 3.
    #[serde(default)]
    #[schema(schema_with = schemas::n_components_fixed)]
    pub n_components: Option<NComponentsField>,
    #[serde(default)]
    pub standardize: Option<bool>,
    #[serde(default)]
    pub sign: Option<Sign>,
    #[serde(default)]
    pub missing: Option<Missing>,
    #[serde(default)]
    pub imputation: Option<ImputationOptions>,
    /// The family of each model (one per model, in order).
    pub families: Vec<String>,
    /// Training compute per model, in any unit (the paper: 1e21 FLOPs); null if unknown.
    #[serde(default)]
    #[schema(schema_with = schemas::compute)]
    pub flops: Option<Vec<Option<f64>>>,
    /// Parameters per model (with `tokens`: FLOPs = 6 N D); null if unknown.
    #[serde(default)]
    #[schema(schema_with = schemas::compute)]
    pub params: Option<Vec<Option<f64>>>,
    /// Training tokens per model (with `params`); null if unknown.
    #[serde(default)]
    #[schema(schema_with = schemas::compute)]
    pub tokens: Option<Vec<Option<f64>>>,
    /// Fit only families with at least this many models of known compute. Default 3.
    #[serde(default)]
    #[schema(minimum = 2)]
    pub min_family_size: Option<i64>,
}

impl TopLevelScores for ComputeFitRequest {
    fn scores_mut(&mut self) -> &mut ScoresField {
        &mut self.scores
    }
}

/// One component's line: score = slope * log10(FLOPs) + intercept.
#[derive(Debug, Serialize, ToSchema)]
pub struct ComponentFit {
    /// 1 for PC1, 2 for PC2, ...
    pub component: usize,
    pub slope: f64,
    pub intercept: f64,
    /// Coefficient of determination; null when the family's scores are constant.
    pub r2: Option<f64>,
}

/// A family's compute fits.
#[derive(Debug, Serialize, ToSchema)]
pub struct FamilyFitOut {
    pub family: String,
    /// Models of the family with known compute (the points of the fits).
    pub n_models: usize,
    pub models: Vec<String>,
    pub fits: Vec<ComponentFit>,
}

/// A family with known compute that was not fitted, and why.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExcludedFamilyOut {
    pub family: String,
    pub n_models: usize,
    pub reason: String,
}

/// How each family's capabilities grow with compute.
#[derive(Debug, Serialize, ToSchema)]
pub struct ComputeFitResponse {
    /// Families with at least `min_family_size` models of known compute, in order of first appearance.
    pub families: Vec<FamilyFitOut>,
    /// Families with known compute left out (too few models, or a single compute value).
    pub excluded_families: Vec<ExcludedFamilyOut>,
    /// Per component, the mean R^2 over the fitted families (null if none has one).
    pub mean_r2: Vec<Option<f64>>,
    /// The PCA the scores come from.
    pub pca: PcaResponse,
}

fn compute_fit_answer(body: &[u8], limits: &Limits) -> Result<ComputeFitResponse, ApiError> {
    let r: ComputeFitRequest = parse_json(body)?;
    let min_family_size = match r.min_family_size {
        None => 3,
        Some(m) if m >= 2 => usize::try_from(m).unwrap_or(usize::MAX),
        Some(m) => {
            return Err(ApiError::new(
                ErrorCode::InvalidRequest,
                format!("min_family_size must be at least 2 (a line needs two points), got {m}"),
            ));
        }
    };
    let options = AnalysisOptions {
        n_components: r.n_components,
        standardize: r.standardize,
        sign: r.sign,
        missing: r.missing,
        imputation: r.imputation,
    };
    let board = Leaderboard::new(r.models, r.benchmarks, r.scores, options, limits)?;
    let families = board.families(Some(r.families))?.expect("given");
    let n = board.matrix.n_models();
    let compute = log10_compute(n, r.flops, r.params, r.tokens, board.matrix.models())?
        .ok_or_else(|| {
            ApiError::new(
                ErrorCode::InvalidCompute,
                "give flops, or params and tokens",
            )
        })?;

    let params = board.options.pca_params(NComponents::Count(3), None)?;
    let policy = board.options.missing_policy(limits.max_iterations)?;
    let (completed, _) = impute::complete(&board.matrix, &policy)?;
    let pca = params.fit(&DatasetBase::new(completed.scores.view(), ()))?;
    let projections = pca.transform(completed.scores.view());
    // Rows of the analysed (kept) models.
    let kept = &completed.rows;
    let kept_families: Vec<String> = kept.iter().map(|&i| families[i].clone()).collect();
    let kept_compute: Vec<Option<f64>> = kept.iter().map(|&i| compute[i]).collect();
    let (fits, excluded) =
        scaling::compute_fits(&projections, &kept_families, &kept_compute, min_family_size);
    let mean_r2 = scaling::mean_r2(&fits, pca.n_components());
    let models = board.matrix.models();
    Ok(ComputeFitResponse {
        families: fits
            .iter()
            .map(|f| FamilyFitOut {
                family: f.family.clone(),
                n_models: f.rows.len(),
                models: f.rows.iter().map(|&r| models[kept[r]].clone()).collect(),
                fits: f
                    .fits
                    .iter()
                    .enumerate()
                    .map(|(c, line)| ComponentFit {
                        component: c + 1,
                        slope: line.slope,
                        intercept: line.intercept,
                        r2: line.r2,
                    })
                    .collect(),
            })
            .collect(),
        excluded_families: excluded
            .into_iter()
            .map(|e| ExcludedFamilyOut {
                family: e.family,
                n_models: e.n_models,
                reason: e.reason.to_owned(),
            })
            .collect(),
        mean_r2,
        pca: respond(
            &board.matrix,
            &pca,
            projections,
            &completed,
            board.options.missing(),
        ),
    })
}

/// Compute efficiency of each model family.
///
/// Fits the PCA (default 3 components) and, within every family with at
/// least `min_family_size` models of known compute, regresses each PC score
/// on log10(FLOPs) by ordinary least squares, as the paper's Figure 3.
#[utoipa::path(
    tag = "scaling",
    request_body(content = ComputeFitRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "Per-family fits of PC scores on log-compute", body = ComputeFitResponse),
        (status = 400, description = "`malformed_json`", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "`payload_too_large` (body over MAX_BODY_BYTES), `too_many_cells` (over MAX_CELLS)", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "`unsupported_media_type`: not application/json, or an unsupported Content-Encoding", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The codes of /v1/pca, and `invalid_compute` (no compute, flops together \
            with params/tokens, a non-positive value), `shape_mismatch` (families or compute not one per model)",
            body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "`deadline_exceeded`: the computation ran past COMPUTE_DEADLINE_MS", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "`internal_error`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/v1/scaling/compute-fit")]
pub async fn post_compute_fit(
    req: HttpRequest,
    payload: web::Payload,
    limits: web::Data<Limits>,
) -> Result<HttpResponse, ApiError> {
    let limits = **limits;
    answer(&req, payload, limits, move |format, body| {
        json_only(format)?;
        compute_fit_answer(body, &limits)
    })
    .await
}

// ---------------------------------------------------------------------------
// law

/// The benchmark to predict.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Target {
    /// Its name (echoed back).
    #[schema(min_length = 1)]
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

/// A leaderboard, a target benchmark, and how to fit and test the law.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScalingLawRequest {
    #[schema(schema_with = schemas::models)]
    pub models: Vec<String>,
    #[schema(schema_with = schemas::benchmarks)]
    pub benchmarks: Vec<String>,
    #[schema(schema_with = schemas::scores)]
    pub scores: ScoresField,
    /// As in /v1/pca; default 3.
    #[serde(default)]
    #[schema(schema_with = schemas::n_components_fixed)]
    pub n_components: Option<NComponentsField>,
    #[serde(default)]
    pub standardize: Option<bool>,
    #[serde(default)]
    pub sign: Option<Sign>,
    #[serde(default)]
    pub missing: Option<Missing>,
    #[serde(default)]
    pub imputation: Option<ImputationOptions>,
    pub target: Target,
    /// Training compute per model (any unit); null if unknown.
    #[serde(default)]
    #[schema(schema_with = schemas::compute)]
    pub flops: Option<Vec<Option<f64>>>,
    /// Parameters per model (with `tokens`: FLOPs = 6 N D).
    #[serde(default)]
    #[schema(schema_with = schemas::compute)]
    pub params: Option<Vec<Option<f64>>>,
    /// Training tokens per model (with `params`).
    #[serde(default)]
    #[schema(schema_with = schemas::compute)]
    pub tokens: Option<Vec<Option<f64>>>,
    /// The family of each model (needed for `reference_family`).
    #[serde(default)]
    pub families: Option<Vec<String>>,
    /// Default: train on every labelled model.
    #[serde(default)]
    pub split: Option<SplitSpec>,
    #[serde(default)]
    pub loss: Option<LossName>,
    /// Huber's delta (scipy's f_scale), in target units after normalisation. Default 0.1.
    #[serde(default)]
    #[schema(exclusive_minimum = 0)]
    pub huber_delta: Option<f64>,
    /// Upper bound of the floor b (lower bound 0). Default 0.2.
    #[serde(default)]
    #[schema(minimum = 0, exclusive_maximum = 1)]
    pub floor_max: Option<f64>,
    /// [lo, hi]: fit (target - lo) / (hi - lo), e.g. [0.25, 1] for four-way
    /// multiple choice. Predictions and metrics are reported in the target's own units.
    #[serde(default)]
    #[schema(schema_with = schemas::range)]
    pub target_range: Option<Vec<f64>>,
    /// A family (e.g. "Llama-2") whose compute-capability line converts every
    /// model's capability to `equivalent_log10_flops`.
    #[serde(default)]
    #[schema(min_length = 1)]
    pub reference_family: Option<String>,
}

impl TopLevelScores for ScalingLawRequest {
    fn scores_mut(&mut self) -> &mut ScoresField {
        &mut self.scores
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
}

fn law_answer(body: &[u8], limits: &Limits) -> Result<ScalingLawResponse, ApiError> {
    let r: ScalingLawRequest = parse_json(body)?;
    let invalid_law = |msg: String| ApiError::new(ErrorCode::InvalidLaw, msg);
    let floor_max = r.floor_max.unwrap_or(0.2);
    if !(0.0..1.0).contains(&floor_max) {
        return Err(invalid_law(format!(
            "floor_max must be in [0, 1), got {floor_max}"
        )));
    }
    if let Some(delta) = r.huber_delta
        && (delta <= 0.0 || !delta.is_finite())
    {
        return Err(invalid_law(format!(
            "huber_delta must be positive, got {delta}"
        )));
    }
    let loss = match r.loss.unwrap_or_default() {
        LossName::LeastSquares => Loss::LeastSquares,
        LossName::Huber => Loss::Huber {
            delta: r.huber_delta.unwrap_or(0.1),
        },
    };
    let target_range = match r.target_range.as_deref() {
        None => None,
        Some(&[lo, hi]) if lo < hi && lo.is_finite() && hi.is_finite() => Some((lo, hi)),
        Some(other) => {
            return Err(ApiError::new(
                ErrorCode::InvalidTarget,
                format!("target_range must be [lo, hi] with lo < hi, got {other:?}"),
            ));
        }
    };
    let split = match r.split {
        None => Split::None,
        Some(SplitSpec::Flops { max_train_flops }) => Split::Flops {
            max_train: max_train_flops,
        },
        Some(SplitSpec::TargetRank { test_fraction }) => Split::TargetRank { test_fraction },
    };
    let options = AnalysisOptions {
        n_components: r.n_components,
        standardize: r.standardize,
        sign: r.sign,
        missing: r.missing,
        imputation: r.imputation,
    };
    let board = Leaderboard::new(r.models, r.benchmarks, r.scores, options, limits)?;
    let n = board.matrix.n_models();
    let families = board.families(r.families)?;
    if r.target.values.len() != n {
        return Err(ApiError::new(
            ErrorCode::ShapeMismatch,
            format!(
                "target.values has {} values, but models gives {n}",
                r.target.values.len()
            ),
        ));
    }
    if let Some(i) = r
        .target
        .values
        .iter()
        .position(|v| v.is_some_and(|v| !v.is_finite()))
    {
        return Err(ApiError::new(
            ErrorCode::InvalidTarget,
            format!(
                "the target of model '{}' is not finite",
                board.matrix.models()[i]
            ),
        ));
    }
    let compute = log10_compute(n, r.flops, r.params, r.tokens, board.matrix.models())?;

    let spec = LawSpec {
        pca: board
            .options
            .pca_params(NComponents::Count(3), None)?
            .check()?,
        missing: board.options.missing_policy(limits.max_iterations)?,
        split,
        loss,
        floor_max,
        target_range,
        reference_family: r.reference_family.clone(),
    };
    let result = scaling::fit_law(
        &board.matrix,
        &r.target.values,
        compute.as_deref(),
        families.as_deref(),
        &spec,
    )?;

    let models = board.matrix.models();
    let benchmarks = board.matrix.benchmarks();
    let denormalise = |y: f64| match target_range {
        Some((lo, hi)) => lo + (hi - lo) * y,
        None => y,
    };
    let mut predictions = Vec::new();
    let (mut train_se, mut test_se, mut test_ae) = (vec![], vec![], vec![]);
    for (i, s) in result.scores.iter().enumerate() {
        let Some(s) = s else { continue };
        let capability = result.law.capability(s.view());
        let predicted = denormalise(result.law.predict(s.view()));
        let observed = r.target.values[i];
        let role = result.roles[i];
        if let Some(y) = observed {
            match role {
                Role::Train => train_se.push((predicted - y).powi(2)),
                Role::Test => {
                    test_se.push((predicted - y).powi(2));
                    test_ae.push((predicted - y).abs());
                }
                Role::Unlabeled => {}
            }
        }
        let equivalent_log10_flops = result
            .reference
            .map(|reference| (capability - reference.line.intercept) / reference.line.slope);
        predictions.push(Prediction {
            model: models[i].clone(),
            split: match role {
                Role::Train => SplitRole::Train,
                Role::Test => SplitRole::Test,
                Role::Unlabeled => SplitRole::Unlabeled,
            },
            observed,
            predicted,
            capability,
            equivalent_log10_flops,
        });
    }
    let mean = |v: &[f64]| (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64);
    let train_matrix = board.matrix.select_rows(&result.train_rows);
    let train_projections = result.pca.transform(result.train.scores.view());
    Ok(ScalingLawResponse {
        target: r.target.name,
        law: LawOut {
            weights: result.law.weights.to_vec(),
            intercept: result.law.intercept,
            floor: result.law.floor,
            loss: r.loss.unwrap_or_default(),
            iterations: result.law.iterations,
            converged: result.law.converged,
        },
        pca: respond(
            &train_matrix,
            &result.pca,
            train_projections,
            &result.train,
            board.options.missing(),
        ),
        metrics: Metrics {
            n_train: train_se.len(),
            n_test: test_se.len(),
            train_mse: mean(&train_se).unwrap_or(0.0),
            test_mse: mean(&test_se),
            test_mae: mean(&test_ae),
        },
        predictions,
        reference: result.reference.map(|reference| ReferenceOut {
            family: r.reference_family.clone().unwrap_or_default(),
            n_models: reference.n_models,
            slope: reference.line.slope,
            intercept: reference.line.intercept,
        }),
        dropped_models: result
            .other
            .dropped
            .iter()
            .map(|&d| models[result.other_rows[d]].clone())
            .collect(),
        imputed: result
            .other
            .imputed
            .iter()
            .map(|c| ImputedCellOut {
                model: models[result.other_rows[c.row]].clone(),
                benchmark: benchmarks[c.col].clone(),
                value: c.value,
            })
            .collect(),
    })
}

/// Sigmoid scaling law from PC scores, with a holdout.
///
/// The paper's observational scaling law: y = (1 - b) sigmoid(w . s + c) + b
/// with s a model's PC scores, fitted on the training models (missing-cell
/// imputation and PCA fitted on them alone), then used to predict every
/// other model with that fit held fixed.
#[utoipa::path(
    tag = "scaling",
    request_body(content = ScalingLawRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "The fitted law, its predictions and holdout errors", body = ScalingLawResponse),
        (status = 400, description = "`malformed_json`", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "`payload_too_large` (body over MAX_BODY_BYTES), `too_many_cells` (over MAX_CELLS)", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "`unsupported_media_type`: not application/json, or an unsupported Content-Encoding", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The codes of /v1/pca, and `invalid_compute`, `invalid_target` \
            (non-finite value, target_range not lo < hi), `invalid_split` (a split by flops without compute), \
            `invalid_law` (floor_max outside [0, 1), huber_delta not positive), `too_few_training_models` \
            (fewer than n_components + 2), `invalid_reference_family` (fewer than two models of \
            different known compute, or no families/compute), `shape_mismatch` (target, families or \
            compute not one per model)",
            body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "`deadline_exceeded`: the computation ran past COMPUTE_DEADLINE_MS", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "`internal_error`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/v1/scaling/law")]
pub async fn post_law(
    req: HttpRequest,
    payload: web::Payload,
    limits: web::Data<Limits>,
) -> Result<HttpResponse, ApiError> {
    let limits = **limits;
    answer(&req, payload, limits, move |format, body| {
        json_only(format)?;
        law_answer(body, &limits)
    })
    .await
}

// ---------------------------------------------------------------------------
// select-families

/// One budget or several.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum Budgets {
    One(i64),
    Many(Vec<i64>),
}

/// A leaderboard, each model's family, and the budget of models to evaluate.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SelectFamiliesRequest {
    #[schema(schema_with = schemas::models)]
    pub models: Vec<String>,
    #[schema(schema_with = schemas::benchmarks)]
    pub benchmarks: Vec<String>,
    #[schema(schema_with = schemas::scores)]
    pub scores: ScoresField,
    /// As in /v1/pca; default 3 (the paper's design uses the first 3 PCs).
    #[serde(default)]
    #[schema(schema_with = schemas::n_components_fixed)]
    pub n_components: Option<NComponentsField>,
    #[serde(default)]
    pub standardize: Option<bool>,
    #[serde(default)]
    pub sign: Option<Sign>,
    #[serde(default)]
    pub missing: Option<Missing>,
    #[serde(default)]
    pub imputation: Option<ImputationOptions>,
    /// The family of each model (one per model, in order).
    pub families: Vec<String>,
    /// The most models to evaluate: one budget, or several (each answered).
    #[schema(schema_with = schemas::budgets)]
    pub max_models: Budgets,
    /// Families every design must include (e.g. the ones already evaluated).
    #[serde(default)]
    pub required_families: Option<Vec<String>>,
    /// How many of the best designs to report per budget. Default 5.
    #[serde(default)]
    #[schema(minimum = 1, maximum = 100)]
    pub top: Option<i64>,
    /// Random subsets for the baseline. Default 1000; at most MAX_RESAMPLES.
    #[serde(default)]
    #[schema(minimum = 1)]
    pub baseline_samples: Option<i64>,
    /// Seed of the baseline. Default 0.
    #[serde(default)]
    #[schema(minimum = 0)]
    pub seed: Option<i64>,
}

impl TopLevelScores for SelectFamiliesRequest {
    fn scores_mut(&mut self) -> &mut ScoresField {
        &mut self.scores
    }
}

/// A set of families to evaluate.
#[derive(Debug, Serialize, ToSchema)]
pub struct DesignOut {
    pub families: Vec<String>,
    pub n_models: usize,
    /// trace(X_all^T X_all (X_S^T X_S)^-1): lower predicts all models better; k when S is everything.
    pub criterion: f64,
}

/// Random subsets of families within the budget, for comparison.
#[derive(Debug, Serialize, ToSchema)]
pub struct BaselineOut {
    pub samples: usize,
    /// Samples whose design was not singular.
    pub valid: usize,
    pub mean_criterion: Option<f64>,
    pub median_criterion: Option<f64>,
}

/// The best designs within one budget.
#[derive(Debug, Serialize, ToSchema)]
pub struct BudgetOut {
    pub max_models: usize,
    /// Best first; empty when no design fits the budget.
    pub best: Vec<DesignOut>,
    pub random_baseline: BaselineOut,
}

/// Which families to evaluate.
#[derive(Debug, Serialize, ToSchema)]
pub struct SelectFamiliesResponse {
    pub n_components: usize,
    pub budgets: Vec<BudgetOut>,
    /// The PCA whose scores the design uses.
    pub pca: PcaResponse,
}

fn select_families_answer(
    body: &[u8],
    limits: &Limits,
) -> Result<SelectFamiliesResponse, ApiError> {
    let r: SelectFamiliesRequest = parse_json(body)?;
    let invalid = |msg: String| ApiError::new(ErrorCode::InvalidDesign, msg);
    let budgets: Vec<i64> = match r.max_models {
        Budgets::One(b) => vec![b],
        Budgets::Many(b) => b,
    };
    if budgets.is_empty() || budgets.len() > 100 || budgets.iter().any(|&b| b < 1) {
        return Err(invalid(
            "max_models must be 1 to 100 budgets, each at least 1".into(),
        ));
    }
    let top = r.top.unwrap_or(5);
    if !(1..=100).contains(&top) {
        return Err(invalid(format!("top must be between 1 and 100, got {top}")));
    }
    let (samples, _, seed) = super::options::resampling(
        "baseline_samples",
        r.baseline_samples,
        1000,
        1,
        None,
        r.seed,
        limits.max_resamples,
    )?;
    let options = AnalysisOptions {
        n_components: r.n_components,
        standardize: r.standardize,
        sign: r.sign,
        missing: r.missing,
        imputation: r.imputation,
    };
    let board = Leaderboard::new(r.models, r.benchmarks, r.scores, options, limits)?;
    let families = board.families(Some(r.families))?.expect("given");
    let params = board.options.pca_params(NComponents::Count(3), None)?;
    let policy = board.options.missing_policy(limits.max_iterations)?;
    let (completed, _) = impute::complete(&board.matrix, &policy)?;
    let pca = params.fit(&DatasetBase::new(completed.scores.view(), ()))?;
    let projections = pca.transform(completed.scores.view());

    // Families of the analysed models, in order of first appearance.
    let mut names: Vec<String> = Vec::new();
    let mut rows: Vec<Vec<usize>> = Vec::new();
    for (r, &i) in completed.rows.iter().enumerate() {
        match names.iter().position(|n| *n == families[i]) {
            Some(f) => rows[f].push(r),
            None => {
                names.push(families[i].clone());
                rows.push(vec![r]);
            }
        }
    }
    let required: Vec<usize> = r
        .required_families
        .unwrap_or_default()
        .iter()
        .map(|name| {
            names.iter().position(|n| n == name).ok_or_else(|| {
                invalid(format!(
                    "required family '{name}' has no model in the leaderboard"
                ))
            })
        })
        .collect::<Result<_, _>>()?;
    let budgets: Vec<usize> = budgets.iter().map(|&b| b as usize).collect();
    let designs = crate::analysis::design::v_optimal(
        projections.view(),
        &rows,
        &required,
        &budgets,
        top as usize,
        samples,
        seed,
    )?;
    Ok(SelectFamiliesResponse {
        n_components: pca.n_components(),
        budgets: designs
            .into_iter()
            .map(|b| BudgetOut {
                max_models: b.max_models,
                best: b
                    .best
                    .into_iter()
                    .map(|d| DesignOut {
                        families: d.families.iter().map(|&f| names[f].clone()).collect(),
                        n_models: d.n_models,
                        criterion: d.criterion,
                    })
                    .collect(),
                random_baseline: BaselineOut {
                    samples: b.baseline.samples,
                    valid: b.baseline.valid,
                    mean_criterion: b.baseline.mean,
                    median_criterion: b.baseline.median,
                },
            })
            .collect(),
        pca: respond(
            &board.matrix,
            &pca,
            projections,
            &completed,
            board.options.missing(),
        ),
    })
}

/// Which model families to evaluate (V-optimal design).
///
/// The paper's selection of models to evaluate: among subsets of whole
/// families within a budget of models, the ones minimising
/// trace(X_all^T X_all (X_S^T X_S)^-1) on the first PC scores, by
/// exhaustive search (at most 20 optional families), with a random-subset
/// baseline.
#[utoipa::path(
    tag = "scaling",
    request_body(content = SelectFamiliesRequest, content_type = "application/json"),
    responses(
        (status = 200, description = "The best family subsets per budget", body = SelectFamiliesResponse),
        (status = 400, description = "`malformed_json`", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "`payload_too_large` (body over MAX_BODY_BYTES), `too_many_cells` (over MAX_CELLS)", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "`unsupported_media_type`: not application/json, or an unsupported Content-Encoding", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The codes of /v1/pca, and `too_many_families` (more than 20 optional \
            families), `invalid_design` (budgets, top, an unknown required family), `invalid_bootstrap` \
            (baseline_samples over MAX_RESAMPLES), `shape_mismatch` (families not one per model)",
            body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "`deadline_exceeded`: the computation ran past COMPUTE_DEADLINE_MS", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "`internal_error`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/v1/scaling/select-families")]
pub async fn post_select_families(
    req: HttpRequest,
    payload: web::Payload,
    limits: web::Data<Limits>,
) -> Result<HttpResponse, ApiError> {
    let limits = **limits;
    answer(&req, payload, limits, move |format, body| {
        json_only(format)?;
        select_families_answer(body, &limits)
    })
    .await
}
