//! `POST /v1/scaling/select-families`: which models to evaluate next, by
//! the paper's V-optimal design over whole families.

use actix_web::{HttpRequest, HttpResponse, post, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{ModelColumns, read_table, required};
use crate::analysis::scaling::design::{self, DesignSpec, FamilySelection};
use crate::analysis::scaling::metadata::Families;
use crate::analysis::{BenchmarkMatrix, NComponents};
use crate::api::body::{BodyFormat, Limits, answer};
use crate::api::error::{ApiError, ErrorCode, Problem};
use crate::api::options::{Missing, ResamplingFields, SentNumber, resampling};
use crate::api::pca::PcaResponse;
use crate::api::query::{self, TableQuery, table_query};
use crate::api::request::{FromTable, leaderboard_request, parse_request};
use crate::api::schemas::{self, ArrowStream, ParquetFile};
use crate::api::scores::ScoresField;
use crate::charts;

/// One budget or several, as sent.
#[derive(Debug, Clone)]
pub enum Budgets {
    One(SentNumber),
    Many(Vec<SentNumber>),
}

impl<'de> Deserialize<'de> for Budgets {
    /// A number or a list of numbers, each kept as written so that a
    /// message quotes it as sent.
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = Box::<serde_json::value::RawValue>::deserialize(deserializer)?;
        let text = raw.get().trim();
        if text.starts_with('[') {
            serde_json::from_str(text)
                .map(Budgets::Many)
                .map_err(serde::de::Error::custom)
        } else {
            serde_json::from_str(text)
                .map(Budgets::One)
                .map_err(serde::de::Error::custom)
        }
    }
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
        /// The family of each model (one per model, in order); null or "" for a
        /// model without one, which no design includes.
        pub families: Vec<Option<String>>,
        /// The most models to evaluate: one budget, or several (each answered).
        #[schema(schema_with = schemas::budgets)]
        pub max_models: Budgets,
        /// Families every design must include (e.g. the ones already evaluated).
        #[serde(default)]
        pub required_families: Option<Vec<String>>,
        /// How many of the best designs to report per budget. Default 5.
        #[serde(default)]
        #[schema(value_type = Option<i64>, minimum = 1, maximum = 100)]
        pub top: Option<SentNumber>,
        /// Random subsets for the baseline. Default 1000; at most MAX_RESAMPLES.
        #[serde(default)]
        #[schema(value_type = Option<i64>, minimum = 1)]
        pub baseline_samples: Option<SentNumber>,
        /// Seed of the baseline. Default 0.
        #[serde(default)]
        #[schema(value_type = Option<i64>, minimum = 0)]
        pub seed: Option<SentNumber>,
        /// true: also return a Vega-Lite v5 specification of the best designs'
        /// criteria per budget beside the random baseline (`charts.designs`).
        #[serde(default)]
        pub charts: Option<bool>,
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
    /// With `charts`: `{designs}`, a Vega-Lite v5 specification with its
    /// data inline.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub charts: Option<serde_json::Value>,
}

table_query! {
    /// Query parameters. The table ones and the options apply to table
    /// bodies (a CSV export); a JSON body carries its options itself. They
    /// are validated on every request, whatever the body.
    pub struct SelectFamiliesQuery {
        /// As `n_components` in the JSON body.
        #[param(schema_with = schemas::n_components_fixed)]
        n_components;
        /// The column of each model's family (needed for a table body); an
        /// empty cell means no family.
        #[param(min_length = 1)]
        pub family_column: Option<String>,
        /// As `max_models` in the JSON body: one budget, or several comma-separated.
        #[param(pattern = r"^\s*[0-9]+\s*(,\s*[0-9]+\s*)*$")]
        pub max_models: Option<String>,
        /// As `required_families` in the JSON body, comma-separated (a name
        /// with a comma in double quotes).
        #[param(min_length = 1)]
        pub required_families: Option<String>,
        /// As `top` in the JSON body.
        #[param(minimum = 1, maximum = 100)]
        pub top: Option<i64>,
        /// As `baseline_samples` in the JSON body.
        #[param(minimum = 1)]
        pub baseline_samples: Option<i64>,
        /// As `seed` in the JSON body.
        #[param(minimum = 0)]
        pub seed: Option<i64>,
        /// As `charts` in the JSON body.
        pub charts: Option<bool>,
    }
}

impl SelectFamiliesQuery {
    /// The rules of the endpoint's own parameters, whatever the body.
    fn validate(&self) -> Result<(), ApiError> {
        query::within("top", self.top, |v| (1..=100).contains(&v), "in 1..=100")?;
        query::within(
            "baseline_samples",
            self.baseline_samples,
            |v| v >= 1,
            "at least 1",
        )?;
        query::within("seed", self.seed, |v| v >= 0, "at least 0")
    }
}

impl FromTable for SelectFamiliesRequest {
    type Query = SelectFamiliesQuery;

