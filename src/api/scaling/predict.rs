//! `POST /v1/scaling/predict`: new models predicted by a law that
//! `/v1/scaling/law` or `/v1/scaling/skills` fitted (`return_basis`), with
//! nothing refitted. The basis's `format` says which: a law basis predicts
//! from benchmark scores, a skills basis from params, tokens and family.

use actix_web::post;
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use super::required;
use super::skills::OutsideFittedRange;
use crate::analysis::scaling::basis::LawBasis as FittedLawBasis;
use crate::analysis::skills::NewModel;
use crate::api::basis::{self, LawBasis, SkillsBasis};
use crate::api::body::{BodyFormat, Limits};
use crate::api::endpoint::{Body, Endpoint, handler};
use crate::api::error::{ApiError, ErrorCode};
use crate::api::pca::{ImputedCellOut, SupplementaryOut};
use crate::api::query::{TableQuery, table_query};
use crate::api::request::request_struct;
use crate::api::schemas;
use crate::api::transform::{FORM, form_basis, placement_request, read_placement};
use crate::ingest::multipart::{self, Part};
use crate::ingest::{self, Benchmarks, Leaderboard, PerModelColumns};

table_query! {
    /// Query parameters: the table ones apply to the `scores` part of a
    /// multipart/form-data body (CSV, Parquet or Arrow by the part's
    /// Content-Type). With a law basis, the part holds the models' scores
    /// (wide or `layout=long`; in a wide table without `benchmarks` or
    /// `benchmark_prefix`, the columns named as the basis's benchmarks are
    /// read). With a skills basis, it holds one row per model (wide) with
    /// the three columns below; any other column is ignored.
    pub struct PredictQuery {
        columns {
            /// With a skills basis: the column of each model's parameters, in billions.
            params_column,
            /// With a skills basis: the column of each model's training tokens, in trillions.
            tokens_column,
            /// With a skills basis: the column of each model's family.
            family_column,
        }
    }
}

impl PredictQuery {
    fn columns(&self) -> PerModelColumns {
        PerModelColumns {
            family: self.family_column.clone(),
            params: self.params_column.clone(),
            tokens: self.tokens_column.clone(),
            ..Default::default()
        }
    }
}

placement_request! {
    /// A law basis and the models to predict.
    #[schema(example = json!(predict_example()))]
    pub struct PredictRequest {
        /// A law basis exactly as /v1/scaling/law answered it with `return_basis`.
        #[schema(value_type = LawBasis)]
        basis
    }
}

request_struct! {
    /// A skills basis and the models to predict with it: their sizes and
    /// families, no scores.
    #[schema(example = json!(skills_predict_example()))]
    pub struct SkillsPredictRequest {
        /// A skills basis exactly as /v1/scaling/skills answered it with `return_basis`.
        #[schema(value_type = SkillsBasis)]
        pub basis: Value,
        #[schema(schema_with = schemas::placed_models)]
        #[serde(deserialize_with = "crate::ingest::json::label_list")]
        pub models: Vec<String>,
        size_and_family,
    }
}

impl SkillsPredictRequest {
    /// The basis, and the models as a leaderboard of per-model columns.
    fn into_parts(mut self) -> (Value, Leaderboard) {
        let models = Leaderboard {
            per_model: self.take_per_model(),
            models: self.models,
            ..Default::default()
        };
        (self.basis, models)
    }
}

/// What /v1/scaling/predict takes: a law basis with the new models'
/// scores, or a skills basis with their params, tokens and families.
#[derive(Debug, serde::Deserialize, ToSchema)]
#[serde(untagged)]
pub enum PredictBody {
    Law(PredictRequest),
    Skills(SkillsPredictRequest),
}

/// What a skills basis says about one model.
#[derive(Debug, Serialize, ToSchema)]
pub struct SkillsNewPrediction {
    pub model: String,
    pub family: String,
    /// Its skills z (one per skill).
    pub skills: Vec<f64>,
    /// One predicted score per benchmark, in the basis's order: exactly
    /// what /v1/scaling/skills predicted for such a model.
    pub predicted: Vec<f64>,
    /// Its params or tokens outside the sizes the law was fitted on, where
    /// the law extrapolates (empty inside them); null with a `v1` basis,
    /// which does not carry those sizes.
    pub outside_fitted_range: Option<Vec<OutsideFittedRange>>,
}

