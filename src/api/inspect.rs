//! `POST /v1/inspect`: what a table body holds, before it is analysed. Its
//! row count, the layout it looks like, and per column its type, whether it
//! is numeric, how many cells are missing and a few distinct values: what a
//! page needs to offer column pickers, and what a user needs to check a
//! file. Any table body the analysis endpoints take (CSV, Parquet, an Arrow
//! stream), read exactly as they read it.

use actix_web::{HttpRequest, HttpResponse, post, web};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::HashSet;
use utoipa::{IntoParams, ToSchema};

use super::body::{BodyFormat, Limits, answer};
use super::error::{ApiError, ErrorCode, Problem};
use super::query::{self, TableParams, TableQuery};
use super::schemas::{ArrowStream, CsvText, ParquetFile};
use super::table::guard::check_read_cells;
use super::table::{
    Cell, LONG_MODEL_COLUMN, Layout, NearNumber, Table, csv, is_missing_token, near_numbers, number,
};

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
            // `auto` is inspect's own: resolved from the body, in `inspect_answer`.
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

/// Reads the body as the analysis endpoints would, and describes it.
pub fn inspect_answer(
    format: BodyFormat,
    query: &InspectQuery,
    body: &[u8],
    limits: &Limits,
) -> Result<InspectResponse, ApiError> {
    if format == BodyFormat::Json {
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
    let mut params = query.table();
    let delimiter = match query.delimiter.as_deref() {
        _ if format != BodyFormat::Csv => None,
        Some("auto") => Some(csv::sniff_delimiter(body)),
        Some("tab") => Some("\t"),
        Some(other) => Some(other),
        None => Some(","),
    };
    if format == BodyFormat::Csv {
        params.delimiter = delimiter;
    }
    let table = params.read(format, body, None, limits)?;
    let read = (0..table.columns().len())
        .filter(|&c| table.is_read(c))
        .count();
    check_read_cells(table.n_rows(), read, limits.max_cells)?;
    let columns: Vec<InspectColumn> = (0..table.columns().len())
        .map(|c| describe(table.as_ref(), c, max_examples))
        .collect();
    let layout = query
        .layout
        .unwrap_or_else(|| guess(table.as_ref(), &columns));
    Ok(InspectResponse {
        rows: table.n_rows(),
        layout,
        columns,
        delimiter: delimiter.map(str::to_owned),
    })
}

#[cfg(test)]
mod tests {
    use crate::api::table::csv::sniff_delimiter;

    #[test]
    fn the_header_line_names_the_delimiter() {
        assert_eq!(sniff_delimiter(b"model,a,b\nx;y;z;w\n"), ",");
        assert_eq!(sniff_delimiter(b"\xEF\xBB\xBFmodel;a;b\n1,5;2\n"), ";");
        assert_eq!(sniff_delimiter(b"model\ta\tb\r\n"), "\t");
        assert_eq!(
            sniff_delimiter(b"\"a,b,c\";d\n"),
            ";",
            "quoted commas do not count"
        );
        assert_eq!(sniff_delimiter(b"model\n"), ",", "none: a comma");
        assert_eq!(sniff_delimiter(b"a,b;c\n"), ",", "a tie: a comma");
    }
}

fn describe(table: &dyn Table, c: usize, max_examples: usize) -> InspectColumn {
    let name = table.columns()[c].clone();
    if !table.is_read(c) {
        return InspectColumn {
            name,
            column_type: table.column_type(c).unwrap_or_default(),
            numeric: false,
            missing: None,
            distinct: None,
            examples: vec![],
            looks_like: None,
        };
    }
    let cells = || (0..table.n_rows()).map(move |row| table.cell(row, c));
    let blank = |cell: &Cell<'_>| match cell {
        Cell::Missing => true,
        Cell::Text(text) => text.trim().is_empty(),
        _ => false,
    };
    // Numbers only, and at least one: text columns read cell by cell, typed
    // ones by their type.
    let numeric = match table.numeric_type(c) {
        Some(numeric) => numeric && cells().any(|cell| !blank(&cell)),
        None => {
            let mut any = false;
            let all = cells().all(|cell| match number(cell) {
                Ok(Some(_)) => {
                    any = true;
                    true
                }
                Ok(None) => true,
                Err(_) => false,
            });
            all && any
        }
    };
    let missing = cells()
        .filter(|cell| {
            blank(cell) || (numeric && matches!(cell, Cell::Text(t) if is_missing_token(t.trim())))
        })
        .count();
    // Distinct values by key: numbers by value (so 1, 1.0 and 1e0 in a CSV
    // are one), text trimmed.
    let mut seen: HashSet<Distinct<'_>> = HashSet::new();
    let mut examples: Vec<Value> = Vec::new();
    for cell in cells() {
        let (key, value) = match cell {
            _ if blank(&cell) => continue,
            Cell::Int(value) => (Distinct::Int(value), Value::from(value)),
            Cell::Float(value) => (Distinct::number(value), Value::from(value)),
            Cell::Text(_) if numeric => match number(cell) {
                Ok(Some(value)) => (Distinct::number(value), Value::from(value)),
                _ => continue,
            },
            Cell::Text(text) => (Distinct::Text(text.trim()), Value::from(text.trim())),
            Cell::Missing | Cell::Other(_) => continue,
        };
        if seen.insert(key) && examples.len() < max_examples {
            examples.push(value);
        }
    }
    let column_type = table.column_type(c).unwrap_or_else(|| {
        if numeric {
            "number"
        } else if missing == table.n_rows() {
            "empty"
        } else {
            "text"
        }
        .to_owned()
    });
    InspectColumn {
        name,
        column_type,
        numeric,
        missing: Some(missing),
        distinct: Some(seen.len()),
        examples,
        looks_like: if numeric {
            None
        } else {
            near_numbers(table, c).map(|(kind, _, _)| kind)
        },
    }
}

