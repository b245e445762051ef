//! What a query picks out of a table: the layout, the model, benchmark and
//! per-model columns ([`Selection`]), and a long table's columns and
//! duplicate rule. Typed formats ask [`Selection::wants`] which columns to
//! decode.

/// How a table lays out its leaderboard.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Layout {
    /// A row per model, a column per benchmark.
    #[default]
    Wide,
    /// A row per (model, benchmark, score), as evaluation harnesses write results.
    Long,
}

/// What a long table does with a (model, benchmark) pair that has two scores.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Duplicates {
    /// 422 `duplicate_score` naming the pair.
    #[default]
    Reject,
    /// Their mean.
    Mean,
    /// The one in the last row.
    Last,
}

/// The columns of a long table.
#[derive(Debug, Clone, Copy)]
pub struct LongColumns<'q> {
    pub benchmark_column: &'q str,
    pub score_column: &'q str,
    pub duplicates: Duplicates,
}

/// The model column of a long table when the query names none.
pub const LONG_MODEL_COLUMN: &str = "model";

/// How the query picks the leaderboard out of a table.
#[derive(Debug, Clone)]
pub struct Selection<'q> {
    /// The column of model names; default the first column (wide) or
    /// `model` (long).
    pub model_column: Option<&'q str>,
    /// Benchmarks: every column (wide) or benchmark value (long) that starts
    /// with this, in table order.
    pub benchmark_prefix: Option<&'q str>,
    /// Benchmarks by name, in this order.
    pub benchmarks: Option<Vec<String>>,
    /// Columns an analysis reads per model (family, compute, targets): never
    /// benchmarks, also under the default "every numeric column" rule. In a
    /// long table a name that is no column is a benchmark value (a target
    /// evaluated as a benchmark), read per model and left out of the
    /// benchmarks.
    pub reserved: Vec<String>,
    /// `Some` for a long table.
    pub long: Option<LongColumns<'q>>,
    /// The most score cells a leaderboard may have (MAX_CELLS): a long table
    /// is refused before its pivot is allocated.
    pub max_cells: usize,
}

impl Default for Selection<'_> {
    fn default() -> Self {
        Self {
            model_column: None,
            benchmark_prefix: None,
            benchmarks: None,
            reserved: Vec::new(),
            long: None,
            max_cells: usize::MAX,
        }
    }
}

impl Selection<'_> {
    /// Whether the column at `index`, named `name`, of a number type or not,
    /// can be part of the answer: the columns a typed format decodes.
    pub fn wants(&self, index: usize, name: &str, numeric: bool) -> bool {
        // Column names are labels, compared trimmed (as `Table::find` does).
        let name = name.trim();
        if self.reserved.iter().any(|r| r.trim() == name) {
            return true;
        }
        match &self.long {
            Some(long) => {
                name == self.model_column.unwrap_or(LONG_MODEL_COLUMN).trim()
                    || name == long.benchmark_column.trim()
                    || name == long.score_column.trim()
            }
            None => {
                let model = match self.model_column {
                    Some(column) => name == column.trim(),
                    None => index == 0,
                };
                model
                    || match (&self.benchmarks, self.benchmark_prefix) {
                        (Some(names), _) => names.iter().any(|n| n.trim() == name),
                        (None, Some(prefix)) => name.starts_with(prefix),
                        (None, None) => numeric,
                    }
            }
        }
    }
}
