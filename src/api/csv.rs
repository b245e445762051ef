//! Leaderboards as CSV exports (`Content-Type: text/csv`): header row, one
//! row per model, options in the query string.

use serde::Deserialize;
use utoipa::IntoParams;

use super::error::{ApiError, ErrorCode};
use super::options::{AnalysisOptions, ImputationOptions, Missing, NComponentsField, Sign};
use super::schemas;
use crate::analysis::matrix::ScoreRows;

/// Query parameters. The CSV ones (`delimiter`, `model_column`,
/// `benchmark_prefix`, `benchmarks`) and the analysis options apply to
/// `text/csv` bodies; a JSON body carries its options itself. They are
/// validated on every request, whatever the body.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CsvQuery {
    /// Field delimiter: `,` (default), `;`, or a tab (`\t` or `tab`).
    #[param(pattern = "^(,|;|\t|tab)$")]
    pub delimiter: Option<String>,
    /// The column holding the model names. Default: the first column.
    #[param(min_length = 1)]
    pub model_column: Option<String>,
    /// Score columns: every column whose header starts with this, in file order.
    #[param(min_length = 1)]
    pub benchmark_prefix: Option<String>,
    /// Score columns by name, comma-separated. With neither this nor
    /// `benchmark_prefix`, every column but the model column that holds at
    /// least one number is a score column.
    #[param(min_length = 1)]
    pub benchmarks: Option<String>,
    /// As `n_components` in the JSON body: an integer or a fraction in (0, 1).
    #[param(schema_with = schemas::n_components)]
    pub n_components: Option<String>,
    /// As `standardize` in the JSON body.
    pub standardize: Option<bool>,
    /// As `sign` in the JSON body.
    #[param(inline)]
    pub sign: Option<Sign>,
    /// As `missing` in the JSON body.
    #[param(inline)]
    pub missing: Option<Missing>,
    /// As `imputation.rank`.
    #[param(minimum = 1)]
    pub imputation_rank: Option<i64>,
    /// As `imputation.max_iter`.
    #[param(minimum = 1, maximum = 100000)]
    pub imputation_max_iter: Option<i64>,
    /// As `imputation.tol`.
    #[param(minimum = 0)]
    pub imputation_tol: Option<f64>,
    /// As `charts` in the JSON body: also return Vega-Lite specifications.
    pub charts: Option<bool>,
    /// As `imputation.bounds`, written `lo,hi`.
    #[param(pattern = r"^\s*[-+0-9.eE]+\s*,\s*[-+0-9.eE]+\s*$")]
    pub imputation_bounds: Option<String>,
}

impl CsvQuery {
    /// Parses and validates a query string.
    pub fn parse(query: &str) -> Result<Self, ApiError> {
        let parsed: Self = serde_urlencoded::from_str(query).map_err(|err| {
            let message = err.to_string();
            let code = if message.starts_with("unknown field") {
                ErrorCode::UnknownField
            } else {
                ErrorCode::InvalidQuery
            };
            ApiError::new(code, format!("query string: {message}"))
        })?;
        if parsed.benchmark_prefix.is_some() && parsed.benchmarks.is_some() {
            return Err(ApiError::new(
                ErrorCode::InvalidQuery,
                "use either benchmark_prefix or benchmarks, not both",
            ));
        }
        for (name, value) in [
            ("model_column", &parsed.model_column),
            ("benchmark_prefix", &parsed.benchmark_prefix),
            ("benchmarks", &parsed.benchmarks),
        ] {
            if value.as_deref() == Some("") {
                return Err(ApiError::new(
                    ErrorCode::InvalidQuery,
                    format!("{name} must not be empty"),
                ));
            }
        }
        parsed.delimiter_byte()?;
        parsed.bounds()?;
        parsed.n_components()?;
        parsed.options().validate()?;
        Ok(parsed)
    }

    fn delimiter_byte(&self) -> Result<u8, ApiError> {
        match self.delimiter.as_deref() {
            None | Some(",") => Ok(b','),
            Some(";") => Ok(b';'),
            Some("\t") | Some("tab") => Ok(b'\t'),
            Some(other) => Err(ApiError::new(
                ErrorCode::InvalidQuery,
                format!("delimiter must be ',', ';' or a tab ('tab'), got {other:?}"),
            )),
        }
    }

    fn n_components(&self) -> Result<Option<NComponentsField>, ApiError> {
        self.n_components
            .as_deref()
            .map(|text| {
                text.parse()
                    .map_err(|msg| ApiError::new(ErrorCode::InvalidQuery, msg))
            })
            .transpose()
    }

