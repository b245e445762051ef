//! `POST /v1/inspect`: what a table body holds, before it is analysed. Its
//! row count, the layout it looks like, and per column its type, whether it
//! is numeric, how many cells are missing and a few distinct values: what a
//! page needs to offer column pickers, and what a user needs to check a
//! file. Any table body the analysis endpoints take (CSV, Parquet, an Arrow
//! stream), read exactly as they read it.

use actix_web::post;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};

use super::body::{BodyFormat, Limits};
use super::endpoint::{self, Body, Endpoint, handler};
use super::error::{ApiError, ErrorCode};
use super::lm_eval::{DEFAULT_RULE, LmEvalForm, LmEvalLines, LmEvalModel};
use super::query::{InputFormat, Layout, TableParams, TableQuery};
use super::responses::TableBodyErrors;
use super::schemas::{ArrowStream, CsvText, ParquetFile};
use crate::ingest::inspect::{self, Column, Delimiter, Example, InspectSpec};
use crate::ingest::lm_eval::{self, LmEvalSpec, TaskPick};
use crate::ingest::{self, NearNumber as Looks, PerModelColumns};

/// Distinct values listed per column unless `max_examples` says otherwise.
const EXAMPLES: usize = 5;
/// The most `max_examples` may ask for: enough for a page to list every
/// family or model type, bounded so that an answer stays small.
const MAX_EXAMPLES: usize = 1000;

/// Query parameters: how to read the table.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct InspectQuery {
    /// Field delimiter of a CSV body: `,` (default), `;`, a tab (`\t` or
    /// `tab`), or `auto`: whichever of the three the header line holds most
    /// of outside quotes (a comma on a tie). The answer's `delimiter` says
    /// which was used.
    #[param(pattern = "^(,|;|\t|tab|auto)$")]
    pub delimiter: Option<String>,
    /// The layout to report instead of the guessed one.
    #[param(inline)]
    pub layout: Option<Layout>,
    /// Distinct values to list per column, 0 to 1000 (default 5). A page
    /// that offers a column's values as choices (the families) asks for
    /// more, and `distinct` says whether it got them all.
    #[param(minimum = 0, maximum = 1000)]
    pub max_examples: Option<i64>,
    /// `lm_eval`: the body is lm-evaluation-harness results (a document,
    /// an array, JSON Lines, or a form of files and a `models` part), and
    /// the answer describes its models and tasks (`lm_eval`).
    #[param(inline)]
    pub format: Option<InputFormat>,
    /// format=lm_eval: a task's metric, as the analysis endpoints take it
    /// (`task:metric,filter;...`); the answer's columns read it.
    #[param(min_length = 1)]
    pub metrics: Option<String>,
}

impl TableQuery for InspectQuery {
    fn table(&self) -> TableParams<'_> {
        TableParams {
            // `auto` is inspect's own: the body is sniffed (`InspectEndpoint::read`).
            delimiter: self.delimiter.as_deref().filter(|&d| d != "auto"),
            layout: self.layout,
            format: self.format,
            metrics: self.metrics.as_deref(),
            ..TableParams::default()
        }
    }
}

/// One column of the table.
#[derive(Debug, Serialize, ToSchema)]
pub struct InspectColumn {
    /// The column's name, as written.
    pub name: String,
    /// Parquet and Arrow: the Arrow type (e.g. `Float64`, `Utf8`,
    /// `Dictionary(Int32, Utf8)`, `Decimal128(9, 4)`). CSV: `number` (every
    /// non-missing cell is a finite number), `text`, or `empty` (no value).
    #[serde(rename = "type")]
    pub column_type: String,
    /// Whether the column can be read as scores: numbers only (an integer,
    /// float or decimal type), and at least one.
    pub numeric: bool,
    /// Missing cells: null (and a float NaN), an empty cell, and in a
    /// numeric CSV column `NA`, `N/A`, `NaN` or `null`. `null` for a nested
    /// column (a list, a struct), which is never read.
    #[schema(required = true)]
    pub missing: Option<usize>,
    /// How many distinct values the column holds (missing cells aside;
    /// text trimmed, as labels are read). `null` for a nested column.
    #[schema(required = true)]
    pub distinct: Option<usize>,
    /// The first `max_examples` (default 5) distinct values, in order of
    /// first appearance: numbers in a numeric column, text (trimmed)
    /// otherwise; none for a type that is neither.
    #[schema(schema_with = super::schemas::column_examples)]
    pub examples: Vec<Value>,
    /// Set when the column holds no number but its values look like
    /// numbers written another way: `decimal_comma` (`0,1`), `percent`
    /// (`10%`), or `semicolon_separated` (`m1;0.5;0.7`: a `;`-separated file
    /// read with another delimiter). The analysis endpoints refuse such a
    /// column (422 `invalid_score`) rather than leave it out.
    #[schema(required = true)]
    pub looks_like: Option<NearNumber>,
}

