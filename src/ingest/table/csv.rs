//! CSV exports (`Content-Type: text/csv`): UTF-8 with an optional BOM, a
//! header row, RFC 4180 quoting, one row per line. Every cell stays text
//! until a column is read as numbers.

use csv::StringRecord;

use super::frame::{Cell, Table};
use crate::ingest::IngestError;

/// A CSV body, read whole: the header and every record with its line number.
#[derive(Debug)]
pub struct CsvTable {
    columns: Vec<String>,
    records: Vec<(u64, StringRecord)>,
    /// Set when the header line is separated by another delimiter.
    hint: Option<String>,
}

fn invalid_csv(detail: String) -> IngestError {
    IngestError::InvalidCsv(detail)
}

impl CsvTable {
    /// Reads the body with the given field delimiter; a ragged line is an
    /// error naming it.
    pub fn read(body: &[u8], delimiter: u8) -> Result<Self, IngestError> {
        let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
        let hint = delimiter_hint(body, delimiter);
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
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
        let mut records = Vec::new();
        for record in reader.records() {
            let record =
                record.map_err(|err| invalid_csv(format!("the CSV cannot be read: {err}")))?;
            let line = record.position().map_or(0, |p| p.line());
            // A blank line parses as one empty field: skip it, as pandas does.
            if record.len() == 1 && record[0].trim().is_empty() && header.len() > 1 {
                continue;
            }
            if record.len() != header.len() {
                return Err(invalid_csv(format!(
                    "line {line} has {} fields, but the header has {}{}",
                    record.len(),
                    header.len(),
                    hint.as_ref()
                        .map_or(String::new(), |hint| format!("; {hint}"))
                )));
            }
            records.push((line, record));
        }
        Ok(Self {
            columns: header.iter().map(str::to_owned).collect(),
            records,
            hint,
        })
    }
}

/// The delimiter of a CSV body's header line: the one of `,`, `;` and tab
/// that it holds most of outside double quotes, a comma on a tie.
pub fn sniff_delimiter(body: &[u8]) -> &'static str {
    let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    let mut counts = [(",", 0usize), (";", 0), ("\t", 0)];
    let mut quoted = false;
    for &byte in body {
        match byte {
            b'"' => quoted = !quoted,
            b'\n' | b'\r' if !quoted => break,
            _ if quoted => {}
            b',' => counts[0].1 += 1,
            b';' => counts[1].1 += 1,
            b'\t' => counts[2].1 += 1,
            _ => {}
        }
    }
    // max_by_key keeps the last of equals: look from the tab back to the comma.
    counts
        .iter()
        .rev()
        .max_by_key(|(_, n)| *n)
        .map_or(",", |(d, _)| d)
}

/// What to say when the header line holds none of `delimiter` but another
/// one of `,`, `;` and tab: the file was most likely read with the wrong
/// delimiter.
fn delimiter_hint(body: &[u8], delimiter: u8) -> Option<String> {
    let sniffed = sniff_delimiter(body);
    if sniffed.as_bytes() == [delimiter] {
        return None;
    }
    let header = body.split(|&b| b == b'\n').next().unwrap_or(body);
    if header.contains(&delimiter) || !header.contains(&sniffed.as_bytes()[0]) {
        return None;
    }
    let (name, query) = match sniffed {
        ";" => ("';'", "delimiter=;"),
        "\t" => ("tab", "delimiter=tab"),
        _ => ("','", "delimiter=, (the default)"),
    };
    Some(format!(
        "the header line is {name}-separated, not by the delimiter read with: send {query}"
    ))
}

impl Table for CsvTable {
    fn columns(&self) -> &[String] {
        &self.columns
    }

    fn n_rows(&self) -> usize {
        self.records.len()
    }

    fn cell(&self, row: usize, column: usize) -> Cell<'_> {
        Cell::Text(&self.records[row].1[column])
    }

    fn row_name(&self, row: usize) -> String {
        format!("line {}", self.records[row].0)
    }

    fn hint(&self) -> Option<String> {
        self.hint.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::table::{Selection, pick};

    #[test]
    fn auto_selects_numeric_columns_and_reads_missing_tokens() {
        let csv = "\u{feff}Model,Family,MMLU,GSM8K\na,x,0.5,NA\nb,y,0.6,0.1\nc,x,,nan\n";
        let table = CsvTable::read(csv.as_bytes(), b',').unwrap();
        let lb = pick(&table, &Selection::default()).unwrap();
        assert_eq!(lb.models, ["a", "b", "c"]);
        assert_eq!(lb.benchmarks, ["MMLU", "GSM8K"]);
        assert!(lb.scores.values[1].is_nan() && lb.scores.values[4].is_nan());
        assert_eq!(lb.scores.values[2], 0.6);
    }

    #[test]
    fn prefix_delimiter_and_exact_unicode_headers() {
        let csv = "モデル;GLP_表現;GLP_推論;メモ\nm1;0.1;0.2;abc\nm2;0.3;0.4;def\n";
        let table = CsvTable::read(csv.as_bytes(), b';').unwrap();
        let selection = Selection {
            benchmark_prefix: Some("GLP_"),
            ..Default::default()
        };
        let lb = pick(&table, &selection).unwrap();
        assert_eq!(lb.benchmarks, ["GLP_表現", "GLP_推論"]);
        assert_eq!(lb.models, ["m1", "m2"]);
    }

    #[test]
    fn names_row_and_column_of_bad_cells() {
        let read = |csv: &str| CsvTable::read(csv.as_bytes(), b',');
        let named = |names: Vec<&str>| Selection {
            benchmarks: Some(names.into_iter().map(str::to_owned).collect()),
            ..Default::default()
        };
        let err = pick(
            &read("Model,MMLU\na,0.5\nb,high\n").unwrap(),
            &named(vec!["MMLU"]),
        )
        .unwrap_err();
        assert!(matches!(err, IngestError::InvalidScore(_)), "{err}");
        assert!(
            err.to_string().contains("line 3") && err.to_string().contains("MMLU"),
            "{err}"
        );
        let ragged = read("Model,MMLU\na,0.5,0.7\n").unwrap_err();
        assert!(matches!(ragged, IngestError::InvalidCsv(_)), "{ragged}");
        assert!(ragged.to_string().contains("line 2"));
        let table = read("Model,MMLU\na,0.5\n").unwrap();
        let unknown = pick(&table, &named(vec!["ARC"])).unwrap_err();
        assert!(
            matches!(unknown, IngestError::UnknownColumn(_)),
            "{unknown}"
        );
        let prefix = Selection {
            benchmark_prefix: Some("GLP_"),
            ..Default::default()
        };
        assert!(matches!(
            pick(&table, &prefix).unwrap_err(),
            IngestError::NoMatchingColumns(_)
        ));
        let inf = pick(&read("Model,MMLU\na,inf\n").unwrap(), &Selection::default());
        assert!(matches!(inf.unwrap_err(), IngestError::NonFiniteScore(_)));
    }
}
