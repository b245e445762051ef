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

/// `most` of the indices `0..all` (all of them when there are no more),
/// evenly spaced from the first: what a chart cut down to `most` records
/// draws, so that it keeps the spread of the rows it stands for.
fn evenly_spaced(all: usize, most: usize) -> impl Iterator<Item = usize> {
    let drawn = all.min(most);
    (0..drawn).map(move |d| if drawn < all { d * all / drawn } else { d })
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

/// One axis of a [`Heatmap`]: its field in the records, its title, and the
/// order of its values.
struct HeatmapAxis<'a> {
    field: &'a str,
    title: &'a str,
    sort: &'a [String],
}

/// A heatmap of rows (`y`) by columns (`x`) on a diverging colour scale
/// centred at 0, each cell labelled with its value: the loadings of a PCA
/// and those of the skills law, and the families' efficiencies.
struct Heatmap<'a> {
    title: &'a str,
    subtitle: &'a str,
    /// What the cells are, for the spec's description.
    description: &'a str,
    x: HeatmapAxis<'a>,
    y: HeatmapAxis<'a>,
    /// The field of the values and their title.
    value: (&'a str, &'a str),
    row_height: u32,
    font_size: u32,
}

impl Heatmap<'_> {
    /// The spec of `cells` (x, y, value), one record each in the order
    /// given. The scale is symmetric about 0 to the largest finite |value|,
    /// and a label is white on the darker cells beyond 60 % of it.
    fn spec<'c>(&self, cells: impl IntoIterator<Item = (&'c str, &'c str, f64)>) -> Value {
        let (x, y, (value, value_title)) = (&self.x, &self.y, self.value);
        let mut records = Vec::new();
        let mut max_abs = 0.0_f64;
        for (column, row, v) in cells {
            if v.is_finite() {
                max_abs = max_abs.max(v.abs());
            }
            records.push(json!({y.field: row, x.field: column, value: number(v)}));
        }
        let m = if max_abs > 0.0 { max_abs } else { 1.0 };
        json!({
            "$schema": SCHEMA,
            "title": {"text": self.title, "subtitle": self.subtitle},
            "description": format!("{} (diverging colour scale centred at 0).", self.description),
            "width": {"step": 56},
            "height": {"step": self.row_height},
            "data": {"values": records},
            "encoding": {
                "x": {"field": x.field, "type": "ordinal", "sort": x.sort, "title": x.title,
                      "axis": {"orient": "top", "labelAngle": 0}},
                "y": {"field": y.field, "type": "nominal", "sort": y.sort, "title": y.title},
            },
            "layer": [
                {
                    "mark": {"type": "rect"},
                    "encoding": {
                        "color": {
                            "field": value, "type": "quantitative", "title": value_title,
                            "scale": {"scheme": "redblue", "domain": [-m, m], "domainMid": 0},
                        },
                        "tooltip": [
                            tip(y.field, "nominal", y.title, None),
                            tip(x.field, "ordinal", x.title, None),
                            tip(value, "quantitative", value_title, Some(".4f")),
                        ],
                    },
                },
                {
                    "mark": {"type": "text", "fontSize": self.font_size},
                    "encoding": {
                        "text": {"field": value, "type": "quantitative", "format": ".2f"},
                        "color": {
                            "condition": {"test": format!("abs(datum.{value}) > {}", 0.6 * m), "value": "white"},
                            "value": "black",
                        },
                    },
                },
            ],
        })
    }
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
    fn evenly_spaced_indices_span_the_rows() {
        assert_eq!(evenly_spaced(3, 5).collect::<Vec<_>>(), [0, 1, 2]);
        assert_eq!(evenly_spaced(10, 4).collect::<Vec<_>>(), [0, 2, 5, 7]);
        assert_eq!(
            evenly_spaced(10, 10).collect::<Vec<_>>(),
            (0..10).collect::<Vec<_>>()
        );
        assert_eq!(evenly_spaced(0, 4).count(), 0);
    }

    #[test]
    fn extent_skips_non_finite_values() {
        assert_eq!(extent([2.0, f64::NAN, -1.0, 3.0]), Some((-1.0, 3.0)));
        assert_eq!(extent([f64::NAN]), None);
    }
}