/// Text that is no number as this service reads one (a decimal point, an
/// optional exponent), but that a spreadsheet or a locale writes for one:
/// the cells a column of scores holds when it was exported another way.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum NearNumber {
    /// `0,1`: a decimal comma.
    DecimalComma,
    /// `10%`, `0,5 %`: a number with a percent sign.
    Percent,
    /// `m1;0.5;0.7`: fields joined by `;`, as a `;`-separated file read with
    /// `delimiter=,` gives.
    SemicolonSeparated,
}

impl From<Looks> for NearNumber {
    fn from(looks: Looks) -> Self {
        match looks {
            Looks::DecimalComma => NearNumber::DecimalComma,
            Looks::Percent => NearNumber::Percent,
            Looks::SemicolonSeparated => NearNumber::SemicolonSeparated,
        }
    }
}

/// What a table body holds.
#[derive(Debug, Serialize, ToSchema)]
pub struct InspectResponse {
    /// Data rows (a CSV's header not counted).
    pub rows: usize,
    /// `long` when the columns `model`, `benchmark` and `score` exist, or
    /// when the first column is text that repeats a value, another column
    /// is text and one is numeric (a row per model, benchmark and score);
    /// `wide` otherwise. The query's `layout` replaces the guess.
    pub layout: Layout,
    /// Every column, in table order.
    pub columns: Vec<InspectColumn>,
    /// A CSV body's delimiter (`,`, `;` or a tab), as the query gave it or
    /// as `auto` found it: the `delimiter` to send the analysis endpoints.
    /// Null for Parquet and Arrow.
    #[schema(required = true)]
    pub delimiter: Option<String>,
    /// With format=lm_eval: the upload's documents, models and tasks. The
    /// answer's `columns` are then the leaderboard the analysis endpoints
    /// read with `task_prefix` matching every task: a model column (named
    /// as the `models` part's, else `model`), a column per task with a score
    /// (subtasks included) read with the metric `lm_eval.tasks` names, then
    /// the `models` part's other columns; `rows` is the number of models.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lm_eval: Option<LmEvalInspect>,
}

/// What an lm-eval upload holds.
#[derive(Debug, Serialize, ToSchema)]
pub struct LmEvalInspect {
    /// Results documents read.
    pub documents: usize,
    /// The models, in order of first appearance, with their documents.
    pub models: Vec<LmEvalModel>,
    /// Every task and group, in order of first appearance.
    pub tasks: Vec<LmEvalTask>,
    /// The rule that picks a task's metric unless `metrics` names one.
    pub default_rule: String,
    /// The columns of the `models` part (null without one).
    #[schema(required = true)]
    pub models_part_columns: Option<Vec<String>>,
}

/// A task (or group) of an lm-eval upload.
#[derive(Debug, Serialize, ToSchema)]
pub struct LmEvalTask {
    pub task: String,
    /// The group that lists it in `group_subtasks`.
    #[schema(required = true)]
    pub group: Option<String>,
    /// Whether it is a group (it lists subtasks).
    pub is_group: bool,
    /// Its metrics, `metric,filter` as the harness writes them (stderr aside).
    pub metrics: Vec<String>,
    /// How many models' documents have it.
    pub models: usize,
    /// Whether it is a benchmark column by default: it has a score and no
    /// group above it has one (which then stands for it).
    pub column: bool,
    /// The metric a column of it reads (as `metrics` names it, else by the
    /// default rule); null when it has none.
    #[schema(required = true)]
    pub metric: Option<String>,
    /// The filter read with `metric`.
    #[schema(required = true)]
    pub filter: Option<String>,
}

