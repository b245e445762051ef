//! `POST /v1/scaling/compute-fit`: how each family's capabilities grow with
//! compute (the paper's Figure 3).

use actix_web::post;
use serde::Serialize;
use utoipa::ToSchema;

use super::required;
use crate::analysis::scaling::compute_fit::{self, ComputeFit, ComputeFitSpec};
use crate::analysis::scaling::metadata::{Compute, Families, LogCompute};
use crate::analysis::{BenchmarkMatrix, NComponents};
use crate::api::body::Limits;
use crate::api::endpoint::{Analysis, LeaderboardEndpoint, LeaderboardQuery, handler};
use crate::api::error::{ApiError, ErrorCode};
use crate::api::options::{Missing, SentNumber};
use crate::api::pca::PcaResponse;
use crate::api::query::{self, TableQuery, table_query};
use crate::api::request::{self, endpoint_options, leaderboard_request};
use crate::charts;
use crate::ingest::{Leaderboard, PerModelColumns};

leaderboard_request! {
    /// A leaderboard, each model's family and compute, and the PCA options.
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
        scaling_options;
        families,
        compute,
        /// Fit only families with at least this many models of known compute. Default 3.
        #[serde(default)]
        #[schema(value_type = Option<i64>, minimum = 2)]
        pub min_family_size: Option<SentNumber>,
        /// true: also return a Vega-Lite v5 specification of each PC score
        /// against log10 compute per family (`charts.pc_vs_compute`).
        #[serde(default)]
        pub charts: Option<bool>,
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
    /// With `charts`: `{pc_vs_compute}`, a Vega-Lite v5 specification with
    /// its data inline.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub charts: Option<serde_json::Value>,
}

table_query! {
    /// Query parameters. The table ones and the options apply to table
    /// bodies (a CSV export); a JSON body carries its options itself. They
    /// are validated on every request, whatever the body.
    pub struct ComputeFitQuery {
        scaling_options;
        columns { family_column(required), compute_columns }
        /// As `min_family_size` in the JSON body.
        #[param(minimum = 2)]
        pub min_family_size: Option<i64>,
        /// As `charts` in the JSON body.
        pub charts: Option<bool>,
    }
}

/// `POST /v1/scaling/compute-fit`.
pub type ComputeFitEndpoint = LeaderboardEndpoint<ComputeFitQuery, ComputeFitRequest>;

endpoint_options! {
    /// What /v1/scaling/compute-fit is asked besides the leaderboard and its
    /// per-model columns.
    pub struct ComputeFitOptions from ComputeFitRequest {
        pub min_family_size: Option<SentNumber>,
        pub charts: bool,
    }
}

impl LeaderboardQuery for ComputeFitQuery {
    type Options = ComputeFitOptions;

    fn check(&self) -> Result<(), ApiError> {
        query::within(
            "min_family_size",
            self.min_family_size,
            |v| v >= 2,
            "at least 2",
        )
    }

    fn per_model(&self) -> Result<PerModelColumns, ApiError> {
        required(self.family_column.as_deref(), "family_column")?;
        Ok(PerModelColumns {
            family: self.family_column.clone(),
            flops: self.flops_column.clone(),
            params: self.params_column.clone(),
            tokens: self.tokens_column.clone(),
            ..Default::default()
        })
    }

    fn options(&self) -> Result<ComputeFitOptions, ApiError> {
        Ok(ComputeFitOptions {
            analysis: self.analysis_options()?,
            min_family_size: self.min_family_size.map(SentNumber::from),
            charts: self.charts.unwrap_or(false),
        })
    }
}

impl Analysis for ComputeFitOptions {
    type Answer = ComputeFitResponse;

    fn answer(self, leaderboard: Leaderboard, limits: &Limits) -> Result<Self::Answer, ApiError> {
        let min_family_size = match &self.min_family_size {
            None => 3,
            Some(m) => {
                let rule = "a whole number, at least 2 (a line needs two points)";
                let m = m.whole_in(
                    "min_family_size",
                    2..=i64::MAX,
                    rule,
                    ErrorCode::InvalidRequest,
                )?;
                usize::try_from(m).unwrap_or(usize::MAX)
            }
        };
        let analysis = &self.analysis;
        request::check(&leaderboard, analysis, limits, 0)?;
        let (matrix, per_model, absent) = leaderboard.into_matrix()?;
        let families = Families::new(per_model.families.unwrap_or_default(), &matrix)?;
        let compute = Compute::of(per_model.flops, per_model.params, per_model.tokens)?
            .ok_or_else(Compute::missing)?;
        let compute = LogCompute::new(compute, &matrix)?;
        let spec = ComputeFitSpec {
            pca: analysis.pca_params(NComponents::Count(3))?,
            missing: analysis.missing_policy(limits.max_iterations)?,
            min_family_size,
        };
        let result = compute_fit::compute_fit(&matrix, &families, &compute, &spec)?;
        let mut response = ComputeFitResponse::new(&matrix, &result, analysis.missing());
        response.pca.add_absent(absent);
        if self.charts {
            response.charts = Some(charts::compute_fit::compute_fit(
                &matrix, &families, &compute, &result,
            ));
        }
        Ok(response)
    }
}

impl ComputeFitResponse {
    fn new(matrix: &BenchmarkMatrix, result: &ComputeFit, missing: Missing) -> Self {
        let models = matrix.models();
        let kept = &result.fit.completed.rows;
        ComputeFitResponse {
            families: result
                .families
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
            excluded_families: result
                .excluded
                .iter()
                .map(|e| ExcludedFamilyOut {
                    family: e.family.clone(),
                    n_models: e.n_models,
                    reason: e.reason.to_owned(),
                })
                .collect(),
            mean_r2: result.mean_r2.clone(),
            pca: PcaResponse::new(matrix, &result.fit, missing),
            charts: None,
        }
    }
}

handler! {
    /// Compute efficiency of each model family.
    ///
    /// Fits the PCA (default 3 components) and, within every family with at
    /// least `min_family_size` models of known compute, regresses each PC score
    /// on log10(FLOPs) by ordinary least squares, as the paper's Figure 3.
    post "/v1/scaling/compute-fit" => post_compute_fit(ComputeFitEndpoint), tag "scaling",
    leaderboard(ComputeFitQuery, ComputeFitRequest, csv = "Model,Model Family,FLOPs (1E21),MMLU,ARC-C,HellaSwag\nmeta-llama/Llama-2-7b-hf,Llama-2,84.0,0.438,0.5307,0.7774\nmeta-llama/Llama-2-13b-hf,Llama-2,156.0,0.5434,0.5811,0.8097\nmeta-llama/Llama-2-70b-hf,Llama-2,840.0,0.6983,0.6732,0.8733\n"),
    ok(description = "Per-family fits of PC scores on log-compute", body = ComputeFitResponse),
    unanswerable "The codes of /v1/pca, and `invalid_compute` (no compute, flops together \
            with params/tokens, a non-positive value), `shape_mismatch` (families or compute not one per model); \
            for a table also `invalid_query` (no family_column), `conflicting_metadata` (a long table's model whose rows disagree on its family or compute)",
}
