//! `POST /v1/pca`: a leaderboard in (JSON or CSV), its principal components out.

use actix_web::post;
use ndarray::{Array2, ArrayView1};
use serde::{Deserialize, Serialize, Serializer};
use utoipa::ToSchema;

use super::basis::Basis;
use super::body::Limits;
use super::endpoint::{Analysis, LeaderboardEndpoint, LeaderboardQuery, handler};
use super::error::{ApiError, ErrorCode};
use super::options::{
    AnalysisOptions, BootstrapOptions, Missing, ParallelAnalysisOptions, ResamplingFields,
    resampling,
};
use super::query::{TableQuery, table_query};
use super::request::{self, JsonRequest, leaderboard_request};
use super::schemas;
use super::warnings::{self, Warning};
use crate::analysis::pca::basis::Basis as FittedBasis;
use crate::analysis::pca::fit::{self, ComponentChoice, PcaFit, PcaPlan};
use crate::analysis::pca::uncertainty::{BootstrapIntervals, ParallelAnalysis};
use crate::analysis::{BenchmarkMatrix, ImputedCell, NComponents};
use crate::charts;
use crate::ingest::scores::ScoresField;
use crate::ingest::{Leaderboard, PerModelColumns};

leaderboard_request! {
    /// A leaderboard (models x benchmarks) and the PCA options.
    #[schema(example = json!({
        "models": ["meta-llama/Llama-2-7b-hf", "meta-llama/Llama-2-70b-hf", "Qwen/Qwen1.5-14B",
                   "mistralai/Mistral-7B-v0.1", "EleutherAI/pythia-1b-deduped"],
        "benchmarks": ["MMLU", "ARC-C", "HellaSwag", "GSM8K"],
        "scores": [[0.438, 0.5307, 0.7774, 0.1448],
                   [0.6983, 0.6732, 0.8733, 0.5406],
                   [0.6936, 0.5657, 0.8108, 0.6763],
                   [0.6416, 0.5998, 0.8331, 0.3707],
                   [0.2427, 0.291, 0.4965, null]],
        "n_components": 2,
        "missing": "iterative_pca",
        "imputation": {"rank": 1, "bounds": [0, 1]}
    }))]
    pub struct PcaRequest {
        /// An integer k in 1..=min(n_models, n_benchmarks), or a fraction in (0, 1):
        /// the smallest k whose cumulative explained-variance ratio exceeds it
        /// (scikit-learn's rule). Default: min(n_models, n_benchmarks).
        #[schema(schema_with = schemas::n_components)]
        n_components,
        /// false (default): centre each benchmark; true: also divide it by its
        /// population standard deviation (correlation PCA; a constant benchmark
        /// keeps scale 1, as scikit-learn's `StandardScaler`).
        standardize,
        /// How each component's sign is fixed. Default `positive_sum`.
        sign,
        /// What to do with missing cells. Default `reject`, or `iterative_pca`
        /// when `imputation` is given.
        missing,
        /// Options of `iterative_pca`.
        imputation;
        /// Further models to place on the fitted components without influencing
        /// them (the paper projects instruction-tuned models onto the base
        /// models' PCs). Their missing cells follow `missing` with the fit held
        /// fixed: the fitted means, or the fitted z-scoring and low-rank PCA.
        #[serde(default)]
        pub supplementary: Option<Supplementary>,
        /// Percentile bootstrap intervals for every explained-variance ratio and
        /// loading: models resampled with replacement from the completed matrix,
        /// each refit sign-aligned to the full fit.
        #[serde(default)]
        pub bootstrap: Option<BootstrapOptions>,
        /// Horn's parallel analysis (each benchmark permuted independently):
        /// how many components beat noise. `n_components: "auto"` uses it.
        #[serde(default)]
        pub parallel_analysis: Option<ParallelAnalysisOptions>,
        /// true: also return Vega-Lite v5 specifications of the scree plot, the
        /// loadings heatmap and the PC1-PC2 scatter (for vega-embed, Altair,
        /// Streamlit, Observable).
        #[serde(default)]
        pub charts: Option<bool>,
        /// true: also return `basis`, the fitted basis (PCA and missing-score
        /// model, fingerprinted) that /v1/pca/transform places new models on
        /// exactly as `supplementary` places them here.
        #[serde(default)]
        pub return_basis: Option<bool>,
        /// A label per model, in order (a family, an organisation, base or
        /// chat; null for none): carried to the answer's `groups`, and the
        /// scatter chart's colour and legend.
        #[serde(default, deserialize_with = "crate::ingest::json::labels")]
        #[schema(value_type = Option<Vec<Option<String>>>)]
        pub groups: Option<Vec<Option<String>>>,
        /// With `groups`: the name of what they are (the table column they
        /// come from), the title of the scatter chart's legend. Default
        /// `Group`; a table body's groups are named by its `group_column`.
        #[serde(default)]
        pub group_column: Option<String>,
    }
}

