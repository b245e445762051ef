//! Deserialising `scores` straight into one row-major `f64` buffer.
//!
//! A `Vec<Vec<Option<f64>>>` would allocate a vector per model and then be
//! copied into the matrix; this visitor appends every value to one buffer and
//! records each row's length, so ragged rows are still reported by model.

use std::fmt;

use serde::Deserialize;
use serde::de::{DeserializeSeed, Deserializer, Error, SeqAccess, Visitor};

use crate::analysis::matrix::ScoreRows;

mod scan;

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

/// A request type with a top-level `scores` member, which [`parse_fast`]
/// may fill in.
pub trait TopLevelScores {
    fn scores_mut(&mut self) -> &mut ScoresField;
}

/// The request, when its top-level scores can be read by the fast path
/// ([`scan`]) and every other member by serde_json with `[]` in the scores'
/// place. `None` means "parse the ordinary way": this is never the only
/// judge of a body, so it needs no error of its own.
pub fn parse_fast<T: serde::de::DeserializeOwned + TopLevelScores>(body: &[u8]) -> Option<T> {
    let (rows, range) = scan::top_level_scores(body)?;
    let mut rest = Vec::with_capacity(body.len() - range.len() + 2);
    rest.extend_from_slice(&body[..range.start]);
    rest.extend_from_slice(b"[]");
    rest.extend_from_slice(&body[range.end..]);
    // Checked as UTF-8 once: `from_slice` checks each string on its own,
    // which costs more than the whole check on a list of model names.
    let rest = std::str::from_utf8(&rest).ok()?;
    let mut request: T = serde_json::from_str(rest).ok()?;
    *request.scores_mut() = ScoresField(rows);
    Some(request)
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
                    [4.9e-324, 2.2250738585072011e-308, 1e-400, 0.30000000000000004, 17976931348623157e292],\
                    [1.00000000000000011102230246251565404236316680908203125, \
                    1.00000000000000011102230246251565404236316680908203126, 2.47032822920623272e-324, \
                    0.000000000000000000000000000000000000000000001e300, 179769313486231580793728971405301e276] ] ";
        let ScoresField(rows) = serde_json::from_str(text).unwrap();
        let (values, lengths) = reference(text);
        assert_eq!(rows.row_lengths, lengths);
        assert!(
            same(&rows.values, &values),
            "{:?} vs {values:?}",
            rows.values
        );
        let fast = fast_scores(text).expect("the fast path reads every spelling");
        assert_eq!(fast.row_lengths, lengths);
        assert!(
            same(&fast.values, &values),
            "{:?} vs {values:?}",
            fast.values
        );
    }

    /// The fast path's reading of `scores` in a minimal request.
    fn fast_scores(scores: &str) -> Option<ScoreRows> {
        let body = format!(r#"{{"models": [], "scores": {scores}}}"#);
        parse_fast::<Request>(body.as_bytes()).map(|r| r.scores.0)
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
            proptest::prop_assert_eq!(&parsed.row_lengths, &lengths);
            proptest::prop_assert!(same(&parsed.values, &want), "{}", text);
            let fast = fast_scores(&text).expect("the fast path reads every spelling");
            proptest::prop_assert_eq!(fast.row_lengths, lengths);
            proptest::prop_assert!(same(&fast.values, &want), "{}", text);
        }
    }

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Request {
        models: Vec<String>,
        scores: ScoresField,
        #[serde(default)]
        k: Option<u32>,
    }

    impl TopLevelScores for Request {
        fn scores_mut(&mut self) -> &mut ScoresField {
            &mut self.scores
        }
    }

    /// The fast path answers exactly when serde_json accepts the body (for
    /// the bodies it is meant for), and with serde_json's values.
    fn agrees(body: &str, fast_expected: bool) {
        let fast = parse_fast::<Request>(body.as_bytes());
        let slow = serde_json::from_str::<Request>(body);
        match (&fast, &slow) {
            (Some(f), Ok(s)) => {
                assert_eq!(f.models, s.models, "{body}");
                assert_eq!(f.k, s.k, "{body}");
                assert_eq!(f.scores.0.row_lengths, s.scores.0.row_lengths, "{body}");
                assert!(same(&f.scores.0.values, &s.scores.0.values), "{body}");
            }
            (Some(_), Err(err)) => {
                panic!("fast path accepted what serde_json refuses ({err}): {body}")
            }
            (None, _) => {}
        }
        assert_eq!(
            fast.is_some(),
            fast_expected,
            "{body}: serde_json says {slow:?}"
        );
    }

    #[test]
    fn the_fast_path_reads_what_serde_json_reads() {
        agrees(
            r#"{"models": ["a", "b"], "scores": [[1, 2e-3], [null, -0.5]], "k": 2}"#,
            true,
        );
        agrees(r#"{"k": 2, "scores": [[1]], "models": ["a"]}"#, true);
        agrees(r#"{"scores": [], "models": []}"#, true);
        agrees(
            r#"{"models": ["x\"], \"scores\": [[9]]"], "scores": [[1]]}"#,
            true,
        );
        agrees(
            " {\n\t\"scores\" :\r [ [ 1 ] ] , \"models\":[\"a\"] } \n",
            true,
        );
    }

    #[test]
    fn anything_else_is_left_to_serde_json() {
        for body in [
            r#"{"models": ["a"], "scores": [[1]], "scores": [[2]]}"#,
            r#"{"models": ["a"], "scores": [[1]], "typo": 1}"#,
            r#"{"models": ["a"], "scores": [[1]]} x"#,
            r#"{"models": ["a"], "scores": [[1]], }"#,
            r#"{"models": "a", "scores": [[1]]}"#,
            r#"{"models": ["a"], "scores": [["1"]]}"#,
            r#"{"models": ["a"], "scores": [[1e400]]}"#,
            r#"{"models": ["a"], "sc\u006fres": [[1]]}"#,
            r#"{"models": ["a"] "scores": [[1]]}"#,
            r#"{"models": ["a"], "k": 1.5, "scores": [[1]]}"#,
            r#"{"models": [}, "scores": [[1]]}"#,
        ] {
            agrees(body, false);
        }
    }

    proptest::proptest! {
        /// Any prefix of a body, followed by any bytes: an answer or a
        /// refusal, never a panic (a body may end inside an escape).
        #[test]
        fn truncated_or_garbled_bodies_never_panic(
            cut in proptest::num::usize::ANY,
            tail in proptest::collection::vec(proptest::num::u8::ANY, 0..8),
        ) {
            let body = br#"{"models": ["a\"b", "c\\"], "k": 1, "scores": [[1.5e3, null], [-0, 2]]}"#;
            let mut bytes = body[..cut % (body.len() + 1)].to_vec();
            bytes.extend_from_slice(&tail);
            let fast = parse_fast::<Request>(&bytes);
            proptest::prop_assert!(fast.is_none() || serde_json::from_slice::<Request>(&bytes).is_ok());
        }
    }

    proptest::proptest! {
        /// Random bodies, most of them valid, some with one byte replaced:
        /// whenever the fast path answers, serde_json agrees.
        #[test]
        fn the_fast_path_never_disagrees_with_serde_json(
            cells in proptest::collection::vec((0usize..6, proptest::num::f64::NORMAL), 0..40),
            width in 1usize..5,
            models_first in proptest::bool::ANY,
            flip in proptest::option::of((proptest::num::usize::ANY, 0u8..128)),
        ) {
            let cell = |(kind, v): &(usize, f64)| match kind {
                0 => "null".to_string(),
                1 => format!("{v:e}"),
                2 => format!(" {v:?} "),
                3 => format!("{}", *v as i64),
                4 => format!("{v:.3}"),
                _ => format!("{:?}", v.abs()),
            };
            let rows: Vec<String> = cells
                .chunks(width)
                .map(|row| format!("[{}]", row.iter().map(cell).collect::<Vec<_>>().join(",")))
                .collect();
            let models: Vec<String> = (0..rows.len()).map(|i| format!("\"m[{i}]\"")).collect();
            let (m, sc) = (format!("\"models\": [{}]", models.join(",")), format!("\"scores\": [{}]", rows.join(",")));
            let body = if models_first { format!("{{{m}, {sc}}}") } else { format!("{{{sc},{m}}}") };
            let mut bytes = body.into_bytes();
            if let Some((at, byte)) = flip {
                let at = at % bytes.len();
                bytes[at] = byte;
            }
            let fast = parse_fast::<Request>(&bytes);
            let slow = serde_json::from_slice::<Request>(&bytes);
            if let Some(f) = fast {
                let s = slow.expect("serde_json refuses what the fast path accepted");
                proptest::prop_assert_eq!(&f.scores.0.row_lengths, &s.scores.0.row_lengths);
                proptest::prop_assert!(same(&f.scores.0.values, &s.scores.0.values));
                proptest::prop_assert_eq!(f.models, s.models);
            } else if flip.is_none() {
                proptest::prop_assert!(false, "a valid body was not read by the fast path");
            }
        }
    }

    proptest::proptest! {
        /// Around the fast path's edges: up to 19 digits, the decimal point
        /// anywhere, exponents on both sides of +-22.
        #[test]
        fn short_decimals_read_back_as_serde_json_reads_them(
            cells in proptest::collection::vec(
                (0u64..=(1 << 54), 0usize..20, -40i32..40, proptest::bool::ANY), 1..30),
        ) {
            let spelled: Vec<String> = cells.iter().map(|&(m, point, exp, neg)| {
                let digits = m.to_string();
                let point = point.min(digits.len());
                let (int, frac) = digits.split_at(digits.len() - point);
                let int = if int.is_empty() { "0" } else { int };
                let sign = if neg { "-" } else { "" };
                match (frac.is_empty(), exp % 3) {
                    (true, 0) => format!("{sign}{int}"),
                    (true, _) => format!("{sign}{int}e{exp}"),
                    (false, 0) => format!("{sign}{int}.{frac}"),
                    (false, 1) => format!("{sign}{int}.{frac}E+{}", exp.abs()),
                    (false, _) => format!("{sign}{int}.{frac}e{exp}"),
                }
            }).collect();
            let text = format!("[[{}]]", spelled.join(","));
            let (want, lengths) = reference(&text);
            let fast = fast_scores(&text).expect("the fast path reads every spelling");
            proptest::prop_assert_eq!(fast.row_lengths, lengths);
            proptest::prop_assert!(same(&fast.values, &want), "{}", text);
        }
    }

    proptest::proptest! {
        /// The leaderboard spelling `[-]I.F` and its near misses: leading
        /// zeros, four integer digits, eight or more fraction digits, an
        /// exponent or a stray byte right after, and cells near the end of
        /// the body. The fast path answers exactly when serde_json accepts,
        /// with its values.
        #[test]
        fn leaderboard_decimals_and_their_near_misses_read_as_serde_json_reads_them(
            cells in proptest::collection::vec(
                (0u32..10_000, 0u64..1_000_000_000, 1usize..10, 0usize..32, proptest::bool::ANY),
                1..8,
            ),
        ) {
            // Most cells well formed, so that most bodies are valid.
            let spelled: Vec<String> = cells.iter().map(|&(int, frac, places, shape, neg)| {
                let frac = format!("{:0places$}", frac % 10u64.pow(places as u32));
                let sign = if neg { "-" } else { "" };
                match shape {
                    25 => format!("{sign}{int}.{frac}e2"),
                    26 => format!("{sign}{int}.{frac}E-1"),
                    27 => format!("{sign}{int}.{frac} "),
                    28 => format!("{sign}0{int}.{frac}"),
                    29 => format!("{sign}{int}.{frac}x"),
                    30 => format!("{sign}{int}.{frac}e"),
                    31 => format!("{sign}{int}."),
                    _ => format!("{sign}{int}.{frac}"),
                }
            }).collect();
            for text in [
                format!("[[{}]]", spelled.join(",")),
                format!("[[{}], [1]]", spelled.join(", ")),
            ] {
                let body = format!(r#"{{"models": [], "scores": {text}}}"#);
                let fast = parse_fast::<Request>(body.as_bytes());
                let slow = serde_json::from_str::<Request>(&body);
                match (fast, slow) {
                    (Some(f), Ok(s)) => {
                        proptest::prop_assert_eq!(&f.scores.0.row_lengths, &s.scores.0.row_lengths);
                        proptest::prop_assert!(same(&f.scores.0.values, &s.scores.0.values), "{}", text);
                    }
                    (Some(_), Err(err)) => proptest::prop_assert!(false, "{}: serde_json says {}", text, err),
                    (None, Ok(_)) => proptest::prop_assert!(false, "a valid body was not read: {}", text),
                    (None, Err(_)) => {}
                }
            }
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