/// A skills basis's predictions.
#[derive(Debug, Serialize, ToSchema)]
pub struct SkillsPredictResponse {
    /// The skills basis used (its `fingerprint`).
    pub fingerprint: String,
    /// The benchmarks of `predicted`, in the basis's order.
    pub benchmarks: Vec<String>,
    /// Every model, in request order.
    pub predictions: Vec<SkillsNewPrediction>,
}

/// A law basis's answer, or a skills basis's.
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
pub enum PredictAnswer {
    Law(PredictResponse),
    Skills(SkillsPredictResponse),
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

/// The spec's example request with a skills basis: the example skills
/// basis (`crate::api::basis::skills_basis_example`) predicting Qwen2's
/// larger models, as the example skills request did, and a 32B one.
pub fn skills_predict_example() -> Value {
    serde_json::json!({
        "basis": basis::skills_basis_example(),
        "models": ["qwen2-1.5b", "qwen2-7b", "qwen2-72b", "qwen2-32b"],
        "params": [1.5, 7.0, 72.0, 32.0],
        "tokens": [7.0, 7.0, 7.0, 7.0],
        "families": ["qwen2", "qwen2", "qwen2", "qwen2"],
    })
}

fn law_benchmarks(basis: &(FittedLawBasis, String)) -> &[String] {
    basis.0.pca().benchmarks()
}

/// Whether a JSON body's basis is a skills basis. Only a body that holds
/// the format's name is parsed to tell, so a large law request is not read
/// twice.
fn holds_skills_basis(body: &[u8]) -> bool {
    #[derive(serde::Deserialize)]
    struct Peek {
        basis: Option<PeekBasis>,
    }
    #[derive(serde::Deserialize)]
    struct PeekBasis {
        format: Option<String>,
    }
    memchr::memmem::find(body, b"obscaling.skills-basis/").is_some()
        && serde_json::from_slice::<Peek>(body)
            .ok()
            .and_then(|peek| peek.basis?.format)
            .is_some_and(|format| basis::is_skills_format(&format))
}

/// A skills form's models: the table of the scores part read as the query's
/// table parameters and per-model columns say, one row per model.
fn skills_form(
    part: &Part<'_>,
    query: &PredictQuery,
    limits: &Limits,
) -> Result<Leaderboard, ApiError> {
    for (value, name) in [
        (&query.params_column, "params_column"),
        (&query.tokens_column, "tokens_column"),
        (&query.family_column, "family_column"),
    ] {
        required(value.as_deref(), name)?;
    }
    let mut spec = query.table().spec(query.columns())?;
    if spec.long.is_some() || spec.benchmarks != Benchmarks::Numeric {
        return Err(ApiError::new(
            ErrorCode::InvalidQuery,
            "a skills basis predicts from one row per model (params, tokens and family): \
             layout=long, benchmarks and benchmark_prefix do not apply",
        ));
    }
    // No scores: the model column and the per-model columns only.
    spec.benchmarks = Benchmarks::Named(Vec::new());
    Ok(ingest::read(
        part.table_format()?,
        part.body,
        &spec,
        &limits.read(),
    )?)
}

/// A skills request: the basis checked, the models checked, predicted.
fn skills_predict_answer(
    basis: &Value,
    models: Leaderboard,
) -> Result<SkillsPredictResponse, ApiError> {
    let (law, fingerprint) = basis::read_skills_basis(basis)?;
    let per_model = models.per_model;
    let models = NewModel::list(
        models.models,
        per_model.params.unwrap_or_default(),
        per_model.tokens.unwrap_or_default(),
        per_model.families.unwrap_or_default(),
    )?;
    let placed = law.predict(&models)?;
    Ok(SkillsPredictResponse {
        fingerprint,
        benchmarks: law.benchmarks().to_vec(),
        predictions: models
            .into_iter()
            .zip(placed)
            .map(|(m, p)| SkillsNewPrediction {
                model: m.name,
                family: m.family,
                skills: p.skills,
                predicted: p.predicted,
                outside_fitted_range: p
                    .outside_fitted_range
                    .map(|outside| outside.iter().map(OutsideFittedRange::from).collect()),
            })
            .collect(),
    })
}

/// `POST /v1/scaling/predict`: the body's parts are read as the answer
/// needs them, so reading the body answers it.
pub struct PredictEndpoint;

impl Endpoint for PredictEndpoint {
    type Query = PredictQuery;
    type Input = PredictAnswer;
    type Answer = PredictAnswer;
    const FORMS: bool = true;