table_query! {
    /// Query parameters. The table ones (`delimiter`, `model_column`,
    /// `benchmark_prefix`, `benchmarks`) and the analysis options apply to
    /// `text/csv` bodies; a JSON body carries its options itself. They are
    /// validated on every request, whatever the body.
    pub struct PcaQuery {
        /// As `n_components` in the JSON body: an integer or a fraction in (0, 1).
        #[param(schema_with = schemas::n_components)]
        n_components;
        /// As `charts` in the JSON body: also return Vega-Lite specifications.
        pub charts: Option<bool>,
        /// As `return_basis` in the JSON body: also return the fitted basis.
        pub return_basis: Option<bool>,
        /// The column of `groups` (one label per model; in a long table its
        /// rows must agree). Never a benchmark.
        pub group_column: Option<String>,
    }
}

/// `POST /v1/pca`.
pub type PcaEndpoint = LeaderboardEndpoint<PcaQuery, PcaRequest>;

/// What /v1/pca is asked besides the leaderboard, from a JSON body or a
/// query string.
#[derive(Debug)]
pub struct PcaOptions {
    pub analysis: AnalysisOptions,
    pub supplementary: Option<Supplementary>,
    pub bootstrap: Option<BootstrapOptions>,
    pub parallel_analysis: Option<ParallelAnalysisOptions>,
    pub charts: bool,
    pub return_basis: bool,
    /// The name of the groups: the legend's title.
    pub group_column: Option<String>,
}

impl JsonRequest for PcaRequest {
    type Options = PcaOptions;

    fn into_parts(mut self) -> Result<(Leaderboard, PcaOptions), ApiError> {
        let (mut leaderboard, analysis) = self.take_leaderboard();
        leaderboard.per_model.groups = self.groups;
        let options = PcaOptions {
            analysis,
            supplementary: self.supplementary,
            bootstrap: self.bootstrap,
            parallel_analysis: self.parallel_analysis,
            charts: self.charts.unwrap_or(false),
            return_basis: self.return_basis.unwrap_or(false),
            group_column: self.group_column,
        };
        Ok((leaderboard, options))
    }
}

impl LeaderboardQuery for PcaQuery {
    type Options = PcaOptions;

    fn per_model(&self) -> Result<PerModelColumns, ApiError> {
        Ok(PerModelColumns {
            group: self.group_column.clone(),
            ..Default::default()
        })
    }

    fn options(&self) -> Result<PcaOptions, ApiError> {
        Ok(PcaOptions {
            analysis: self.analysis_options()?,
            supplementary: None,
            bootstrap: None,
            parallel_analysis: None,
            charts: self.charts.unwrap_or(false),
            return_basis: self.return_basis.unwrap_or(false),
            group_column: self.group_column.clone(),
        })
    }
}

/// Models projected onto the fitted basis.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Supplementary {
    /// Unique, non-empty names, distinct from `models`.
    #[schema(schema_with = schemas::supplementary_models)]
    #[serde(deserialize_with = "crate::ingest::json::label_list")]
    pub models: Vec<String>,
    /// One row per supplementary model, one value (or null) per benchmark.
    #[schema(schema_with = schemas::scores)]
    pub scores: ScoresField,
}

