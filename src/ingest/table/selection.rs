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

/// 2^-32: scores scaled by it sum to a finite number however many
/// (at most `u32::MAX`, the count's limit) finite scores are added.
const MEAN_SCALE: f64 = 1.0 / 4_294_967_296.0;

/// The running sum behind `duplicates=mean`, in long tables and
/// lm-evaluation-harness results alike. Scores are summed as they
/// are, so that the mean of ordinary scores is their sum divided by their
/// count, to the bit; a sum that would overflow (two scores of 1e308) is
/// carried from then on scaled by [`MEAN_SCALE`], so that the mean of
/// finite scores is finite, as it is in exact arithmetic.
#[derive(Debug, Clone, Copy)]
pub struct MeanSum {
    pub sum: f64,
    pub scaled: bool,
}

impl MeanSum {
    pub fn of(score: f64) -> Self {
        Self {
            sum: score,
            scaled: false,
        }
    }

    pub fn add(&mut self, score: f64) {
        if self.scaled {
            self.sum += score * MEAN_SCALE;
        } else if (self.sum + score).is_finite() {
            self.sum += score;
        } else {
            self.sum = self.sum * MEAN_SCALE + score * MEAN_SCALE;
            self.scaled = true;
        }
    }

    pub fn mean(self, count: u32) -> f64 {
        let mean = self.sum / f64::from(count);
        if self.scaled {
            // The mean of finite scores lies between the smallest and the
            // largest, so a result past f64::MAX is rounding, not
            // magnitude (a non-finite score stays non-finite, and refused).
            match mean / MEAN_SCALE {
                back if mean.is_finite() => back.clamp(-f64::MAX, f64::MAX),
                back => back,
            }
        } else {
            mean
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mean_of(scores: &[f64]) -> f64 {
        let mut sum = MeanSum::of(scores[0]);
        for &score in &scores[1..] {
            sum.add(score);
        }
        sum.mean(scores.len() as u32)
    }

    #[test]
    fn ordinary_duplicates_average_as_their_sum_over_their_count() {
        for scores in [
            &[0.25, 0.75][..],
            &[0.1, 0.2, 0.3],
            &[-3.0, 1e-300, 7.5, 2.0],
        ] {
            let plain = scores.iter().sum::<f64>() / scores.len() as f64;
            assert_eq!(mean_of(scores).to_bits(), plain.to_bits(), "{scores:?}");
        }
    }

    #[test]
    fn the_mean_of_finite_duplicates_is_finite_even_when_their_sum_is_not() {
        assert_eq!(mean_of(&[1e308, 1e308]), 1e308);
        assert_eq!(mean_of(&[f64::MAX, f64::MAX, f64::MAX]), f64::MAX);
        assert_eq!(mean_of(&[-f64::MAX, -f64::MAX]), -f64::MAX);
        let mixed = mean_of(&[1.7e308, 1.7e308, -1e308, 0.5]);
        assert!((mixed / 6e307 - 1.0).abs() < 1e-12, "{mixed:e}");
        // A non-finite score stays non-finite, for the caller to refuse.
        assert!(mean_of(&[1e308, f64::INFINITY]).is_infinite());
        assert!(mean_of(&[1e308, 1e308, f64::NAN]).is_nan());
    }
}
