//! Deserialising `scores` straight into one row-major `f64` buffer.
//!
//! A `Vec<Vec<Option<f64>>>` would allocate a vector per model and then be
//! copied into the matrix; this visitor appends every value to one buffer and
//! records each row's length, so ragged rows are still reported by model.

use std::fmt;

use serde::Deserialize;
use serde::de::{DeserializeSeed, Deserializer, Error, SeqAccess, Visitor};

use crate::analysis::matrix::ScoreRows;

/// The start of the parse error for a score too large for an f64; the edge
/// maps it to the `non_finite_score` code.
pub const NON_FINITE_SCORE: &str = "non-finite score";

/// `scores`: one array per model, `null` for a missing cell.
#[derive(Debug, Default)]
pub struct ScoresField(pub ScoreRows);

impl<'de> Deserialize<'de> for ScoresField {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_seq(RowsVisitor)
    }
}

struct RowsVisitor;

impl<'de> Visitor<'de> for RowsVisitor {
    type Value = ScoresField;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of score rows, one array of numbers (or null) per model")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<ScoresField, A::Error> {
        let mut rows = ScoreRows::default();
        if let Some(hint) = seq.size_hint() {
            rows.row_lengths.reserve(hint);
        }
        while seq.next_element_seed(RowSeed(&mut rows))?.is_some() {}
        Ok(ScoresField(rows))
    }
}

struct RowSeed<'a>(&'a mut ScoreRows);

impl<'de> DeserializeSeed<'de> for RowSeed<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for RowSeed<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a row of scores: an array of numbers or null")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let start = self.0.values.len();
        loop {
            match seq.next_element::<Option<f64>>() {
                // NaN is our missing marker; JSON cannot spell NaN, so no score collides with it.
                Ok(Some(value)) => self.0.values.push(value.unwrap_or(f64::NAN)),
                Ok(None) => break,
                // 1e999 is valid JSON but no f64: name the cell, not just a byte offset.
                Err(err) if err.to_string().starts_with("number out of range") => {
                    return Err(A::Error::custom(format!(
                        "{NON_FINITE_SCORE}: row {} position {} of scores does not fit in a 64-bit float",
                        self.0.row_lengths.len(),
                        self.0.values.len() - start
                    )));
                }
                Err(err) => return Err(err),
            }
        }
        self.0.row_lengths.push(self.0.values.len() - start);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flattens_rows_and_keeps_their_lengths() {
        let ScoresField(rows) = serde_json::from_str("[[0.5, null, 1], [2], []]").unwrap();
        assert_eq!(rows.row_lengths, vec![3, 1, 0]);
        assert_eq!(rows.values[0], 0.5);
        assert!(rows.values[1].is_nan());
        assert_eq!(rows.values[2..], [1.0, 2.0]);
    }

    #[test]
    fn rejects_non_numbers() {
        assert!(serde_json::from_str::<ScoresField>("[[\"0.5\"]]").is_err());
        assert!(serde_json::from_str::<ScoresField>("[0.5]").is_err());
        assert!(serde_json::from_str::<ScoresField>("[[NaN]]").is_err());
        let err = serde_json::from_str::<ScoresField>("[[1, 2], [3, -1e999]]").unwrap_err();
        assert!(
            err.to_string()
                .starts_with("non-finite score: row 1 position 1"),
            "{err}"
        );
    }
}
