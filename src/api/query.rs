//! Query parameters of the endpoints that take a table (CSV, Parquet, an
//! Arrow stream) as their body. A table carries only the leaderboard, so the options a JSON
//! body would carry come in the query string; they are validated on every
//! request, whatever the body, and apply only to table bodies.
//!
//! The parameters every such endpoint shares (how to read the table, and
//! the PCA and missing-score options) are defined once, by the macros
//! below, so that no endpoint can drift from the others; each endpoint adds
//! its own. Macros rather than `#[serde(flatten)]`, which would lose
//! `deny_unknown_fields`: a misspelt parameter must be an error.

use serde::Deserialize;
use serde::de::DeserializeOwned;
use utoipa::ToSchema;

use super::error::{ApiError, ErrorCode};
use super::options::{
    AnalysisOptions, ImputationOptions, Missing, NComponentsField, SentNumber, Sign, Spelling,
};
use crate::ingest::lm_eval::{LmEvalSpec, MetricPick, TaskPick};
use crate::ingest::{self, Benchmarks, LongSpec, PerModelColumns, ReadSpec};

/// Defines a query type: the table parameters, then (when the invocation
/// starts with `n_components;`, with the attributes given to it, or
/// `scaling_options;`) the PCA and missing-score options, then (in
/// `columns { ... }`, each with its documentation, or the keywords
/// `family_column(required)` and `compute_columns`) the per-model columns
/// the endpoint reads, then the endpoint's own parameters.
macro_rules! table_query {
    // `scaling_options;`: the options of a scaling analysis, whose
    // `n_components` is a count or fraction with its own default (3).
    (
        $(#[$attr:meta])*
        pub struct $name:ident {
            scaling_options;
            $($rest:tt)*
        }
    ) => {
        $crate::api::query::table_query! {
            $(#[$attr])*
            pub struct $name {
                /// As `n_components` in the JSON body.
                #[param(schema_with = $crate::api::schemas::n_components_fixed)]
                n_components;
                $($rest)*
            }
        }
    };
    (
        $(#[$attr:meta])*
        pub struct $name:ident {
            $(#[$n_components:meta])* n_components;
            columns { $($columns:tt)* }
            $($rest:tt)*
        }
    ) => {
        $crate::api::query::table_query! {
            @options [$(#[$attr])*] $name [$(#[$n_components])*] [$($columns)*] { $($rest)* }
        }
    };
    (
        $(#[$attr:meta])*
        pub struct $name:ident {
            $(#[$n_components:meta])* n_components;
            $($rest:tt)*
        }
    ) => {
        $crate::api::query::table_query! {
            @options [$(#[$attr])*] $name [$(#[$n_components])*] [] { $($rest)* }
        }
    };
    (
        $(#[$attr:meta])*
        pub struct $name:ident {
            columns { $($columns:tt)* }
            $($rest:tt)*
        }
    ) => {
        $crate::api::query::table_query! {
            @plain [$(#[$attr])*] $name [$($columns)*] { $($rest)* }
        }
    };
    (
        $(#[$attr:meta])*
        pub struct $name:ident {
            $($rest:tt)*
        }
    ) => {
        $crate::api::query::table_query! {
            @plain [$(#[$attr])*] $name [] { $($rest)* }
        }
    };
    (
        @options [$($attr:tt)*] $name:ident [$($n_components:tt)*] [$($columns:tt)*]
        { $($rest:tt)* }
    ) => {
        $crate::api::query::table_query! {
            @struct [$($attr)*] $name [
                $($n_components)*
                pub n_components: Option<String>,
                /// As `standardize` in the JSON body.
                pub standardize: Option<bool>,
                /// As `sign` in the JSON body.
                #[param(inline)]
                pub sign: Option<$crate::api::options::Sign>,
                /// As `missing` in the JSON body.
                #[param(inline)]
                pub missing: Option<$crate::api::options::Missing>,
                /// As `imputation.rank`.
                #[param(minimum = 1)]
                pub imputation_rank: Option<i64>,
                /// As `imputation.max_iter`.
                #[param(minimum = 1, maximum = 100000)]
                pub imputation_max_iter: Option<i64>,
                /// As `imputation.tol`.
                #[param(minimum = 0)]
                pub imputation_tol: Option<f64>,
                /// As `imputation.bounds`, written `lo,hi`.
                #[param(pattern = r"^\s*[-+0-9.eE]+\s*,\s*[-+0-9.eE]+\s*$")]
                pub imputation_bounds: Option<String>,
            ] [$($columns)*] { $($rest)* }
        }

        impl $crate::api::query::TableQuery for $name {
            fn table(&self) -> $crate::api::query::TableParams<'_> {
                self.table_params()
            }

            fn option_params(&self) -> Option<$crate::api::query::OptionParams<'_>> {
                Some($crate::api::query::OptionParams {
                    n_components: self.n_components.as_deref(),
                    standardize: self.standardize,
                    sign: self.sign,
                    missing: self.missing,
                    imputation_rank: self.imputation_rank,
                    imputation_max_iter: self.imputation_max_iter,
                    imputation_tol: self.imputation_tol,
                    imputation_bounds: self.imputation_bounds.as_deref(),
                })
            }
        }
    };
    (@plain [$($attr:tt)*] $name:ident [$($columns:tt)*] { $($rest:tt)* }) => {
        $crate::api::query::table_query! {
            @struct [$($attr)*] $name [] [$($columns)*] { $($rest)* }
        }

        impl $crate::api::query::TableQuery for $name {
            fn table(&self) -> $crate::api::query::TableParams<'_> {
                self.table_params()
            }
        }
    };
    // The per-model columns: keywords for the columns several endpoints
    // read, each written (and documented) once, expanded before the struct.
    (@struct $attrs:tt $name:ident $options:tt [$($columns:tt)*] $rest:tt) => {
        $crate::api::query::table_query! { @columns $attrs $name $options [] [$($columns)*] $rest }
    };
    (
        @columns $attrs:tt $name:ident $options:tt [$($out:tt)*]
        [family_column(required) $(, $($more:tt)*)?] $rest:tt
    ) => {
        $crate::api::query::table_query! {
            @columns $attrs $name $options [
                $($out)*
                /// The column of each model's family (needed for a table body); an
                /// empty cell means no family.
                family_column,
            ] [$($($more)*)?] $rest
        }
    };
    (
        @columns $attrs:tt $name:ident $options:tt [$($out:tt)*]
        [compute_columns $(, $($more:tt)*)?] $rest:tt
    ) => {
        $crate::api::query::table_query! {
            @columns $attrs $name $options [
                $($out)*
                /// The column of each model's training compute, in any unit (e.g. `FLOPs (1E21)`).
                flops_column,
                /// The column of each model's parameters (with `tokens_column`: FLOPs = 6 N D).
                params_column,
                /// The column of each model's training tokens (with `params_column`).
                tokens_column,
            ] [$($($more)*)?] $rest
        }
    };
    (
        @columns $attrs:tt $name:ident $options:tt [$($out:tt)*]
        [$(#[$column_attr:meta])* $column:ident $(, $($more:tt)*)?] $rest:tt
    ) => {
        $crate::api::query::table_query! {
            @columns $attrs $name $options [$($out)* $(#[$column_attr])* $column,] [$($($more)*)?] $rest
        }
    };
    (@columns $attrs:tt $name:ident $options:tt $columns:tt [] $rest:tt) => {
        $crate::api::query::table_query! { @emit $attrs $name $options $columns $rest }
    };
    (
        @emit [$(#[$attr:meta])*] $name:ident [$($options:tt)*]
        [$($(#[$column_attr:meta])* $column:ident),* $(,)?]
        {
            $(
                $(#[$field_attr:meta])*
                pub $field:ident : $type:ty
            ),* $(,)?
        }
    ) => {
        #[derive(Debug, Clone, Default, serde::Deserialize, utoipa::IntoParams)]
        #[serde(deny_unknown_fields)]
        #[into_params(parameter_in = Query)]
        $(#[$attr])*
        pub struct $name {
            /// Field delimiter of a CSV body: `,` (default), `;`, or a tab (`\t` or `tab`).
            #[param(pattern = "^(,|;|\t|tab)$")]
            pub delimiter: Option<String>,
            /// `wide` (default): a row per model, a column per benchmark.
            /// `long`: a row per (model, benchmark, score); other columns are
            /// ignored, and per-model columns must agree across a model's rows.
            #[param(inline)]
            pub layout: Option<$crate::api::query::Layout>,
            /// The column holding the model names. Default: the first column
            /// (wide), `model` (long).
            #[param(min_length = 1)]
            pub model_column: Option<String>,
            /// Long layout: the column holding the benchmark names. Default `benchmark`.
            #[param(min_length = 1)]
            pub benchmark_column: Option<String>,
            /// Long layout: the column holding the scores. Default `score`.
            #[param(min_length = 1)]
            pub score_column: Option<String>,
            /// Long layout: a (model, benchmark) pair with two scores is
            /// refused (`reject`, default: 422 `duplicate_score`), or takes
            /// their `mean` or the `last` one.
            #[param(inline)]
            pub duplicates: Option<$crate::api::query::Duplicates>,
            /// Benchmarks: every score column (wide) or benchmark value
            /// (long) that starts with this, in table order.
            #[param(min_length = 1)]
            pub benchmark_prefix: Option<String>,
            /// Benchmarks by name, comma-separated, in this order. With
            /// neither this nor `benchmark_prefix`: in a wide table, every
            /// column but the model column (and the per-model columns an
            /// endpoint reads, such as the family) that holds at least one
            /// number; in a long table, every benchmark value, in order of
            /// first appearance.
            #[param(min_length = 1)]
            pub benchmarks: Option<String>,
            /// `lm_eval`: the body is lm-evaluation-harness results files
            /// (one document, a JSON array of them, JSON Lines, or a
            /// multipart/form-data upload of one part per file and an
            /// optional `models` part of per-model columns) instead of a
            /// table; see docs/lm-eval.md.
            #[param(inline)]
            pub format: Option<$crate::api::query::InputFormat>,
            /// format=lm_eval: the tasks (or groups) that are the benchmark
            /// columns, comma-separated, in this order; subtasks may be
            /// named. Default: every task with a score but the subtasks a
            /// group with a score stands for.
            #[param(min_length = 1)]
            pub tasks: Option<String>,
            /// format=lm_eval: every task or group with a score whose name
            /// starts with this (subtasks included), in order of first
            /// appearance.
            #[param(min_length = 1)]
            pub task_prefix: Option<String>,
            /// format=lm_eval: a task's metric and filter,
            /// `task:metric,filter;task:metric` (without a filter: `none`,
            /// then `strict-match`, then the others by name). Default per
            /// task: `acc_norm`, then `acc`, then `exact_match`, then the
            /// other metrics by name.
            #[param(min_length = 1)]
            pub metrics: Option<String>,
            $($options)*
            $(
                $(#[$column_attr])*
                #[param(min_length = 1)]
                pub $column: Option<String>,
            )*
            $(
                $(#[$field_attr])*
                pub $field: $type,
            )*
        }

        impl $name {
            fn table_params(&self) -> $crate::api::query::TableParams<'_> {
                $crate::api::query::TableParams {
                    delimiter: self.delimiter.as_deref(),
                    layout: self.layout,
                    model_column: self.model_column.as_deref(),
                    benchmark_column: self.benchmark_column.as_deref(),
                    score_column: self.score_column.as_deref(),
                    duplicates: self.duplicates,
                    benchmark_prefix: self.benchmark_prefix.as_deref(),
                    benchmarks: self.benchmarks.as_deref(),
                    format: self.format,
                    tasks: self.tasks.as_deref(),
                    task_prefix: self.task_prefix.as_deref(),
                    metrics: self.metrics.as_deref(),
                }
            }
        }
    };
}

pub(crate) use table_query;

/// A query of an endpoint that takes tables.
pub trait TableQuery: DeserializeOwned {
    fn table(&self) -> TableParams<'_>;

    /// The PCA and missing-score options, when the endpoint has them.
    fn option_params(&self) -> Option<OptionParams<'_>> {
        None
    }

    /// The options as a JSON body would carry them (the defaults when the
    /// endpoint has none).
    fn analysis_options(&self) -> Result<AnalysisOptions, ApiError> {
        self.option_params()
            .map_or(Ok(AnalysisOptions::default()), |o| o.options())
    }
}

/// Deserialises a query string and checks the rules its shared parameters
/// state on their own: unknown parameters are `unknown_field`, malformed or
/// contradictory values `invalid_query` (or the option's own code).
pub fn parse<T: TableQuery>(query: &str) -> Result<T, ApiError> {
    // Every parameter names something (a column, a list, a number): sent
    // empty, it is a mistake rather than a default.
    if let Some(name) = query
        .split('&')
        .filter_map(|pair| pair.strip_suffix('='))
        .find(|name| !name.is_empty() && !name.contains('='))
    {
        return Err(invalid(format!(
            "query string: parameter {name} must not be empty"
        )));
    }
    let parsed: T = serde_urlencoded::from_str(query).map_err(|err| {
        let message = err.to_string();
        if message.starts_with("unknown field") {
            return ApiError::new(ErrorCode::UnknownField, format!("query string: {message}"));
        }
        // serde_urlencoded does not say which parameter a bad value belongs
        // to: find the first that fails on its own.
        let culprit = query
            .split('&')
            .find(|pair| serde_urlencoded::from_str::<T>(pair).is_err());
        let detail = match culprit.and_then(|pair| pair.split('=').next()) {
            Some(name) => format!("query string: parameter {name}: {message}"),
            None => format!("query string: {message}"),
        };
        ApiError::new(ErrorCode::InvalidQuery, detail)
    })?;
    parsed.table().validate()?;
    parsed.analysis_options()?;
    Ok(parsed)
}

fn invalid(detail: impl Into<String>) -> ApiError {
    ApiError::new(ErrorCode::InvalidQuery, detail)
}

/// A number parameter within the range the spec gives it, checked whatever
/// the body (a JSON body does not use it, but a request the spec forbids is
/// never silently accepted).
pub fn within<T: PartialOrd + Copy + std::fmt::Display>(
    name: &str,
    value: Option<T>,
    ok: impl Fn(T) -> bool,
    rule: &str,
) -> Result<(), ApiError> {
    match value {
        Some(v) if !ok(v) => Err(invalid(format!("{name} must be {rule}, got {v}"))),
        _ => Ok(()),
    }
}

/// A comma-separated list, each item trimmed. An item may be quoted as in
/// CSV (`"a,b",c` is two items), for names that hold commas.
pub fn list(name: &str, text: &str) -> Result<Vec<String>, ApiError> {
    let mut reader = ::csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes());
    match reader.records().next() {
        Some(Ok(record)) if reader.records().next().is_none() => {
            Ok(record.iter().map(|item| item.trim().to_owned()).collect())
        }
        _ => Err(invalid(format!(
            "{name} must be a comma-separated list (items with commas in double quotes), got {text:?}"
        ))),
    }
}

/// A comma-separated pair of finite numbers `lo,hi` (as sent: `name` for errors).
pub fn pair(name: &str, text: Option<&str>) -> Result<Option<Vec<f64>>, ApiError> {
    let Some(text) = text else {
        return Ok(None);
    };
    let values: Result<Vec<f64>, _> = text.split(',').map(|v| v.trim().parse::<f64>()).collect();
    match values {
        Ok(v) if v.len() == 2 && v.iter().all(|x| x.is_finite()) => Ok(Some(v)),
        _ => Err(invalid(format!(
            "{name} must be two finite numbers 'lo,hi', got {text:?}"
        ))),
    }
}

/// The table parameters of a query.
#[derive(Debug, Clone, Copy, Default)]
pub struct TableParams<'q> {
    pub delimiter: Option<&'q str>,
    pub layout: Option<Layout>,
    pub model_column: Option<&'q str>,
    pub benchmark_column: Option<&'q str>,
    pub score_column: Option<&'q str>,
    pub duplicates: Option<Duplicates>,
    pub benchmark_prefix: Option<&'q str>,
    pub benchmarks: Option<&'q str>,
    pub format: Option<InputFormat>,
    pub tasks: Option<&'q str>,
    pub task_prefix: Option<&'q str>,
    pub metrics: Option<&'q str>,
}

impl<'q> TableParams<'q> {
    /// The rules the parameters state on their own.
    pub fn validate(&self) -> Result<(), ApiError> {
        self.validate_lm_eval()?;
        if let Some(names) = self.benchmarks {
            list("benchmarks", names)?;
        }
        if self.benchmark_prefix.is_some() && self.benchmarks.is_some() {
            return Err(invalid(
                "use either benchmark_prefix or benchmarks, not both",
            ));
        }
        for (name, value) in [
            ("model_column", self.model_column),
            ("benchmark_column", self.benchmark_column),
            ("score_column", self.score_column),
            ("benchmark_prefix", self.benchmark_prefix),
            ("benchmarks", self.benchmarks),
        ] {
            if value == Some("") {
                return Err(invalid(format!("{name} must not be empty")));
            }
        }
        if self.layout.unwrap_or_default() == Layout::Wide && !self.is_lm_eval() {
            for (name, given) in [
                ("benchmark_column", self.benchmark_column.is_some()),
                ("score_column", self.score_column.is_some()),
                ("duplicates", self.duplicates.is_some()),
            ] {
                if given {
                    return Err(invalid(format!(
                        "{name} applies to layout=long (a wide table has a column per benchmark)"
                    )));
                }
            }
        }
        self.delimiter_byte().map(|_| ())
    }

    /// The field delimiter of a CSV body.
    pub fn delimiter_byte(&self) -> Result<u8, ApiError> {
        match self.delimiter {
            None | Some(",") => Ok(b','),
            Some(";") => Ok(b';'),
            Some("\t") | Some("tab") => Ok(b'\t'),
            Some(other) => Err(invalid(format!(
                "delimiter must be ',', ';' or a tab ('tab'), got {other:?}"
            ))),
        }
    }

    /// Whether the body is lm-evaluation-harness results.
    pub fn is_lm_eval(&self) -> bool {
        self.format == Some(InputFormat::LmEval)
    }

    /// The parameters of `format=lm_eval`, and the table parameters that
    /// mean nothing with it (the results say their tasks, models and scores).
    fn validate_lm_eval(&self) -> Result<(), ApiError> {
        if !self.is_lm_eval() {
            for (name, given) in [
                ("tasks", self.tasks.is_some()),
                ("task_prefix", self.task_prefix.is_some()),
                ("metrics", self.metrics.is_some()),
            ] {
                if given {
                    return Err(invalid(format!(
                        "{name} applies to format=lm_eval (a table names its benchmarks with \
                         benchmarks or benchmark_prefix)"
                    )));
                }
            }
            return Ok(());
        }
        for (name, given) in [
            ("layout", self.layout.is_some()),
            ("benchmark_column", self.benchmark_column.is_some()),
            ("score_column", self.score_column.is_some()),
            ("benchmarks", self.benchmarks.is_some()),
            ("benchmark_prefix", self.benchmark_prefix.is_some()),
        ] {
            if given {
                return Err(invalid(format!(
                    "{name} applies to tables; with format=lm_eval the columns are tasks, \
                     picked with tasks or task_prefix"
                )));
            }
        }
        if self.tasks.is_some() && self.task_prefix.is_some() {
            return Err(invalid("use either task_prefix or tasks, not both"));
        }
        if let Some(tasks) = self.tasks {
            list("tasks", tasks)?;
        }
        if let Some(metrics) = self.metrics {
            metric_picks(metrics)?;
        }
        Ok(())
    }

    /// How an lm-eval upload is read: as these parameters say, with the
    /// per-model columns `per_model` read from its `models` part.
    pub fn lm_eval_spec(&self, per_model: PerModelColumns) -> Result<LmEvalSpec, ApiError> {
        let tasks = match (self.task_prefix, self.tasks) {
            (Some(prefix), _) => TaskPick::Prefix(prefix.to_owned()),
            (None, Some(names)) => TaskPick::Named(list("tasks", names)?),
            (None, None) => TaskPick::Default,
        };
        Ok(LmEvalSpec {
            tasks,
            metrics: self
                .metrics
                .map(metric_picks)
                .transpose()?
                .unwrap_or_default(),
            duplicates: self.duplicates.unwrap_or_default().into(),
            model_column: self.model_column.map(str::to_owned),
            delimiter: self.delimiter_byte()?,
            per_model,
        })
    }

    /// How a table body is read: as these parameters say, with the
    /// per-model columns `per_model`.
    pub fn spec(&self, per_model: PerModelColumns) -> Result<ReadSpec, ApiError> {
        if self.is_lm_eval() {
            return Err(invalid(
                "format=lm_eval is read by the endpoints that take a leaderboard and by \
                 /v1/inspect; this one reads a table",
            ));
        }
        let benchmarks = match (self.benchmark_prefix, self.benchmarks) {
            (Some(prefix), _) => Benchmarks::Prefix(prefix.to_owned()),
            (None, Some(names)) => Benchmarks::Named(list("benchmarks", names)?),
            (None, None) => Benchmarks::Numeric,
        };
        Ok(ReadSpec {
            delimiter: self.delimiter_byte()?,
            model_column: self.model_column.map(str::to_owned),
            benchmarks,
            long: (self.layout == Some(Layout::Long)).then(|| LongSpec {
                benchmark_column: self.benchmark_column.unwrap_or("benchmark").to_owned(),
                score_column: self.score_column.unwrap_or("score").to_owned(),
                duplicates: self.duplicates.unwrap_or_default().into(),
            }),
            per_model,
        })
    }
}

/// `metrics=task:metric,filter;task:metric`: each item a task, a colon, a
/// metric and an optional filter after a comma (the harness's
/// `metric,filter` key).
fn metric_picks(text: &str) -> Result<Vec<MetricPick>, ApiError> {
    text.split(';')
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .map(|item| {
            let bad = || {
                invalid(format!(
                    "metrics must be task:metric,filter items separated by ';' (the filter \
                     optional), got {item:?}"
                ))
            };
            let (task, key) = item.rsplit_once(':').ok_or_else(bad)?;
            let (metric, filter) = match key.split_once(',') {
                Some((metric, filter)) => (metric.trim(), Some(filter.trim())),
                None => (key.trim(), None),
            };
            if task.trim().is_empty() || metric.is_empty() || filter == Some("") {
                return Err(bad());
            }
            Ok(MetricPick {
                task: task.trim().to_owned(),
                metric: metric.to_owned(),
                filter: filter.map(str::to_owned),
            })
        })
        .collect()
}

/// What the body is, when it is no table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum InputFormat {
    /// lm-evaluation-harness results files.
    LmEval,
}

/// How a table lays out its leaderboard.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, serde::Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Layout {
    /// A row per model, a column per benchmark.
    #[default]
    Wide,
    /// A row per (model, benchmark, score), as evaluation harnesses write results.
    Long,
}

impl From<Layout> for ingest::Layout {
    fn from(layout: Layout) -> Self {
        match layout {
            Layout::Wide => ingest::Layout::Wide,
            Layout::Long => ingest::Layout::Long,
        }
    }
}

impl From<ingest::Layout> for Layout {
    fn from(layout: ingest::Layout) -> Self {
        match layout {
            ingest::Layout::Wide => Layout::Wide,
            ingest::Layout::Long => Layout::Long,
        }
    }
}

/// What a long table does with a (model, benchmark) pair that has two scores.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Duplicates {
    /// 422 `duplicate_score` naming the pair.
    #[default]
    Reject,
    /// Their mean.
    Mean,
    /// The one in the last row.
    Last,
}

impl From<Duplicates> for ingest::Duplicates {
    fn from(duplicates: Duplicates) -> Self {
        match duplicates {
            Duplicates::Reject => ingest::Duplicates::Reject,
            Duplicates::Mean => ingest::Duplicates::Mean,
            Duplicates::Last => ingest::Duplicates::Last,
        }
    }
}

/// The PCA and missing-score options of a query, as sent.
#[derive(Debug, Clone, Copy)]
pub struct OptionParams<'q> {
    pub n_components: Option<&'q str>,
    pub standardize: Option<bool>,
    pub sign: Option<Sign>,
    pub missing: Option<Missing>,
    pub imputation_rank: Option<i64>,
    pub imputation_max_iter: Option<i64>,
    pub imputation_tol: Option<f64>,
    pub imputation_bounds: Option<&'q str>,
}

impl OptionParams<'_> {
    /// The options as a JSON body would carry them, with the query's own
    /// spelling checked (numbers as text, `lo,hi` pairs) and then the rules
    /// every option states.
    pub fn options(&self) -> Result<AnalysisOptions, ApiError> {
        let n_components = self
            .n_components
            .map(|text| text.parse::<NComponentsField>().map_err(invalid))
            .transpose()?;
        let bounds = pair("imputation_bounds", self.imputation_bounds)?;
        let imputation = (self.imputation_rank.is_some()
            || self.imputation_max_iter.is_some()
            || self.imputation_tol.is_some()
            || bounds.is_some())
        .then_some(ImputationOptions {
            rank: self.imputation_rank.map(SentNumber::from),
            max_iter: self.imputation_max_iter.map(SentNumber::from),
            tol: self.imputation_tol,
            bounds,
        });
        let options = AnalysisOptions {
            n_components,
            standardize: self.standardize,
            sign: self.sign,
            missing: self.missing,
            imputation,
            spelling: Spelling::Query,
        };
        options.validate()?;
        Ok(options)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    table_query! {
        /// A query for the tests.
        pub struct TestQuery {
            /// Components.
            n_components;
            /// A per-model column.
            pub family_column: Option<String>,
        }
    }

    fn query(q: &str) -> Result<TestQuery, ApiError> {
        parse(q)
    }

    #[test]
    fn query_errors_are_coded() {
        let code = |q: &str| query(q).unwrap_err().code;
        assert_eq!(code("delimiter=x"), ErrorCode::InvalidQuery);
        assert_eq!(code("colour=red"), ErrorCode::UnknownField);
        assert_eq!(
            code("benchmarks=a&benchmark_prefix=b"),
            ErrorCode::InvalidQuery
        );
        assert_eq!(code("imputation_bounds=0"), ErrorCode::InvalidQuery);
        assert_eq!(code("model_column="), ErrorCode::InvalidQuery);
        assert_eq!(
            code("family_column=&n_components=2"),
            ErrorCode::InvalidQuery
        );
        assert!(query("family_column=F&imputation_bounds=0,1").is_ok());
        let q =
            query("n_components=0.9&missing=iterative_pca&imputation_bounds=0,1&family_column=F")
                .unwrap();
        let options = q.analysis_options().unwrap();
        assert_eq!(
            options.n_components,
            Some(NComponentsField::Fraction(
                SentNumber::parse("0.9").unwrap()
            ))
        );
        assert_eq!(options.imputation.unwrap().bounds, Some(vec![0.0, 1.0]));
        assert_eq!(q.family_column.as_deref(), Some("F"));
    }

    #[test]
    fn lists_may_quote_items_with_commas() {
        assert_eq!(list("x", " a, b ,c").unwrap(), ["a", "b", "c"]);
        assert_eq!(
            list("x", r#""gsm8k_5,strict-match",b"#).unwrap(),
            ["gsm8k_5,strict-match", "b"]
        );
        assert_eq!(list("x", "a\nb").unwrap_err().code, ErrorCode::InvalidQuery);
    }
}