/// `POST /v1/inspect`: reading the body answers it.
pub struct InspectEndpoint;

impl Endpoint for InspectEndpoint {
    type Query = InspectQuery;
    type Input = InspectResponse;
    type Answer = InspectResponse;

    /// Reads the body as the analysis endpoints would, and describes it.
    fn read(
        body: Body<'_>,
        query: &InspectQuery,
        limits: &Limits,
    ) -> Result<InspectResponse, ApiError> {
        if query.table().is_lm_eval() || body.is_results_upload() {
            return describe_lm_eval(body, query, limits);
        }
        if matches!(body.format, BodyFormat::Json | BodyFormat::JsonLines) {
            return Err(ApiError::new(
                ErrorCode::UnsupportedMediaType,
                "inspect takes a table: text/csv, application/vnd.apache.parquet or \
                 application/vnd.apache.arrow.stream (a JSON request is already a leaderboard)",
            ));
        }
        let max_examples = max_examples(query)?;
        let format = endpoint::table_format(body.format)?;
        let delimiter = match query.delimiter.as_deref() {
            Some("auto") => Delimiter::Sniffed,
            _ => Delimiter::Byte(query.table().delimiter_byte()?),
        };
        let spec = InspectSpec {
            delimiter,
            layout: query.layout.map(ingest::Layout::from),
            max_examples,
        };
        let description = inspect::inspect(format, body.bytes, &spec, &limits.read())?;
        Ok(InspectResponse {
            rows: description.rows,
            layout: description.layout.into(),
            columns: description
                .columns
                .into_iter()
                .map(InspectColumn::from)
                .collect(),
            delimiter: description.delimiter.map(|d| char::from(d).to_string()),
            lm_eval: None,
        })
    }

    fn answer(answer: InspectResponse, _: &Limits) -> Result<InspectResponse, ApiError> {
        Ok(answer)
    }
}

/// Distinct values to list per column, as `max_examples` says.
fn max_examples(query: &InspectQuery) -> Result<usize, ApiError> {
    match query.max_examples {
        None => Ok(EXAMPLES),
        Some(n) => usize::try_from(n)
            .ok()
            .filter(|&n| n <= MAX_EXAMPLES)
            .ok_or_else(|| {
                ApiError::new(
                    ErrorCode::InvalidQuery,
                    format!("max_examples must be between 0 and {MAX_EXAMPLES}, got {n}"),
                )
            }),
    }
}

/// An lm-eval upload described: its models and tasks, and as columns the
/// leaderboard of every task with a score.
fn describe_lm_eval(
    body: Body<'_>,
    query: &InspectQuery,
    limits: &Limits,
) -> Result<InspectResponse, ApiError> {
    let max_examples = max_examples(query)?;
    let params = query.table();
    let spec = params.lm_eval_spec(PerModelColumns::default())?;
    let read = limits.read();
    let upload = endpoint::lm_eval_upload(body, limits)?;
    let description = lm_eval::describe(&upload, &spec, &read)?;
    let every = LmEvalSpec {
        tasks: TaskPick::Prefix(String::new()),
        ..spec.clone()
    };
    let (board, _) = lm_eval::assemble(&upload, &every, &read)?;
    let (n, p) = (board.models.len(), board.benchmarks.len());
    let mut columns = Vec::with_capacity(p + 1);
    let model_examples: Vec<Value> = board
        .models
        .iter()
        .take(max_examples)
        .map(|m| Value::from(m.as_str()))
        .collect();
    // The models part's columns, described as a table; its model column
    // names the leaderboard's (what the analyses' model_column is sent as).
    let mut model_column = "model".to_owned();
    let mut part_columns = Vec::new();
    if let Some((format, bytes)) = upload.models_part() {
        let part = inspect::inspect(
            format,
            bytes,
            &InspectSpec {
                delimiter: Delimiter::Byte(spec.delimiter),
                layout: Some(ingest::Layout::Wide),
                max_examples,
            },
            &read,
        )?;
        // Its first column names the models, as a wide table's does.
        for (c, column) in part.columns.into_iter().enumerate() {
            if c == 0 {
                model_column = column.name;
            } else {
                part_columns.push(InspectColumn::from(column));
            }
        }
    }
    columns.push(InspectColumn {
        name: model_column,
        column_type: "text".into(),
        numeric: false,
        missing: Some(0),
        distinct: Some(n),
        examples: model_examples,
        looks_like: None,
    });
    for (j, task) in board.benchmarks.iter().enumerate() {
        let values: Vec<f64> = (0..n)
            .map(|i| board.scores.values[i * p + j])
            .filter(|v| !v.is_nan())
            .collect();
        let mut distinct: Vec<f64> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for &v in &values {
            if seen.insert(v.to_bits()) {
                distinct.push(v);
            }
        }
        columns.push(InspectColumn {
            name: task.clone(),
            column_type: "number".into(),
            numeric: !values.is_empty(),
            missing: Some(n - values.len()),
            distinct: Some(distinct.len()),
            examples: distinct
                .iter()
                .take(max_examples)
                .map(|&v| Value::from(v))
                .collect(),
            looks_like: None,
        });
    }
    columns.extend(part_columns);
    Ok(InspectResponse {
        rows: n,
        layout: Layout::Wide,
        columns,
        delimiter: None,
        lm_eval: Some(LmEvalInspect {
            documents: description.documents,
            models: description
                .models
                .into_iter()
                .map(LmEvalModel::from)
                .collect(),
            tasks: description
                .tasks
                .into_iter()
                .map(|t| {
                    let (metric, filter) = t.metric.unzip();
                    LmEvalTask {
                        task: t.task,
                        group: t.group,
                        is_group: t.is_group,
                        metrics: t.metrics,
                        models: t.models,
                        column: t.column,
                        metric,
                        filter,
                    }
                })
                .collect(),
            default_rule: DEFAULT_RULE.to_owned(),
            models_part_columns: description.models_part,
        }),
    })
}

