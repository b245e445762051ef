//! `POST /v1/scaling/select-families`: which models to evaluate next, by
//! the paper's V-optimal design over whole families.

use actix_web::{HttpRequest, HttpResponse, post, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::analysis::design::{self, DesignSpec, FamilySelection};
use crate::analysis::metadata::Families;
use crate::analysis::{BenchmarkMatrix, NComponents};
use crate::api::body::{Limits, answer, json_only, parse_json};
use crate::api::error::{ApiError, ErrorCode, Problem};
use crate::api::options::{Missing, resampling};
use crate::api::pca::PcaResponse;
use crate::api::request::leaderboard_request;
use crate::api::schemas;

/// One budget or several.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum Budgets {
    One(i64),
    Many(Vec<i64>),
}

leaderboard_request! {
    /// A leaderboard, each model's family, and the budget of models to evaluate.
    pub struct SelectFamiliesRequest {
        /// As in /v1/pca; default 3 (the paper's design uses the first 3 PCs).
        #[schema(schema_with = schemas::n_components_fixed)]
        n_components,
        standardize,
        sign,
        missing,
        imputation;
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
    let mut r: SelectFamiliesRequest = parse_json(body)?;
    let invalid = |msg: String| ApiError::new(ErrorCode::InvalidDesign, msg);
    let budgets: Vec<i64> = match r.max_models {
        Budgets::One(b) => vec![b],
        Budgets::Many(ref b) => b.clone(),
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
    let baseline = resampling(
        "baseline_samples",
        r.baseline_samples,
        1000,
        1,
        None,
        r.seed,
        limits.max_resamples,
    )?;
    let leaderboard = r.take_leaderboard();
    leaderboard.check(limits, 0)?;
    let (matrix, options) = leaderboard.into_matrix()?;
    let families = Families::new(r.families, &matrix)?;
    let spec = DesignSpec {
        pca: options.pca_params(NComponents::Count(3))?,
        missing: options.missing_policy(limits.max_iterations)?,
        budgets: budgets.iter().map(|&b| b as usize).collect(),
        required_families: r.required_families.unwrap_or_default(),
        top: top as usize,
        baseline_samples: baseline.count,
        seed: baseline.seed,
    };
    let selection = design::select_families(&matrix, &families, &spec)?;
    Ok(SelectFamiliesResponse::new(
        &matrix,
        &selection,
        options.missing(),
    ))
}

impl SelectFamiliesResponse {
    fn new(matrix: &BenchmarkMatrix, selection: &FamilySelection, missing: Missing) -> Self {
        let names = &selection.families;
        SelectFamiliesResponse {
            n_components: selection.fit.pca.n_components(),
            budgets: selection
                .budgets
                .iter()
                .map(|b| BudgetOut {
                    max_models: b.max_models,
                    best: b
                        .best
                        .iter()
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
            pca: PcaResponse::new(matrix, &selection.fit, missing),
        }
    }
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