    fn bounds(&self) -> Result<Option<Vec<f64>>, ApiError> {
        let Some(text) = &self.imputation_bounds else {
            return Ok(None);
        };
        let values: Result<Vec<f64>, _> =
            text.split(',').map(|v| v.trim().parse::<f64>()).collect();
        match values {
            Ok(v) if v.len() == 2 && v.iter().all(|x| x.is_finite()) => Ok(Some(v)),
            _ => Err(ApiError::new(
                ErrorCode::InvalidQuery,
                format!("imputation_bounds must be two finite numbers 'lo,hi', got {text:?}"),
            )),
        }
    }

    /// The analysis options the query carries.
    pub fn options(&self) -> AnalysisOptions {
        let imputation = (self.imputation_rank.is_some()
            || self.imputation_max_iter.is_some()
            || self.imputation_tol.is_some()
            || self.imputation_bounds.is_some())
        .then(|| ImputationOptions {
            rank: self.imputation_rank,
            max_iter: self.imputation_max_iter,
            tol: self.imputation_tol,
            bounds: self.bounds().ok().flatten(),
        });
        AnalysisOptions {
            n_components: self.n_components().ok().flatten(),
            standardize: self.standardize,
            sign: self.sign,
            missing: self.missing,
            imputation,
        }
    }
}

/// A leaderboard read from CSV, not yet validated as a matrix.
#[derive(Debug)]
pub struct CsvLeaderboard {
    pub models: Vec<String>,
    pub benchmarks: Vec<String>,
    pub scores: ScoreRows,
}

/// Cells that mean "no score".
fn is_missing_token(cell: &str) -> bool {
    cell.is_empty()
        || ["null", "na", "nan", "n/a"]
            .iter()
            .any(|t| cell.eq_ignore_ascii_case(t))
}

fn invalid_csv(detail: String) -> ApiError {
    ApiError::new(ErrorCode::InvalidCsv, detail)
}

