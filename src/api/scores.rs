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
            match seq.next_element_seed(CellSeed) {
                Ok(Some(value)) => self.0.values.push(value),
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

/// One cell: a number, or `null` as NaN, our missing marker (JSON cannot
/// spell NaN, so no score collides with it). Asking for "any" value lets
/// serde_json look at the next byte once and parse the number straight
/// away, where `Option<f64>` peeks for `null` and then dispatches again: the
/// scores are most of a request, so this is a measurable share of parsing.
/// The values are the same: serde_json parses every number correctly
/// rounded (`float_roundtrip`), integers come as exact u64/i64 and convert
/// correctly rounded.
struct CellSeed;

impl<'de> DeserializeSeed<'de> for CellSeed {
    type Value = f64;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<f64, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl Visitor<'_> for CellSeed {
    type Value = f64;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a number or null")
    }

    fn visit_f64<E: Error>(self, v: f64) -> Result<f64, E> {
        Ok(v)
    }

    fn visit_u64<E: Error>(self, v: u64) -> Result<f64, E> {
        Ok(v as f64)
    }

    fn visit_i64<E: Error>(self, v: i64) -> Result<f64, E> {
        Ok(v as f64)
    }

    fn visit_unit<E: Error>(self) -> Result<f64, E> {
        Ok(f64::NAN)
    }

    fn visit_none<E: Error>(self) -> Result<f64, E> {
        Ok(f64::NAN)
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

    /// serde_json's own reading of the same text, for comparison.
    fn reference(text: &str) -> (Vec<f64>, Vec<usize>) {
        let rows: Vec<Vec<Option<f64>>> = serde_json::from_str(text).unwrap();
        let lengths = rows.iter().map(Vec::len).collect();
        let values = rows
            .into_iter()
            .flatten()
            .map(|v| v.unwrap_or(f64::NAN))
            .collect();
        (values, lengths)
    }

    fn same(a: &[f64], b: &[f64]) -> bool {
        a.len() == b.len()
            && a.iter()
                .zip(b)
                .all(|(x, y)| x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan()))
    }

    #[test]
    fn reads_every_json_number_spelling_as_serde_json_f64_does() {
        let text = " [ [ 0 , -0, 1E+5,2e-3 ,0.1e1, -12.5E-2, 123456789012345678901234567890, \
                    9007199254740993, 18446744073709551615, -9223372036854775808 ],\n\t[ null ],[],\r\n\
                    [4.9e-324, 2.2250738585072011e-308, 1e-400, 0.30000000000000004, 17976931348623157e292] ] ";
        let ScoresField(rows) = serde_json::from_str(text).unwrap();
        let (values, lengths) = reference(text);
        assert_eq!(rows.row_lengths, lengths);
        assert!(
            same(&rows.values, &values),
            "{:?} vs {values:?}",
            rows.values
        );
    }

    proptest::proptest! {
        #[test]
        fn any_finite_f64_or_integer_reads_back_as_serde_json_f64_does(
            bits in proptest::collection::vec(proptest::num::u64::ANY, 1..40),
            width in 1usize..6,
        ) {
            // Shortest round-trip, scientific, truncated and integer spellings.
            let spelled: Vec<String> = bits.iter().enumerate().filter_map(|(i, &b)| {
                let v = f64::from_bits(b);
                v.is_finite().then(|| match i % 5 {
                    0 => format!("{v:?}"),
                    1 => format!("{v:e}"),
                    2 => format!("{v:.7e}"),
                    3 => format!("{b}"),
                    _ => format!("{}", b as i64),
                })
            }).collect();
            proptest::prop_assume!(!spelled.is_empty());
            let rows: Vec<String> = spelled.chunks(width).map(|row| format!("[{}]", row.join(","))).collect();
            let text = format!("[{}]", rows.join(", "));
            let ScoresField(parsed) = serde_json::from_str(&text).unwrap();
            let (want, lengths) = reference(&text);
            proptest::prop_assert_eq!(parsed.row_lengths, lengths);
            proptest::prop_assert!(same(&parsed.values, &want), "{}", text);
        }
    }

    #[test]
    fn rejects_non_numbers() {
        assert!(serde_json::from_str::<ScoresField>("[[\"0.5\"]]").is_err());
        assert!(serde_json::from_str::<ScoresField>("[0.5]").is_err());
        assert!(serde_json::from_str::<ScoresField>("[[NaN]]").is_err());
        for bad in ["[[true]]", "[[[1]]]", "[[{}]]", "[[\"1\"]]"] {
            let err = serde_json::from_str::<ScoresField>(bad).unwrap_err();
            assert!(err.to_string().starts_with("invalid type"), "{bad}: {err}");
        }
        let err = serde_json::from_str::<ScoresField>("[[1, 2], [3, -1e999]]").unwrap_err();
        assert!(
            err.to_string()
                .starts_with("non-finite score: row 1 position 1"),
            "{err}"
        );
    }
}
