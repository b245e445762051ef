//! Vega-Lite v5 specifications of the analyses' figures, for clients that
//! draw their own and for the dashboard, which draws every chart from them:
//! each spec carries its data inline and renders as is with vega-embed,
//! Altair (`alt.Chart.from_dict`), Streamlit (`st.vega_lite_chart`) or
//! Observable. They are built from the core's results, never from the HTTP
//! answers, one file per endpoint: `/v1/pca` ([`pca`]) and the scaling
//! analyses ([`compute_fit`], [`law`], [`design`], [`skills`]), and
//! `/v1/complete` ([`complete`]).

pub mod complete;
pub mod compute_fit;
pub mod design;
pub mod law;
pub mod pca;
pub mod skills;

use serde_json::{Value, json};

pub use pca::pca;

/// The identifier of the Vega-Lite v5 schema (not fetched by anyone here).
pub const SCHEMA: &str = "https://vega.github.io/schema/vega-lite/v5.json";

/// "PC1" for component 1.
fn pc_name(i: usize) -> String {
    format!("PC{i}")
}

/// A number for a spec's data: JSON has no NaN or infinity, so a non-finite
/// value becomes null (which Vega-Lite leaves out of quantitative scales).
fn number(x: f64) -> Value {
    if x.is_finite() { json!(x) } else { Value::Null }
}

/// [`number`], or null when there is none.
fn optional(x: Option<f64>) -> Value {
    x.map_or(Value::Null, number)
}

/// A number for a title or a subtitle, with `digits` significant digits
/// (titles are text: Vega's format strings do not reach them).
fn short(x: f64, digits: usize) -> String {
    if !x.is_finite() {
        return "n/a".to_owned();
    }
    if x == 0.0 {
        return "0".to_owned();
    }
    let magnitude = x.abs().log10().floor() as i64;
    if !(-4..6).contains(&magnitude) {
        return format!("{:.*e}", digits.saturating_sub(1), x);
    }
    let decimals = (digits as i64 - 1 - magnitude).max(0) as usize;
    format!("{x:.decimals$}")
}

/// A tooltip entry: `field` shown as `title`, numbers with `format` (d3).
fn tip(field: &str, kind: &str, title: &str, format: Option<&str>) -> Value {
    let mut entry = json!({"field": field, "type": kind, "title": title});
    if let Some(format) = format {
        entry["format"] = json!(format);
    }
    entry
}

/// The smallest and largest finite values, or None when there is none.
fn extent(values: impl IntoIterator<Item = f64>) -> Option<(f64, f64)> {
    values
        .into_iter()
        .filter(|v| v.is_finite())
        .fold(None, |range, v| match range {
            None => Some((v, v)),
            Some((lo, hi)) => Some((lo.min(v), hi.max(v))),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_finite_numbers_are_null() {
        assert_eq!(number(0.5), json!(0.5));
        assert_eq!(number(f64::NAN), Value::Null);
        assert_eq!(number(f64::INFINITY), Value::Null);
        assert_eq!(optional(None), Value::Null);
        assert_eq!(optional(Some(2.0)), json!(2.0));
    }

    #[test]
    fn short_numbers_keep_significant_digits() {
        assert_eq!(short(0.012345, 3), "0.0123");
        assert_eq!(short(123.456, 3), "123");
        assert_eq!(short(0.9271, 2), "0.93");
        assert_eq!(short(-1.5, 2), "-1.5");
        assert_eq!(short(0.0, 3), "0");
        assert_eq!(short(1.234e-7, 3), "1.23e-7");
        assert_eq!(short(f64::NAN, 3), "n/a");
    }

    #[test]
    fn extent_skips_non_finite_values() {
        assert_eq!(extent([2.0, f64::NAN, -1.0, 3.0]), Some((-1.0, 3.0)));
        assert_eq!(extent([f64::NAN]), None);
    }
}