    fn read(
        body: Body<'_>,
        query: &PredictQuery,
        limits: &Limits,
    ) -> Result<PredictAnswer, ApiError> {
        let skills = match (body.format, body.boundary) {
            (BodyFormat::Multipart, Some(boundary)) => {
                let [basis_part, scores_part] = multipart::fields(body.bytes, boundary, FORM)?;
                let value = form_basis(basis_part.body)?;
                match basis::format_of(&value).is_some_and(basis::is_skills_format) {
                    true => Some((value, skills_form(&scores_part, query, limits)?)),
                    false => None,
                }
            }
            // No scores to read fast: serde alone (the body is an object, as
            // the peek found).
            (BodyFormat::Json, _) if holds_skills_basis(body.bytes) => {
                let request: SkillsPredictRequest =
                    serde_json::from_slice(body.bytes).map_err(|err| ApiError::from_json(&err))?;
                Some(request.into_parts())
            }
            _ => None,
        };
        match skills {
            Some((basis, models)) => {
                skills_predict_answer(&basis, models).map(PredictAnswer::Skills)
            }
            None => law_predict_answer(body, query, limits).map(PredictAnswer::Law),
        }
    }

    fn answer(answer: PredictAnswer, _: &Limits) -> Result<PredictAnswer, ApiError> {
        Ok(answer)
    }
}

fn law_predict_answer(
    body: Body<'_>,
    query: &PredictQuery,
    limits: &Limits,
) -> Result<PredictResponse, ApiError> {
    if let Some(name) = query.columns().names().first() {
        return Err(ApiError::new(
            ErrorCode::InvalidQuery,
            format!(
                "params_column, tokens_column and family_column go with a skills basis; this \
                 is a law basis (the column '{name}' was named)"
            ),
        ));
    }
    let ((law, fingerprint), new) = read_placement::<PredictRequest, _>(
        body,
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

handler! {
    /// Predicts new models with a fitted scaling law or skills law.
    ///
    /// The law basis that /v1/scaling/law answered with `return_basis` (kept by
    /// the client) places each new model on the training models' PCA, with
    /// their missing-score model held fixed, and predicts it exactly as the law
    /// request predicted its test models. A skills basis from /v1/scaling/skills
    /// predicts every benchmark of models of its families from their
    /// params and tokens, exactly as the skills request predicted its models;
    /// in a form, the models are a table with the columns the query names.
    post "/v1/scaling/predict" => post_predict(PredictEndpoint), tag "scaling",
    placement(PredictQuery, PredictBody),
    ok(description = "The law's predictions for the new models (with a skills \
            basis: every benchmark per model)", body = PredictAnswer),
    unanswerable "The codes of /v1/pca/transform; `invalid_basis` also for a law \
            basis whose weights are not one per component, whose floor is outside [0, 1), whose \
            target_range is not lo < hi or whose reference line has no slope, and for a skills basis \
            whose sizes disagree, whose numbers are not finite, whose floors are outside [0, 1), whose \
            covariate scales are not positive, whose families repeat or whose isotonic knots do not \
            increase; with a skills basis, `shape_mismatch` (params, tokens or families not one per \
            model), `empty_label`, `duplicate_model`, `invalid_compute` (params or tokens missing or \
            not positive), `invalid_skills` (a model without a family, or of a family the basis does \
            not have), and in a form `invalid_query` (no params_column, tokens_column or \
            family_column; layout=long, benchmarks or benchmark_prefix) and the table readers' codes; \
            `invalid_query` also for those columns with a law basis",
}