    fn from_table(
        format: BodyFormat,
        body: &[u8],
        query: &SelectFamiliesQuery,
        limits: &Limits,
    ) -> Result<Self, ApiError> {
        let family = required(query.family_column.as_deref(), "family_column")?;
        let text = required(query.max_models.as_deref(), "max_models")?;
        let budgets: Vec<SentNumber> = text
            .split(',')
            .map(|b| SentNumber::parse(b).filter(SentNumber::is_whole))
            .collect::<Option<_>>()
            .ok_or_else(|| {
                ApiError::new(
                    ErrorCode::InvalidQuery,
                    format!("max_models must be whole numbers, comma-separated, got {text:?}"),
                )
            })?;
        let columns = ModelColumns {
            family: Some(family),
            ..Default::default()
        };
        let (table, picked) = read_table(format, body, query, columns.names(), limits)?;
        let values = columns.read(table.as_ref(), &picked)?;
        let leaderboard = picked.into_fields(query.options()?);
        Ok(Self {
            models: leaderboard.models,
            benchmarks: leaderboard.benchmarks,
            scores: ScoresField(leaderboard.scores),
            n_components: leaderboard.options.n_components,
            standardize: leaderboard.options.standardize,
            sign: leaderboard.options.sign,
            missing: leaderboard.options.missing,
            imputation: leaderboard.options.imputation,
            absent_models: leaderboard.absent_models,
            families: values.families.unwrap_or_default(),
            max_models: match <[SentNumber; 1]>::try_from(budgets) {
                Ok([one]) => Budgets::One(one),
                Err(budgets) => Budgets::Many(budgets),
            },
            required_families: query
                .required_families
                .as_deref()
                .map(|names| query::list("required_families", names))
                .transpose()?,
            top: query.top.map(SentNumber::from),
            baseline_samples: query.baseline_samples.map(SentNumber::from),
            seed: query.seed.map(SentNumber::from),
            charts: query.charts,
        })
    }
}

fn select_families_answer(
    mut r: SelectFamiliesRequest,
    limits: &Limits,
) -> Result<SelectFamiliesResponse, ApiError> {
    let code = ErrorCode::InvalidDesign;
    let budgets: Vec<SentNumber> = match r.max_models {
        Budgets::One(ref b) => vec![b.clone()],
        Budgets::Many(ref b) => b.clone(),
    };
    if budgets.is_empty() || budgets.len() > 100 {
        return Err(ApiError::new(
            code,
            format!("max_models must be 1 to 100 budgets, got {}", budgets.len()),
        ));
    }
    let budgets = budgets
        .iter()
        .map(|b| {
            b.whole_in(
                "max_models",
                1..=i64::MAX,
                "whole numbers, each at least 1",
                code,
            )
        })
        .collect::<Result<Vec<i64>, _>>()?;
    let top = match &r.top {
        None => 5,
        Some(top) => top.whole_in("top", 1..=100, "a whole number between 1 and 100", code)?,
    };
    // The baseline's options belong to the design: its code, its names.
    let fields = ResamplingFields {
        count: "baseline_samples",
        level: None,
        seed: "seed",
        code,
    };
    let baseline = resampling(
        fields,
        r.baseline_samples.as_ref(),
        (1000, 1),
        None,
        r.seed.as_ref(),
        limits.max_resamples,
    )?;
    let mut leaderboard = r.take_leaderboard();
    leaderboard.check(limits, 0)?;
    let absent = std::mem::take(&mut leaderboard.absent_models);
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
    let mut response = SelectFamiliesResponse::new(&matrix, &selection, options.missing());
    response.pca.add_absent(absent);
    if r.charts.unwrap_or(false) {
        response.charts = Some(charts::design::select_families(&selection));
    }
    Ok(response)
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
            charts: None,
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
    params(SelectFamiliesQuery),
    request_body(content(
        (SelectFamiliesRequest = "application/json"),
        (String = "text/csv", example = "Model,Model Family,MMLU,ARC-C,HellaSwag\nmeta-llama/Llama-2-7b-hf,Llama-2,0.438,0.5307,0.7774\nmeta-llama/Llama-2-13b-hf,Llama-2,0.5434,0.5811,0.8097\nEleutherAI/pythia-410m-deduped,Pythia,0.2599,0.2602,0.4049\nEleutherAI/pythia-1.4b-deduped,Pythia,0.2556,0.2935,0.5208\n"),
        (ParquetFile = "application/vnd.apache.parquet"),
        (ArrowStream = "application/vnd.apache.arrow.stream"),
    )),
    responses(
        (status = 200, description = "The best family subsets per budget", body = SelectFamiliesResponse),
        (status = 400, description = "`malformed_json`", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "`payload_too_large` (body, or a Parquet file's decompressed pages, over MAX_BODY_BYTES), `too_many_cells` (over MAX_CELLS)", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "`unsupported_media_type`: not application/json, text/csv, application/vnd.apache.parquet or application/vnd.apache.arrow.stream, or an unsupported Content-Encoding", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The codes of /v1/pca, and `too_many_families` (more than 20 optional \
            families), `invalid_design` (budgets, top, baseline_samples outside 1..=MAX_RESAMPLES, a \
            negative seed, an unknown required family), `shape_mismatch` (families not one per model); for a table \
            also `invalid_query` (no family_column or max_models), `conflicting_metadata` (a long table's model \
            whose rows disagree on its family)",
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
    let query: SelectFamiliesQuery = query::parse(req.query_string())?;
    query.validate()?;
    let limits = **limits;
    answer(
        &req,
        payload,
        limits,
        move |format, body| parse_request(format, body, &query, &limits),
        move |request| select_families_answer(request, &limits),
    )
    .await
}