impl From<Column> for InspectColumn {
    fn from(column: Column) -> Self {
        InspectColumn {
            name: column.name,
            column_type: column.column_type,
            numeric: column.numeric,
            missing: column.missing,
            distinct: column.distinct,
            examples: column
                .examples
                .into_iter()
                .map(|example| match example {
                    Example::Int(value) => Value::from(value),
                    Example::Float(value) => Value::from(value),
                    Example::Text(text) => Value::from(text),
                })
                .collect(),
            looks_like: column.looks_like.map(NearNumber::from),
        }
    }
}

handler! {
    /// What a table body holds.
    ///
    /// Reads a CSV, Parquet or Arrow stream body exactly as the analysis
    /// endpoints read it, and answers its row count, the layout it looks like,
    /// and for every column its type, whether it is numeric, how many cells are
    /// missing, how many distinct values it holds and the first few of them
    /// (`max_examples`): what a page needs to offer column
    /// pickers (`model_column`, `benchmarks`, `family_column`, ...), and what a
    /// user needs to check a file before analysing it. With `format=lm_eval`,
    /// lm-evaluation-harness results files instead: their models, and for every
    /// task its metrics, group, how many models have it and the metric a column
    /// of it reads (`lm_eval`).
    post "/v1/inspect" => post_inspect(InspectEndpoint), tag "tables",
    query InspectQuery,
    bodies(
        (CsvText = "text/csv", example = "model,benchmark,score\nmeta-llama/Llama-2-7b-hf,MMLU,0.438\nmeta-llama/Llama-2-7b-hf,GSM8K,0.1448\nEleutherAI/pythia-1b-deduped,MMLU,0.2427\n"),
        (ParquetFile = "application/vnd.apache.parquet"),
        (ArrowStream = "application/vnd.apache.arrow.stream"),
        (LmEvalForm = "multipart/form-data"),
        (LmEvalLines = "application/jsonl"),
    ),
    errors(TableBodyErrors),
    ok(description = "The table's rows, guessed layout and columns", body = InspectResponse),
    unanswerable "`invalid_csv`, `invalid_parquet`, `invalid_arrow` (the body cannot be read), `invalid_query`, `unknown_field`; with format=lm_eval (a JSON, JSON Lines or form body of lm-evaluation-harness results files) `invalid_lm_eval` (an empty upload, a document that is no results object, `results` or a task that is no object), `empty_label` (a document naming no model), `invalid_score` (a metric's value is a string other than \"N/A\"), `non_finite_score`, `unknown_column` (a task without the metric named or chosen), `duplicate_score`",
}
