//! `POST /v1/scaling/select-families`: which models to evaluate next, by
//! the paper's V-optimal design over whole families.

use actix_web::post;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::required;
use crate::analysis::scaling::design::{self, DesignSpec, FamilySelection};
use crate::analysis::scaling::metadata::Families;
use crate::analysis::{BenchmarkMatrix, NComponents};
use crate::api::body::Limits;
use crate::api::endpoint::{Analysis, LeaderboardEndpoint, LeaderboardQuery, handler};
use crate::api::error::{ApiError, ErrorCode};
use crate::api::options::{Missing, ResamplingFields, SentNumber, resampling};
use crate::api::pca::PcaResponse;
use crate::api::query::{self, TableQuery, table_query};
use crate::api::request::{self, endpoint_options, leaderboard_request};
use crate::api::schemas;
use crate::charts;
use crate::ingest::{Leaderboard, PerModelColumns};

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
        scaling_options;
        families,
        /// The most models to evaluate: one budget, or several (each answered).
        #[schema(schema_with = schemas::budgets)]
        pub max_models: Budgets,
        /// Families every design must include (e.g. the ones already evaluated).
        #[serde(default, deserialize_with = "crate::ingest::json::labels")]
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
    /// The models of these families: the evaluations the design asks for,
    /// family by family, each family's models in request order.
    pub models: Vec<String>,
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
        scaling_options;
        columns { family_column(required) }
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

/// `POST /v1/scaling/select-families`.
pub type SelectFamiliesEndpoint = LeaderboardEndpoint<SelectFamiliesQuery, SelectFamiliesRequest>;

endpoint_options! {
    /// What /v1/scaling/select-families is asked besides the leaderboard and
    /// its families.
    pub struct SelectFamiliesOptions from SelectFamiliesRequest {
        pub max_models: Budgets,
        pub required_families: Option<Vec<String>>,
        pub top: Option<SentNumber>,
        pub baseline_samples: Option<SentNumber>,
        pub seed: Option<SentNumber>,
        pub charts: bool,
    }
}

impl LeaderboardQuery for SelectFamiliesQuery {
    type Options = SelectFamiliesOptions;

    fn check(&self) -> Result<(), ApiError> {
        query::within("top", self.top, |v| (1..=100).contains(&v), "in 1..=100")?;
        query::within(
            "baseline_samples",
            self.baseline_samples,
            |v| v >= 1,
            "at least 1",
        )?;
        query::within("seed", self.seed, |v| v >= 0, "at least 0")
    }

    fn per_model(&self) -> Result<PerModelColumns, ApiError> {
        let family = required(self.family_column.as_deref(), "family_column")?;
        Ok(PerModelColumns {
            family: Some(family.to_owned()),
            ..Default::default()
        })
    }

    fn options(&self) -> Result<SelectFamiliesOptions, ApiError> {
        let text = required(self.max_models.as_deref(), "max_models")?;
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
        Ok(SelectFamiliesOptions {
            analysis: self.analysis_options()?,
            max_models: match <[SentNumber; 1]>::try_from(budgets) {
                Ok([one]) => Budgets::One(one),
                Err(budgets) => Budgets::Many(budgets),
            },
            required_families: self
                .required_families
                .as_deref()
                .map(|names| query::list("required_families", names))
                .transpose()?,
            top: self.top.map(SentNumber::from),
            baseline_samples: self.baseline_samples.map(SentNumber::from),
            seed: self.seed.map(SentNumber::from),
            charts: self.charts.unwrap_or(false),
        })
    }
}

impl Analysis for SelectFamiliesOptions {
    type Answer = SelectFamiliesResponse;

    fn answer(self, leaderboard: Leaderboard, limits: &Limits) -> Result<Self::Answer, ApiError> {
        let code = ErrorCode::InvalidDesign;
        let budgets: Vec<SentNumber> = match self.max_models {
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
        let top = match &self.top {
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
            self.baseline_samples.as_ref(),
            (1000, 1),
            None,
            self.seed.as_ref(),
            limits.max_resamples,
        )?;
        let analysis = &self.analysis;
        request::check(&leaderboard, analysis, limits, 0)?;
        let (matrix, per_model, absent) = leaderboard.into_matrix()?;
        let families = Families::new(per_model.families.unwrap_or_default(), &matrix)?;
        let spec = DesignSpec {
            pca: analysis.pca_params(NComponents::Count(3))?,
            missing: analysis.missing_policy(limits.max_iterations)?,
            budgets: budgets.iter().map(|&b| b as usize).collect(),
            required_families: self.required_families.unwrap_or_default(),
            top: top as usize,
            baseline_samples: baseline.count,
            seed: baseline.seed,
        };
        let selection = design::select_families(&matrix, &families, &spec)?;
        let mut response = SelectFamiliesResponse::new(&matrix, &selection, analysis.missing());
        response.pca.add_absent(absent);
        if self.charts {
            response.charts = Some(charts::design::select_families(&selection));
        }
        Ok(response)
    }
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
                            models: selection
                                .models_of(d)
                                .map(|row| matrix.models()[row].clone())
                                .collect(),
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

handler! {
    /// Which model families to evaluate (V-optimal design).
    ///
    /// The paper's selection of models to evaluate: among subsets of whole
    /// families within a budget of models, the ones minimising
    /// trace(X_all^T X_all (X_S^T X_S)^-1) on the first PC scores, by
    /// exhaustive search (at most 20 optional families), with a random-subset
    /// baseline.
    post "/v1/scaling/select-families" => post_select_families(SelectFamiliesEndpoint), tag "scaling",
    leaderboard(SelectFamiliesQuery, SelectFamiliesRequest, csv = "Model,Model Family,MMLU,ARC-C,HellaSwag\nmeta-llama/Llama-2-7b-hf,Llama-2,0.438,0.5307,0.7774\nmeta-llama/Llama-2-13b-hf,Llama-2,0.5434,0.5811,0.8097\nEleutherAI/pythia-410m-deduped,Pythia,0.2599,0.2602,0.4049\nEleutherAI/pythia-1.4b-deduped,Pythia,0.2556,0.2935,0.5208\n"),
    ok(description = "The best family subsets per budget", body = SelectFamiliesResponse),
    unanswerable "The codes of /v1/pca, and `too_many_families` (more than 20 optional \
            families), `invalid_design` (budgets, top, baseline_samples outside 1..=MAX_RESAMPLES, a \
            negative seed, an unknown required family), `shape_mismatch` (families not one per model); for a table \
            also `invalid_query` (no family_column or max_models), `conflicting_metadata` (a long table's model \
            whose rows disagree on its family)",
}