/// A cell's value for counting distinct values.
#[derive(PartialEq, Eq, Hash)]
enum Distinct<'a> {
    Int(i64),
    /// The bits of a float, with -0 read as 0 (NaN is a missing cell).
    Float(u64),
    Text(&'a str),
}

impl Distinct<'_> {
    fn number(value: f64) -> Self {
        Distinct::Float((value + 0.0).to_bits())
    }
}

/// The layout rule documented on [`InspectResponse::layout`].
fn guess(table: &dyn Table, columns: &[InspectColumn]) -> Layout {
    let named = |name: &str| columns.iter().any(|c| c.name == name);
    if named(LONG_MODEL_COLUMN) && named("benchmark") && named("score") {
        return Layout::Long;
    }
    // Text: read, not numeric, and holding a value (whatever `max_examples`).
    let text = |c: &InspectColumn| !c.numeric && c.distinct.is_some_and(|n| n > 0);
    if !columns.first().is_some_and(text) {
        return Layout::Wide;
    }
    let mut seen = std::collections::HashSet::new();
    let repeats = (0..table.n_rows()).any(|row| match table.cell(row, 0) {
        Cell::Text(text) if !text.trim().is_empty() => !seen.insert(text),
        _ => false,
    });
    if repeats && columns[1..].iter().any(text) && columns.iter().any(|c| c.numeric) {
        Layout::Long
    } else {
        Layout::Wide
    }
}

/// What a table body holds.
///
/// Reads a CSV, Parquet or Arrow stream body exactly as the analysis
/// endpoints read it, and answers its row count, the layout it looks like,
/// and for every column its type, whether it is numeric, how many cells are
/// missing, how many distinct values it holds and the first few of them
/// (`max_examples`): what a page needs to offer column
/// pickers (`model_column`, `benchmarks`, `family_column`, ...), and what a
/// user needs to check a file before analysing it.
#[utoipa::path(
    tag = "tables",
    params(InspectQuery),
    request_body(content(
        (CsvText = "text/csv", example = "model,benchmark,score\nmeta-llama/Llama-2-7b-hf,MMLU,0.438\nmeta-llama/Llama-2-7b-hf,GSM8K,0.1448\nEleutherAI/pythia-1b-deduped,MMLU,0.2427\n"),
        (ParquetFile = "application/vnd.apache.parquet"),
        (ArrowStream = "application/vnd.apache.arrow.stream"),
    )),
    responses(
        (status = 200, description = "The table's rows, guessed layout and columns", body = InspectResponse),
        (status = 413, description = "`payload_too_large` (body, or a Parquet file's decompressed pages, over MAX_BODY_BYTES), `too_many_cells` (rows x columns over MAX_CELLS)",
            body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "`unsupported_media_type`: not text/csv, application/vnd.apache.parquet or application/vnd.apache.arrow.stream (a JSON body included), or an unsupported Content-Encoding",
            body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`invalid_csv`, `invalid_parquet`, `invalid_arrow` (the body cannot be read), `invalid_query`, `unknown_field`",
            body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "`deadline_exceeded`", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "`internal_error`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/v1/inspect")]
pub async fn post_inspect(
    req: HttpRequest,
    payload: web::Payload,
    limits: web::Data<Limits>,
) -> Result<HttpResponse, ApiError> {
    let query: InspectQuery = query::parse(req.query_string())?;
    let limits = **limits;
    // The body's parts are read as the answer needs them, so parsing and
    // answering are one step and the compute step passes the answer on.
    answer(
        &req,
        payload,
        limits,
        move |format, body| inspect_answer(format, &query, body, &limits),
        Ok,
    )
    .await
}
