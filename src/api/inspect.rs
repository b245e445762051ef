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
use super::query::{Layout, TableParams, TableQuery};
use super::responses::TableBodyErrors;
use super::schemas::{ArrowStream, CsvText, ParquetFile};
use crate::ingest::inspect::{self, Column, Delimiter, Example, InspectSpec};
use crate::ingest::{self, NearNumber as Looks};

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
}

impl TableQuery for InspectQuery {
    fn table(&self) -> TableParams<'_> {
        TableParams {
            // `auto` is inspect's own: the body is sniffed (`InspectEndpoint::read`).
            delimiter: self.delimiter.as_deref().filter(|&d| d != "auto"),
            layout: self.layout,
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
        if body.format == BodyFormat::Json {
            return Err(ApiError::new(
                ErrorCode::UnsupportedMediaType,
                "inspect takes a table: text/csv, application/vnd.apache.parquet or \
                 application/vnd.apache.arrow.stream (a JSON request is already a leaderboard)",
            ));
        }
        let max_examples = match query.max_examples {
            None => EXAMPLES,
            Some(n) => usize::try_from(n)
                .ok()
                .filter(|&n| n <= MAX_EXAMPLES)
                .ok_or_else(|| {
                    ApiError::new(
                        ErrorCode::InvalidQuery,
                        format!("max_examples must be between 0 and {MAX_EXAMPLES}, got {n}"),
                    )
                })?,
        };
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
        })
    }

    fn answer(answer: InspectResponse, _: &Limits) -> Result<InspectResponse, ApiError> {
        Ok(answer)
    }
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
    /// user needs to check a file before analysing it.
    post "/v1/inspect" => post_inspect(InspectEndpoint), tag "tables",
    query InspectQuery,
    bodies(
        (CsvText = "text/csv", example = "model,benchmark,score\nmeta-llama/Llama-2-7b-hf,MMLU,0.438\nmeta-llama/Llama-2-7b-hf,GSM8K,0.1448\nEleutherAI/pythia-1b-deduped,MMLU,0.2427\n"),
        (ParquetFile = "application/vnd.apache.parquet"),
        (ArrowStream = "application/vnd.apache.arrow.stream"),
    ),
    errors(TableBodyErrors),
    ok(description = "The table's rows, guessed layout and columns", body = InspectResponse),
    unanswerable "`invalid_csv`, `invalid_parquet`, `invalid_arrow` (the body cannot be read), `invalid_query`, `unknown_field`",
}