/// Defines an answer of models placed on a fitted PCA, as a fit places its
/// `supplementary` models: its leading fields (in brackets), then
/// `models`, `projections`, `imputed` and `dropped_models` (each with the
/// documentation given), then its trailing fields. The type gets `new`,
/// which fills the four from a [`Placement`] and takes the others as
/// arguments, in order.
macro_rules! placed_models {
    (
        $(#[$attr:meta])*
        pub struct $name:ident {
            [$($(#[$lead_attr:meta])* pub $lead:ident : $lead_type:ty),* $(,)?]
            $(#[$models:meta])* models,
            $(#[$projections:meta])* projections,
            $(#[$imputed:meta])* imputed,
            $(#[$dropped:meta])* dropped_models,
            [$($(#[$tail_attr:meta])* pub $tail:ident : $tail_type:ty),* $(,)?]
        }
    ) => {
        $(#[$attr])*
        #[derive(Debug, serde::Serialize, utoipa::ToSchema)]
        pub struct $name {
            $($(#[$lead_attr])* pub $lead: $lead_type,)*
            $(#[$models])*
            pub models: Vec<String>,
            $(#[$projections])*
            #[serde(serialize_with = "crate::api::pca::rows")]
            #[schema(value_type = Vec<Vec<f64>>)]
            pub projections: ndarray::Array2<f64>,
            $(#[$imputed])*
            pub imputed: Vec<$crate::api::pca::ImputedCellOut>,
            $(#[$dropped])*
            pub dropped_models: Vec<String>,
            $($(#[$tail_attr])* pub $tail: $tail_type,)*
        }

        impl $name {
            pub(crate) fn new(
                matrix: &$crate::analysis::BenchmarkMatrix,
                placed: &$crate::analysis::pca::fit::Placement,
                $($lead: $lead_type,)*
                $($tail: $tail_type,)*
            ) -> Self {
                let (models, benchmarks) = (matrix.models(), matrix.benchmarks());
                let completed = &placed.completed;
                $name {
                    $($lead,)*
                    models: completed.rows.iter().map(|&i| models[i].clone()).collect(),
                    projections: placed.projections.clone(),
                    imputed: $crate::api::pca::ImputedCellOut::list(
                        &completed.imputed,
                        |row| &models[row],
                        benchmarks,
                    ),
                    dropped_models: completed
                        .dropped
                        .iter()
                        .map(|&i| models[i].clone())
                        .collect(),
                    $($tail,)*
                }
            }
        }
    };
}

pub(crate) use placed_models;

placed_models! {
    /// Where the supplementary models landed.
    pub struct SupplementaryOut {
        []
        /// The supplementary models placed, in request order.
        models,
        /// One row of k scores per model in `models`.
        projections,
        /// Their cells filled in with the fit held fixed.
        imputed,
        /// Supplementary models left out for missing cells (`drop_models`).
        dropped_models,
        []
    }
}

/// A cell filled in by imputation.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImputedCellOut {
    pub model: String,
    pub benchmark: String,
    /// The value used (after clipping to `imputation.bounds`).
    pub value: f64,
}

/// How an iterative imputation ended.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImputationReportOut {
    /// Iterations run.
    pub iterations: usize,
    /// Whether the largest change fell to `tol` before `max_iter`.
    pub converged: bool,
    /// The largest change of a missing cell in the last iteration (z-score units).
    pub max_change: f64,
}

/// The PCA of a leaderboard, with scikit-learn's names and meanings.
#[derive(Debug, Serialize, ToSchema)]
pub struct PcaResponse {
    /// The models analysed, in request order (the rows of `projections`);
    /// models left out by `drop_models` are in `dropped_models` instead.
    pub models: Vec<String>,
    /// The benchmarks, in request order (the columns of `components`).
    pub benchmarks: Vec<String>,
    /// k, the number of components kept.
    pub n_components: usize,
    /// k rows of unit-length loadings, one value per benchmark.
    #[serde(serialize_with = "rows")]
    #[schema(value_type = Vec<Vec<f64>>)]
    pub components: Array2<f64>,
    /// Variance along each component: s^2 / (n_models - 1).
    pub explained_variance: Vec<f64>,
    /// Each component's share of the total variance of all benchmarks
    /// (not of the kept components), as scikit-learn.
    pub explained_variance_ratio: Vec<f64>,
    /// Running sum of `explained_variance_ratio`.
    pub cumulative_explained_variance_ratio: Vec<f64>,
    /// The singular values s of the centred (or standardised) score matrix.
    pub singular_values: Vec<f64>,
    /// The mean score of each benchmark (after imputation).
    pub mean: Vec<f64>,
    /// The population standard deviation each benchmark was divided by, or
    /// null when not standardising.
    pub scale: Option<Vec<f64>>,
    /// The sum of the variances (ddof = 1) of all centred (or standardised) benchmarks.
    pub total_variance: f64,
    /// n rows of k scores: the centred (or standardised) scores times the
    /// components, row i for `models[i]`.
    #[serde(serialize_with = "rows")]
    #[schema(value_type = Vec<Vec<f64>>)]
    pub projections: Array2<f64>,
    /// The missing-cell policy applied.
    pub missing: Missing,
    /// Models left out: those a long table left with no row once its
    /// benchmarks were filtered, then those with missing cells (`drop_models`).
    pub dropped_models: Vec<String>,
    /// Every cell filled in (`mean`, `iterative_pca`), row by row.
    pub imputed: Vec<ImputedCellOut>,
    /// How `iterative_pca` ended; null for the other policies or when nothing was missing.
    pub imputation: Option<ImputationReportOut>,
    /// The supplementary models, when the request has any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supplementary: Option<SupplementaryOut>,
    /// With `bootstrap`: the confidence intervals.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bootstrap: Option<BootstrapOut>,
    /// With `parallel_analysis` or `n_components: "auto"`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parallel_analysis: Option<ParallelAnalysisOut>,
    /// With `charts`: Vega-Lite v5 specifications `{scree, loadings, scatter}`
    /// with their data inline.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub charts: Option<serde_json::Value>,
    /// With `return_basis`: the fitted basis, for /v1/pca/transform.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub basis: Option<Basis>,
    /// With `groups` (or `group_column`): the label of each model in
    /// `models`, null for none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub groups: Option<Vec<Option<String>>>,
    /// When the imputation did not converge or filled in more than half
    /// of the cells: what that means and the better policy.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<Warning>,
}

/// Bootstrap confidence intervals (percentile method).
#[derive(Debug, Serialize, ToSchema)]
pub struct BootstrapOut {
    /// Always `percentile`.
    pub method: &'static str,
    pub resamples: usize,
    /// Resamples that could be refit (one of identical models has no variance).
    pub valid_resamples: usize,
    pub confidence: f64,
    pub seed: u64,
    /// Per component.
    pub explained_variance_ratio_lower: Vec<f64>,
    pub explained_variance_ratio_upper: Vec<f64>,
    /// k rows of p: the interval of each loading.
    #[serde(serialize_with = "rows")]
    #[schema(value_type = Vec<Vec<f64>>)]
    pub components_lower: Array2<f64>,
    #[serde(serialize_with = "rows")]
    #[schema(value_type = Vec<Vec<f64>>)]
    pub components_upper: Array2<f64>,
}

/// Horn's parallel analysis.
#[derive(Debug, Serialize, ToSchema)]
pub struct ParallelAnalysisOut {
    pub iterations: usize,
    pub quantile: f64,
    pub seed: u64,
    /// The data's eigenvalues (explained variances), all min(n, p).
    pub observed_eigenvalues: Vec<f64>,
    /// The `quantile` of the eigenvalues of column-permuted matrices.
    pub reference_eigenvalues: Vec<f64>,
    /// Leading components whose eigenvalue beats the reference, at least 1:
    /// when none does, one is kept (an answer needs a component) and
    /// `warnings` says `no_component_beats_noise`.
    pub n_retained: usize,
}

pub(crate) fn rows<S: Serializer>(matrix: &Array2<f64>, serializer: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeSeq;
    struct Row<'a>(ArrayView1<'a, f64>);
    impl Serialize for Row<'_> {
        fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            serializer.collect_seq(self.0.iter())
        }
    }
    let mut seq = serializer.serialize_seq(Some(matrix.nrows()))?;
    for row in matrix.rows() {
        seq.serialize_element(&Row(row))?;
    }
    seq.end()
}

impl Analysis for PcaOptions {
    type Answer = PcaResponse;

    fn answer(self, leaderboard: Leaderboard, limits: &Limits) -> Result<Self::Answer, ApiError> {
        let extra_cells = self
            .supplementary
            .as_ref()
            .map_or(0, |s| s.scores.0.values.len());
        request::check(&leaderboard, &self.analysis, limits, extra_cells)?;
        if let Some(groups) = &leaderboard.per_model.groups
            && groups.len() != leaderboard.models.len()
        {
            return Err(ApiError::new(
                ErrorCode::ShapeMismatch,
                format!(
                    "groups has {} labels for {} models (one per model, null for none)",
                    groups.len(),
                    leaderboard.models.len()
                ),
            ));
        }
        let plan = plan(&self, limits)?;
        let missing = self.analysis.missing();
        let (matrix, per_model, absent) = leaderboard.into_matrix()?;
        let supplementary = self
            .supplementary
            .map(|s| fit::supplementary(&matrix, s.models, s.scores.0))
            .transpose()?;
        let analysis = fit::analyse(&matrix, supplementary.as_ref(), &plan)?;

        // What reads the matrix comes first: the answer then takes its labels.
        // The groups of the models kept, in their order.
        let groups = per_model.groups.map(|mut groups| {
            let kept = &analysis.fit.completed.rows;
            kept.iter().map(|&i| groups[i].take()).collect::<Vec<_>>()
        });
        let charts = self.charts.then(|| {
            charts::pca::pca(
                &matrix,
                &analysis.fit,
                groups.as_deref(),
                self.group_column.as_deref(),
            )
        });
        let basis = self.return_basis.then(|| {
            let basis = FittedBasis::of_fit(matrix.benchmarks(), &analysis.fit, plan.params.sign());
            Basis::new(&basis)
        });
        let supplementary_out = match (&supplementary, &analysis.supplementary) {
            (Some(extra), Some(placed)) => Some(SupplementaryOut::new(extra, placed)),
            _ => None,
        };
        let mut response = PcaResponse::of_owned(matrix, &analysis.fit, missing);
        response.add_absent(absent);
        response.supplementary = supplementary_out;
        response.groups = groups;
        response.charts = charts;
        response.basis = basis;
        if let (Some(ci), Some(options)) = (&analysis.bootstrap, plan.bootstrap) {
            response.bootstrap = Some(BootstrapOut::new(ci, options.seed));
        }
        if let (Some(pa), Some(options)) = (&analysis.parallel_analysis, plan.parallel_analysis) {
            response.parallel_analysis = Some(ParallelAnalysisOut::new(pa, options.seed));
            response.warnings.extend(warnings::parallel_analysis(pa));
        }
        Ok(response)
    }
}

/// The checked options of the analysis.
fn plan(options: &PcaOptions, limits: &Limits) -> Result<PcaPlan, ApiError> {
    let (params, components) = options.analysis.pca_params_or_auto(NComponents::All)?;
    let parallel_analysis = match (&options.parallel_analysis, components) {
        (None, ComponentChoice::Fixed) => None,
        (options, _) => {
            let o = options.clone().unwrap_or_default();
            Some(resampling(
                ResamplingFields::PARALLEL_ANALYSIS,
                o.iterations.as_ref(),
                (100, 1),
                o.quantile,
                o.seed.as_ref(),
                limits.max_resamples,
            )?)
        }
    };
    let bootstrap = match &options.bootstrap {
        None => None,
        Some(o) => Some(resampling(
            ResamplingFields::BOOTSTRAP,
            o.resamples.as_ref(),
            (1000, 2),
            o.confidence,
            o.seed.as_ref(),
            limits.max_resamples,
        )?),
    };
    Ok(PcaPlan {
        params,
        components,
        missing: options.analysis.missing_policy(limits.max_iterations)?,
        parallel_analysis,
        bootstrap,
    })
}

impl BootstrapOut {
    fn new(ci: &BootstrapIntervals, seed: u64) -> Self {
        BootstrapOut {
            method: "percentile",
            resamples: ci.resamples,
            valid_resamples: ci.valid_resamples,
            confidence: ci.confidence,
            seed,
            explained_variance_ratio_lower: ci.ratio_lower.to_vec(),
            explained_variance_ratio_upper: ci.ratio_upper.to_vec(),
            components_lower: ci.components_lower.clone(),
            components_upper: ci.components_upper.clone(),
        }
    }
}

impl ParallelAnalysisOut {
    fn new(pa: &ParallelAnalysis, seed: u64) -> Self {
        ParallelAnalysisOut {
            iterations: pa.iterations,
            quantile: pa.quantile,
            seed,
            observed_eigenvalues: pa.observed.to_vec(),
            reference_eigenvalues: pa.reference.to_vec(),
            n_retained: pa.n_retained,
        }
    }
}

impl ImputedCellOut {
    /// The filled cells, named: `model(row)` is the model of a cell's row
    /// (its position in the leaderboard that was completed).
    pub(crate) fn list<'a>(
        cells: &[ImputedCell],
        model: impl Fn(usize) -> &'a String,
        benchmarks: &[String],
    ) -> Vec<Self> {
        cells
            .iter()
            .map(|c| ImputedCellOut {
                model: model(c.row).clone(),
                benchmark: benchmarks[c.col].clone(),
                value: c.value,
            })
            .collect()
    }
}

impl PcaResponse {
    /// Lists the models a long table left without rows among the dropped
    /// ones, ahead of those dropped for missing cells.
    pub(crate) fn add_absent(&mut self, absent: Vec<String>) {
        if !absent.is_empty() {
            self.dropped_models.splice(0..0, absent);
        }
    }

    /// The response for `fit`, a PCA of `matrix`'s kept models.
    pub(crate) fn new(matrix: &BenchmarkMatrix, fit: &PcaFit, missing: Missing) -> Self {
        let mut response = Self::unlabelled(matrix, fit, missing);
        let models = matrix.models();
        response.models = fit
            .completed
            .rows
            .iter()
            .map(|&i| models[i].clone())
            .collect();
        response.benchmarks = matrix.benchmarks().to_vec();
        response
    }

    /// [`PcaResponse::new`] whose `models` and `benchmarks` are the
    /// matrix's own labels, moved rather than copied.
    fn of_owned(matrix: BenchmarkMatrix, fit: &PcaFit, missing: Missing) -> Self {
        let mut response = Self::unlabelled(&matrix, fit, missing);
        let (mut models, benchmarks) = matrix.into_labels();
        // The kept rows are distinct, so each label is taken once.
        response.models = fit
            .completed
            .rows
            .iter()
            .map(|&i| std::mem::take(&mut models[i]))
            .collect();
        response.benchmarks = benchmarks;
        response
    }

    /// The response without `models` and `benchmarks` (left empty).
    fn unlabelled(matrix: &BenchmarkMatrix, fit: &PcaFit, missing: Missing) -> Self {
        let to_vec = |v: ArrayView1<'_, f64>| v.to_vec();
        let (models, benchmarks) = (matrix.models(), matrix.benchmarks());
        let (pca, completed) = (&fit.pca, &fit.completed);
        PcaResponse {
            models: Vec::new(),
            benchmarks: Vec::new(),
            n_components: pca.n_components(),
            components: pca.components().to_owned(),
            explained_variance: to_vec(pca.explained_variance()),
            explained_variance_ratio: to_vec(pca.explained_variance_ratio()),
            cumulative_explained_variance_ratio: pca.cumulative_explained_variance_ratio().to_vec(),
            singular_values: to_vec(pca.singular_values()),
            mean: to_vec(pca.mean()),
            scale: pca.scale().map(to_vec),
            total_variance: pca.total_variance(),
            projections: fit.projections.clone(),
            missing,
            dropped_models: completed
                .dropped
                .iter()
                .map(|&i| models[i].clone())
                .collect(),
            imputed: ImputedCellOut::list(&completed.imputed, |row| &models[row], benchmarks),
            imputation: completed.report.map(|r| ImputationReportOut {
                iterations: r.iterations,
                converged: r.converged,
                max_change: r.max_change,
            }),
            supplementary: None,
            bootstrap: None,
            parallel_analysis: None,
            charts: None,
            basis: None,
            groups: None,
            warnings: warnings::imputation(missing, completed),
        }
    }
}

handler! {
    /// Principal components of a leaderboard.
    ///
    /// Centres (and optionally standardises) each benchmark and returns the PCA
    /// exactly as scikit-learn's `PCA(svd_solver="full")` computes it: loadings,
    /// explained variance and its ratio to the total variance of all benchmarks,
    /// singular values and the projection of every model. Missing cells are
    /// rejected, dropped with their model, or imputed (`missing`). The body is
    /// JSON, or a table (CSV, Parquet, an Arrow stream; wide or long) with its
    /// options in the query string.
    post "/v1/pca" => post_pca(PcaEndpoint), tag "pca",
    leaderboard(PcaQuery, PcaRequest, csv = "Model,MMLU,ARC-C,GSM8K\nmeta-llama/Llama-2-7b-hf,0.438,0.5307,0.1448\nmeta-llama/Llama-2-70b-hf,0.6983,0.6732,0.5406\nEleutherAI/pythia-1b-deduped,0.2427,0.291,0.0114\n"),
    ok(description = "The PCA of the leaderboard", body = PcaResponse),
    unanswerable "Well-formed but unanswerable. `invalid_request`, `unknown_field`, \
            `invalid_query`, `number_out_of_range`, `shape_mismatch` (a score row per model, a value per \
            benchmark, a group per model), `empty_label`, `duplicate_model`, `duplicate_benchmark`, `no_benchmarks`, \
            `non_finite_score`, `missing_scores` (lists the cells), `unobserved_benchmark`, \
            `unobserved_model`, `invalid_imputation` (rank not below min(n_models, n_benchmarks), \
            bounds not lo < hi, max_iter over MAX_ITERATIONS), `too_few_models`, `invalid_n_components` (more than \
            min(n_models, n_benchmarks)), `zero_variance`, `numeric_overflow`, `numeric_underflow` (a \
            benchmark that varies by less than 2.2e-308, the smallest normal float), `invalid_bootstrap` \
            (bootstrap.resamples outside 2..=MAX_RESAMPLES, bootstrap.confidence outside (0, 1), a negative \
            bootstrap.seed, resamples x components x benchmarks over 10000000, MAX_BOOTSTRAP_VALUES), `invalid_parallel_analysis` (the same for parallel_analysis.iterations, from 1, \
            quantile and seed); for a table also \
            `invalid_csv`, `invalid_parquet`, `invalid_arrow` (the body cannot be read), `unknown_column`, \
            `no_matching_columns`, `invalid_score` (a cell, or a selected column of a non-number type), \
            `empty_label` (a long table's row without model or benchmark), `duplicate_score` (a long table's \
            pair with two scores, duplicates=reject), `conflicting_metadata` (a long table's model with two \
            labels in `group_column`)",
}