/// Reads the CSV body into labels and scores, as the query selects.
pub fn parse(body: &[u8], query: &CsvQuery) -> Result<CsvLeaderboard, ApiError> {
    let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(query.delimiter_byte()?)
        .has_headers(true)
        // Ragged lines are reported by us, by line number.
        .flexible(true)
        .from_reader(body);
    let header = reader
        .headers()
        .map_err(|err| invalid_csv(format!("the header row cannot be read: {err}")))?
        .clone();
    if header.is_empty() || (header.len() == 1 && header[0].is_empty()) {
        return Err(invalid_csv("the CSV has no header row".into()));
    }
    let find = |name: &str| -> Result<usize, ApiError> {
        header.iter().position(|h| h == name).ok_or_else(|| {
            ApiError::new(
                ErrorCode::UnknownColumn,
                format!("there is no column '{name}' in the header"),
            )
        })
    };
    let model_col = match &query.model_column {
        Some(name) => find(name)?,
        None => 0,
    };

    let mut records = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|err| invalid_csv(format!("the CSV cannot be read: {err}")))?;
        let line = record.position().map_or(0, |p| p.line());
        // A blank line parses as one empty field: skip it, as pandas does.
        if record.len() == 1 && record[0].trim().is_empty() && header.len() > 1 {
            continue;
        }
        if record.len() != header.len() {
            return Err(invalid_csv(format!(
                "line {line} has {} fields, but the header has {}",
                record.len(),
                header.len()
            )));
        }
        records.push((line, record));
    }

    let score_cols: Vec<usize> = if let Some(prefix) = &query.benchmark_prefix {
        let cols: Vec<usize> = (0..header.len())
            .filter(|&c| c != model_col && header[c].starts_with(prefix.as_str()))
            .collect();
        if cols.is_empty() {
            return Err(ApiError::new(
                ErrorCode::NoMatchingColumns,
                format!("no column header starts with '{prefix}'"),
            ));
        }
        cols
    } else if let Some(names) = &query.benchmarks {
        names
            .split(',')
            .map(|name| find(name.trim()))
            .collect::<Result<_, _>>()?
    } else {
        let cols: Vec<usize> = (0..header.len())
            .filter(|&c| c != model_col)
            .filter(|&c| {
                records.iter().any(|(_, r)| {
                    let cell = r[c].trim();
                    !is_missing_token(cell) && cell.parse::<f64>().is_ok()
                })
            })
            .collect();
        if cols.is_empty() {
            return Err(ApiError::new(
                ErrorCode::NoMatchingColumns,
                "no column other than the model column holds a number",
            ));
        }
        cols
    };

    let mut scores = ScoreRows {
        values: Vec::with_capacity(records.len() * score_cols.len()),
        row_lengths: Vec::with_capacity(records.len()),
    };
    let mut models = Vec::with_capacity(records.len());
    for (line, record) in &records {
        let model = &record[model_col];
        for &c in &score_cols {
            let cell = record[c].trim();
            let value = if is_missing_token(cell) {
                f64::NAN
            } else {
                let at = || format!("line {line}, column '{}' (model '{model}')", &header[c]);
                match cell.parse::<f64>() {
                    Ok(v) if v.is_finite() => v,
                    Ok(_) => {
                        return Err(ApiError::new(
                            ErrorCode::NonFiniteScore,
                            format!("{}: '{cell}' is not a finite number", at()),
                        ));
                    }
                    Err(_) => {
                        return Err(ApiError::new(
                            ErrorCode::InvalidScore,
                            format!("{}: '{cell}' is not a number", at()),
                        ));
                    }
                }
            };
            scores.values.push(value);
        }
        scores.row_lengths.push(score_cols.len());
        models.push(model.to_owned());
    }
    Ok(CsvLeaderboard {
        models,
        benchmarks: score_cols.iter().map(|&c| header[c].to_owned()).collect(),
        scores,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(q: &str) -> CsvQuery {
        CsvQuery::parse(q).unwrap()
    }

    #[test]
    fn auto_selects_numeric_columns_and_reads_missing_tokens() {
        let csv = "\u{feff}Model,Family,MMLU,GSM8K\na,x,0.5,NA\nb,y,0.6,0.1\nc,x,,nan\n";
        let lb = parse(csv.as_bytes(), &query("")).unwrap();
        assert_eq!(lb.models, ["a", "b", "c"]);
        assert_eq!(lb.benchmarks, ["MMLU", "GSM8K"]);
        assert!(lb.scores.values[1].is_nan() && lb.scores.values[4].is_nan());
        assert_eq!(lb.scores.values[2], 0.6);
    }

    #[test]
    fn prefix_delimiter_and_exact_unicode_headers() {
        let csv = "モデル;GLP_表現;GLP_推論;メモ\nm1;0.1;0.2;abc\nm2;0.3;0.4;def\n";
        let lb = parse(
            csv.as_bytes(),
            &query("delimiter=%3B&benchmark_prefix=GLP_"),
        )
        .unwrap();
        assert_eq!(lb.benchmarks, ["GLP_表現", "GLP_推論"]);
        assert_eq!(lb.models, ["m1", "m2"]);
    }

    #[test]
    fn names_row_and_column_of_bad_cells() {
        let csv = "Model,MMLU\na,0.5\nb,high\n";
        let err = parse(csv.as_bytes(), &query("benchmarks=MMLU")).unwrap_err();
        assert_eq!(err.code, ErrorCode::InvalidScore);
        assert!(
            err.detail.contains("line 3") && err.detail.contains("MMLU"),
            "{}",
            err.detail
        );
        let ragged = parse(b"Model,MMLU\na,0.5,0.7\n", &query("")).unwrap_err();
        assert_eq!(ragged.code, ErrorCode::InvalidCsv);
        assert!(ragged.detail.contains("line 2"));
        let unknown = parse(b"Model,MMLU\na,0.5\n", &query("benchmarks=ARC")).unwrap_err();
        assert_eq!(unknown.code, ErrorCode::UnknownColumn);
        let prefix = parse(b"Model,MMLU\na,0.5\n", &query("benchmark_prefix=GLP_")).unwrap_err();
        assert_eq!(prefix.code, ErrorCode::NoMatchingColumns);
        let inf = parse(b"Model,MMLU\na,inf\n", &query("")).unwrap_err();
        assert_eq!(inf.code, ErrorCode::NonFiniteScore);
    }

    #[test]
    fn query_errors_are_coded() {
        assert_eq!(
            CsvQuery::parse("delimiter=x").unwrap_err().code,
            ErrorCode::InvalidQuery
        );
        assert_eq!(
            CsvQuery::parse("colour=red").unwrap_err().code,
            ErrorCode::UnknownField
        );
        assert_eq!(
            CsvQuery::parse("benchmarks=a&benchmark_prefix=b")
                .unwrap_err()
                .code,
            ErrorCode::InvalidQuery
        );
        assert_eq!(
            CsvQuery::parse("imputation_bounds=0").unwrap_err().code,
            ErrorCode::InvalidQuery
        );
        let q = query("n_components=0.9&missing=iterative_pca&imputation_bounds=0,1");
        assert_eq!(
            q.options().n_components,
            Some(NComponentsField::Fraction(0.9))
        );
        assert_eq!(q.options().imputation.unwrap().bounds, Some(vec![0.0, 1.0]));
    }
}
