//! lm-evaluation-harness uploads at the edge: what an answer says of where
//! its leaderboard came from (`lm_eval`, on every answer of an endpoint
//! that read one), the bodies and errors the OpenAPI document lists for
//! `format=lm_eval`, and the field added to each leaderboard endpoint's 200
//! schema. The reading itself is `ingest::lm_eval`, called by the one
//! scaffold ([`super::endpoint::read_lm_eval`]).

use serde::Serialize;
use utoipa::openapi::schema::{AllOfBuilder, ObjectBuilder, Schema};
use utoipa::openapi::{Ref, RefOr};
use utoipa::{PartialSchema, ToSchema};

use crate::ingest::lm_eval::{ModelSource, Sources};

/// The 422 codes an lm-eval upload adds to an endpoint's, appended to the
/// description of each leaderboard endpoint's 422.
macro_rules! lm_eval_errors {
    () => {
        "; with format=lm_eval, `invalid_lm_eval` (an empty upload, a document that is no \
         lm-evaluation-harness results object, `results` or a task that is no object, a part \
         that is not JSON), `empty_label` (a document that names no model), `invalid_score` (a \
         metric's value is a string other than \"N/A\"), `non_finite_score` (Infinity), \
         `unknown_column` (a task without the metric named or chosen, a per-model column without \
         a `models` part), `no_matching_columns` (tasks or task_prefix picks nothing), \
         `duplicate_score` (a model and task with two values, duplicates=reject), \
         `conflicting_metadata` (the `models` part's rows of a model disagree)"
    };
}

pub(crate) use lm_eval_errors;

/// A form of lm-evaluation-harness results files (`format=lm_eval`): any
/// number of parts (up to 4096) of any name but `models`, each a results
/// file (`curl -F f=@a/results_1.json -F f=@b/results_2.json`).
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct LmEvalForm {
    /// A results file: one document, an array of them or JSON Lines.
    /// Repeat the part for every file.
    #[schema(value_type = String, format = Binary)]
    results: String,
    /// Optional: a table (CSV, Parquet or Arrow by the part's
    /// Content-Type) with a row per model, keyed by `model_column` (default
    /// its first column), whose other columns the per-model parameters
    /// (`family_column`, `flops_column`, ...) name.
    #[schema(value_type = String, format = Binary)]
    models: Option<String>,
}

/// lm-evaluation-harness results documents, one per line
/// (`format=lm_eval`); `application/json` takes the same lines, one
/// document, or an array of them.
#[derive(ToSchema)]
#[schema(value_type = String)]
#[allow(dead_code)]
pub struct LmEvalLines(String);

/// Where a benchmark column came from.
#[derive(Debug, Serialize, ToSchema)]
pub struct LmEvalColumn {
    /// The column's name in the answer (the task's).
    pub benchmark: String,
    /// The task (or group) read.
    pub task: String,
    /// The metric read (`acc_norm`, `exact_match`, ...).
    pub metric: String,
    /// The filter read (`none`, `strict-match`, ...).
    pub filter: String,
    /// `default` (the default rule picked it) or `metrics` (the query named
    /// it).
    pub rule: String,
    /// The group that lists the task in `group_subtasks`, if any.
    #[schema(required = true)]
    pub group: Option<String>,
    /// How many models have a value (not `N/A`, null or NaN).
    pub models: usize,
    /// The documents that gave the task, in upload order (`part 3 ('f',
    /// file results_1.json)`, `array index 2`, `line 5`, `the body`).
    pub files: Vec<String>,
}

/// Where a model's row came from.
#[derive(Debug, Serialize, ToSchema)]
pub struct LmEvalModel {
    pub model: String,
    /// The member that named it: `model_name`, `config.model_args`
    /// (its `pretrained=`) or `config.model`.
    pub named_by: String,
    /// Its documents, merged into its row.
    pub files: Vec<String>,
}

/// The inspect answer and the analyses' `sources` name a model alike.
impl From<ModelSource> for LmEvalModel {
    fn from(m: ModelSource) -> Self {
        LmEvalModel {
            model: m.model,
            named_by: m.named_by.to_owned(),
            files: m.files,
        }
    }
}

/// What an lm-eval upload gave: for every benchmark column the task, metric
/// and filter read and the documents it came from, and for every model its
/// documents.
#[derive(Debug, Serialize, ToSchema)]
pub struct LmEvalSources {
    pub columns: Vec<LmEvalColumn>,
    pub models: Vec<LmEvalModel>,
    /// Tasks with a score left out because a group above them has one (the
    /// group stands for them; name them in `tasks` to read them).
    pub subtasks_left_out: Vec<String>,
    /// Models of the `models` part that no results document names.
    pub models_without_results: Vec<String>,
    /// Models of the results that the `models` part has no row for.
    pub models_without_row: Vec<String>,
}

impl From<Sources> for LmEvalSources {
    fn from(sources: Sources) -> Self {
        LmEvalSources {
            columns: sources
                .columns
                .into_iter()
                .map(|c| LmEvalColumn {
                    benchmark: c.benchmark,
                    task: c.task,
                    metric: c.metric,
                    filter: c.filter,
                    rule: c.rule.to_owned(),
                    group: c.group,
                    models: c.models,
                    files: c.files,
                })
                .collect(),
            models: sources.models.into_iter().map(LmEvalModel::from).collect(),
            subtasks_left_out: sources.subtasks_left_out,
            models_without_results: sources.models_without_results,
            models_without_row: sources.models_without_row,
        }
    }
}

/// The default rule, as the documentation states it.
pub const DEFAULT_RULE: &str = "per task: the metric acc_norm, then acc, then exact_match, then \
     the other metrics by name; for it the filter none, then strict-match, then the others by \
     name";

/// Adds `lm_eval` to the 200 schema of every operation that reads
/// leaderboards (those whose body may be an lm-eval form): `allOf` the
/// answer's schema and an object with the optional field.
pub fn document_sources(doc: &mut utoipa::openapi::OpenApi) {
    let components = doc.components.get_or_insert_with(Default::default);
    for (name, schema) in [
        ("LmEvalSources", LmEvalSources::schema()),
        ("LmEvalColumn", LmEvalColumn::schema()),
        ("LmEvalModel", LmEvalModel::schema()),
    ] {
        components.schemas.insert(name.to_owned(), schema);
    }
    for (path, item) in doc.paths.paths.iter_mut() {
        // Inspect describes an upload in its own answer.
        if path == "/v1/inspect" {
            continue;
        }
        let Some(operation) = item.post.as_mut() else {
            continue;
        };
        let reads_lm_eval = operation
            .request_body
            .as_ref()
            .is_some_and(|body| match body {
                RefOr::T(body) => body.content.contains_key("application/jsonl"),
                RefOr::Ref(_) => false,
            });
        if !reads_lm_eval {
            continue;
        }
        let Some(RefOr::T(ok)) = operation.responses.responses.get_mut("200") else {
            continue;
        };
        for content in ok.content.values_mut() {
            let RefOr::T(content) = content else {
                continue;
            };
            let Some(answer) = content.schema.take() else {
                continue;
            };
            let sources = ObjectBuilder::new().property(
                "lm_eval",
                RefOr::Ref(Ref::from_schema_name("LmEvalSources")),
            );
            content.schema = Some(RefOr::T(Schema::AllOf(
                AllOfBuilder::new()
                    .item(answer)
                    .item(sources)
                    .description(Some(
                        "The answer; with format=lm_eval also `lm_eval`: where each column and \
                         model came from",
                    ))
                    .build(),
            )));
        }
    }
}
