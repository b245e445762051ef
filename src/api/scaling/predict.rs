//! `POST /v1/scaling/predict`: new models predicted by a law that
//! `/v1/scaling/law` fitted (`return_basis`), with nothing refitted.

use actix_web::{HttpRequest, HttpResponse, post, web};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use crate::analysis::basis::LawBasis as FittedLawBasis;
use crate::api::basis::{self, LawBasis};
use crate::api::body::{BodyFormat, Limits, answer};
use crate::api::error::{ApiError, Problem};
use crate::api::pca::{ImputedCellOut, SupplementaryOut};
use crate::api::query;
use crate::api::schemas;
use crate::api::scores::{ScoresField, TopLevelScores};
use crate::api::transform::{
    NewModels, PlacementForm, PlacementQuery, PlacementRequest, form_boundary, read_placement,
};

/// A law basis and the models to predict.
#[derive(Debug, serde::Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!(predict_example()))]
pub struct PredictRequest {
    /// A law basis exactly as /v1/scaling/law answered it with `return_basis`.
    #[schema(value_type = LawBasis)]
    pub basis: Value,
    #[schema(schema_with = schemas::placed_models)]
    pub models: Vec<String>,
    /// The benchmarks of the columns of `scores`, matched to the basis's by
    /// name in any order; columns the basis does not know are ignored.
    #[schema(schema_with = schemas::benchmarks)]
    pub benchmarks: Vec<String>,
    #[schema(schema_with = schemas::scores)]
    pub scores: ScoresField,
}

impl TopLevelScores for PredictRequest {
    fn scores_mut(&mut self) -> &mut ScoresField {
        &mut self.scores
    }
}

impl PlacementRequest for PredictRequest {
    fn into_parts(self) -> (Value, NewModels) {
        let new = NewModels {
            models: self.models,
            benchmarks: self.benchmarks,
            scores: self.scores.0,
            unread: vec![],
        };
        (self.basis, new)
    }
}

/// What the law says about one new model.
#[derive(Debug, Serialize, ToSchema)]
pub struct NewPrediction {
    pub model: String,
    /// The law's prediction, in the target's units.
    pub predicted: f64,
    /// weights . s + intercept.
    pub capability: f64,
    /// log10 of the reference family's compute with the same capability
    /// (present when the law has a reference family).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub equivalent_log10_flops: Option<f64>,
}

/// The law's predictions for the new models.
#[derive(Debug, Serialize, ToSchema)]
pub struct PredictResponse {
    /// The law basis used (its `fingerprint`).
    pub fingerprint: String,
    /// The benchmark the law predicts.
    pub target: String,
    /// Every model placed, in request order: exactly what the law request
    /// gave its test models.
    pub predictions: Vec<NewPrediction>,
    /// Cells filled in by the basis's missing-score model.
    pub imputed: Vec<ImputedCellOut>,
    /// Models left out for missing cells (a `drop_models` basis).
    pub dropped_models: Vec<String>,
    /// Columns sent that the basis does not know, ignored.
    pub ignored_benchmarks: Vec<String>,
}

/// The spec's example request: two new models on the example law basis,
/// one without ARC-C (filled by the basis's `iterative_pca`).
pub fn predict_example() -> Value {
    serde_json::json!({
        "basis": basis::law_basis_example(),
        "models": ["Qwen/Qwen1.5-14B", "google/gemma-7b"],
        "benchmarks": ["MMLU", "ARC-C", "HellaSwag", "GSM8K"],
        "scores": [[0.6936, 0.5657, 0.8108, 0.6763], [0.6603, null, 0.8247, 0.5276]],
    })
}

fn law_benchmarks(basis: &(FittedLawBasis, String)) -> &[String] {
    basis.0.pca().benchmarks()
}

/// Parse, check the basis, match, place, predict: the whole request.
pub fn predict_answer(
    format: BodyFormat,
    body: &[u8],
    boundary: Option<&str>,
    query: &PlacementQuery,
    limits: &Limits,
) -> Result<PredictResponse, ApiError> {
    let ((law, fingerprint), new) = read_placement::<PredictRequest, _>(
        format,
        body,
        boundary,
        query,
        limits,
        |value| basis::read_law_basis(value, limits.max_iterations),
        law_benchmarks,
    )?;
    let aligned = law.pca().align(new.models, new.benchmarks, new.scores)?;
    let placed = law.predict(&aligned.matrix)?;
    let out = SupplementaryOut::new(&aligned.matrix, &placed.placement);
    let mut ignored_benchmarks = new.unread;
    ignored_benchmarks.extend(aligned.ignored);
    Ok(PredictResponse {
        fingerprint,
        target: law.target().to_owned(),
        predictions: out
            .models
            .into_iter()
            .zip(&placed.predictions)
            .map(|(model, p)| NewPrediction {
                model,
                predicted: p.predicted,
                capability: p.capability,
                equivalent_log10_flops: p.equivalent_log10_flops,
            })
            .collect(),
        imputed: out.imputed,
        dropped_models: out.dropped_models,
        ignored_benchmarks,
    })
}

/// Predicts new models with a fitted scaling law.
///
/// The law basis that /v1/scaling/law answered with `return_basis` (kept by
/// the client) places each new model on the training models' PCA, with
/// their missing-score model held fixed, and predicts it exactly as the law
/// request predicted its test models.
#[utoipa::path(
    tag = "scaling",
    params(PlacementQuery),
    request_body(content(
        (PredictRequest = "application/json"),
        (PlacementForm = "multipart/form-data"),
    )),
    responses(
        (status = 200, description = "The law's predictions for the new models", body = PredictResponse),
        (status = 400, description = "`malformed_json`, `invalid_multipart`", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "`payload_too_large` (body, or a Parquet part's decompressed pages, over MAX_BODY_BYTES), `too_many_cells` (over MAX_CELLS)", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "`unsupported_media_type`: neither application/json nor multipart/form-data, or a scores part that is not text/csv, application/vnd.apache.parquet or application/vnd.apache.arrow.stream", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The codes of /v1/pca/transform; `invalid_basis` also for a law \
            basis whose weights are not one per component, whose floor is outside [0, 1), whose \
            target_range is not lo < hi or whose reference line has no slope",
            body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "`deadline_exceeded`: the computation ran past COMPUTE_DEADLINE_MS", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "`internal_error`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/v1/scaling/predict")]
pub async fn post_predict(
    req: HttpRequest,
    payload: web::Payload,
    limits: web::Data<Limits>,
) -> Result<HttpResponse, ApiError> {
    let query: PlacementQuery = query::parse(req.query_string())?;
    let boundary = form_boundary(&req)?;
    let limits = **limits;
    // The body's parts are read as the answer needs them, so parsing and
    // answering are one step and the compute step passes the answer on.
    answer(
        &req,
        payload,
        limits,
        move |format, body| predict_answer(format, body, boundary.as_deref(), &query, &limits),
        Ok,
    )
    .await
}
