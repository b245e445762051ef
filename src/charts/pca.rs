//! The charts of `/v1/pca`: scree plot, loadings heatmap and PC1-PC2
//! scatter.

use ndarray::ArrayView2;
use serde_json::{Value, json};

use super::{SCHEMA, pc_name};
use crate::analysis::BenchmarkMatrix;
use crate::analysis::pca::fit::PcaFit;

/// `{"scree": spec, "loadings": spec, "scatter": spec}` for `fit`, a PCA of
/// `matrix`'s kept models; `groups` (one per kept model) colour the scatter.
pub fn pca(matrix: &BenchmarkMatrix, fit: &PcaFit, groups: Option<&[Option<String>]>) -> Value {
    let models: Vec<String> = fit
        .completed
        .rows
        .iter()
        .map(|&i| matrix.models()[i].clone())
        .collect();
    let pca = &fit.pca;
    let mut specs = vega_lite_parts(
        &models,
        matrix.benchmarks(),
        pca.components(),
        &pca.explained_variance_ratio().to_vec(),
        &pca.cumulative_explained_variance_ratio().to_vec(),
        fit.projections.view(),
    );
    if let Some(groups) = groups {
        colour_by_group(&mut specs["scatter"], groups);
    }
    specs
}

/// Colours (and shapes) the scatter's points by their model's group, with
/// a legend that picks a group (the others fade). A model without a group
/// is `(none)`.
fn colour_by_group(spec: &mut Value, groups: &[Option<String>]) {
    if let Some(values) = spec["data"]["values"].as_array_mut() {
        for (record, group) in values.iter_mut().zip(groups) {
            record["group"] = json!(group.as_deref().unwrap_or("(none)"));
        }
    }
    let group = json!({"field": "group", "type": "nominal", "title": "Group"});
    let encoding = &mut spec["encoding"];
    let mut color = group.clone();
    color["scale"] = json!({"scheme": "tableau10"});
    color["legend"] = json!({"symbolLimit": 0});
    encoding["color"] = color;
    encoding["shape"] = group.clone();
    encoding["opacity"] = json!({"condition": {"param": "picked", "value": 0.85}, "value": 0.12});
    if let Some(tooltip) = encoding["tooltip"].as_array_mut() {
        tooltip.insert(1.min(tooltip.len()), group);
    }
    spec["params"] = json!([{
        "name": "picked", "select": {"type": "point", "fields": ["group"]}, "bind": "legend",
    }]);
}

/// The three specs from the parts of a response: `components` is k x p (one
/// row of loadings per component), `ratio` and `cumulative` have k values,
/// `projections` is n x k (one row per model).
pub fn vega_lite_parts(
    models: &[String],
    benchmarks: &[String],
    components: ArrayView2<f64>,
    ratio: &[f64],
    cumulative: &[f64],
    projections: ArrayView2<f64>,
) -> Value {
    let k = components.nrows();
    let names: Vec<String> = (1..=k).map(pc_name).collect();
    json!({
        "scree": scree(&names, ratio, cumulative),
        "loadings": loadings(&names, benchmarks, components),
        "scatter": scatter(&names, models, ratio, projections),
    })
}

/// Bars of each component's explained-variance ratio, and the running total as a line.
fn scree(names: &[String], ratio: &[f64], cumulative: &[f64]) -> Value {
    let values: Vec<Value> = names
        .iter()
        .enumerate()
        .map(|(i, name)| {
            json!({
                "component": name,
                "index": i + 1,
                "ratio": ratio.get(i).copied().unwrap_or(f64::NAN),
                "cumulative": cumulative.get(i).copied().unwrap_or(f64::NAN),
            })
        })
        .collect();
    let y_title = "Share of total variance";
    json!({
        "$schema": SCHEMA,
        "title": {
            "text": "Scree plot",
            "subtitle": "Explained variance ratio per component (bars) and cumulative (line)",
        },
        "description": "Explained variance ratio of each principal component and the cumulative ratio.",
        "width": {"step": 48},
        "height": 240,
        "data": {"values": values},
        "encoding": {
            "x": {"field": "component", "type": "ordinal", "sort": names, "title": "Component",
                  "axis": {"labelAngle": 0}},
        },
        "layer": [
            {
                "mark": {"type": "bar", "color": "#4c78a8"},
                "encoding": {
                    "y": {"field": "ratio", "type": "quantitative", "title": y_title,
                          "scale": {"domain": [0, 1]}, "axis": {"format": ".0%"}},
                    "tooltip": [
                        {"field": "component", "type": "ordinal", "title": "Component"},
                        {"field": "ratio", "type": "quantitative", "title": "Ratio", "format": ".2%"},
                        {"field": "cumulative", "type": "quantitative", "title": "Cumulative", "format": ".2%"},
                    ],
                },
            },
            {
                "mark": {"type": "line", "color": "#e45756", "point": {"color": "#e45756"}},
                "encoding": {
                    "y": {"field": "cumulative", "type": "quantitative", "title": y_title},
                    "tooltip": [
                        {"field": "component", "type": "ordinal", "title": "Component"},
                        {"field": "cumulative", "type": "quantitative", "title": "Cumulative", "format": ".2%"},
                    ],
                },
            },
        ],
    })
}

/// A benchmark x component heatmap of the loadings, on a diverging scale
/// centred at 0, with each value written in its cell.
fn loadings(names: &[String], benchmarks: &[String], components: ArrayView2<f64>) -> Value {
    // Long ("folded") form: one record per (component, benchmark).
    let mut values = Vec::with_capacity(components.len());
    let mut max_abs = 0.0_f64;
    for (c, row) in components.rows().into_iter().enumerate() {
        for (b, &loading) in row.iter().enumerate() {
            if loading.is_finite() {
                max_abs = max_abs.max(loading.abs());
            }
            values.push(json!({
                "benchmark": benchmarks.get(b).cloned().unwrap_or_default(),
                "component": names[c],
                "loading": loading,
            }));
        }
    }
    let m = if max_abs > 0.0 { max_abs } else { 1.0 };
    json!({
        "$schema": SCHEMA,
        "title": {
            "text": "Loadings",
            "subtitle": "Weight of each benchmark in each component",
        },
        "description": "Loadings of the benchmarks on the principal components (diverging colour scale centred at 0).",
        "width": {"step": 56},
        "height": {"step": 26},
        "data": {"values": values},
        "encoding": {
            "x": {"field": "component", "type": "ordinal", "sort": names, "title": "Component",
                  "axis": {"orient": "top", "labelAngle": 0}},
            "y": {"field": "benchmark", "type": "nominal", "sort": benchmarks, "title": "Benchmark"},
        },
        "layer": [
            {
                "mark": {"type": "rect"},
                "encoding": {
                    "color": {
                        "field": "loading", "type": "quantitative", "title": "Loading",
                        "scale": {"scheme": "redblue", "domain": [-m, m], "domainMid": 0},
                    },
                    "tooltip": [
                        {"field": "benchmark", "type": "nominal", "title": "Benchmark"},
                        {"field": "component", "type": "ordinal", "title": "Component"},
                        {"field": "loading", "type": "quantitative", "title": "Loading", "format": ".4f"},
                    ],
                },
            },
            {
                "mark": {"type": "text", "fontSize": 11},
                "encoding": {
                    "text": {"field": "loading", "type": "quantitative", "format": ".2f"},
                    "color": {
                        "condition": {"test": format!("abs(datum.loading) > {}", 0.6 * m), "value": "white"},
                        "value": "black",
                    },
                },
            },
        ],
    })
}

/// Each model's scores on PC1 and PC2 (or, with one component, PC1 against
/// the model's row index), with the model's name as tooltip.
fn scatter(
    names: &[String],
    models: &[String],
    ratio: &[f64],
    projections: ArrayView2<f64>,
) -> Value {
    let k = projections.ncols();
    let values: Vec<Value> = projections
        .rows()
        .into_iter()
        .enumerate()
        .map(|(i, row)| {
            let mut record = serde_json::Map::new();
            record.insert(
                "model".into(),
                json!(models.get(i).cloned().unwrap_or_default()),
            );
            record.insert("index".into(), json!(i));
            for (c, &score) in row.iter().enumerate() {
                record.insert(pc_name(c + 1), json!(score));
            }
            Value::Object(record)
        })
        .collect();
    let axis_title = |c: usize| match ratio.get(c) {
        Some(r) if r.is_finite() => format!("{} ({:.1}% of variance)", names[c], 100.0 * r),
        _ => names.get(c).cloned().unwrap_or_default(),
    };
    let tooltip_pcs: Vec<Value> = names
        .iter()
        .take(k.min(3))
        .map(|n| json!({"field": n, "type": "quantitative", "format": ".4f"}))
        .collect();
    let mut tooltip = vec![json!({"field": "model", "type": "nominal", "title": "Model"})];
    tooltip.extend(tooltip_pcs);
    let (title, x, y) = if k >= 2 {
        (
            json!({"text": "PC1 vs PC2", "subtitle": "Each point is a model"}),
            json!({"field": "PC1", "type": "quantitative", "title": axis_title(0), "scale": {"zero": false}}),
            json!({"field": "PC2", "type": "quantitative", "title": axis_title(1), "scale": {"zero": false}}),
        )
    } else {
        (
            json!({"text": "PC1 by model (only one component kept)", "subtitle": "Each point is a model, in row order"}),
            json!({"field": "index", "type": "quantitative", "title": "Model (row index)"}),
            json!({"field": "PC1", "type": "quantitative", "title": axis_title(0), "scale": {"zero": false}}),
        )
    };
    json!({
        "$schema": SCHEMA,
        "title": title,
        "description": "Projections of the models on the principal components.",
        "width": 420,
        "height": 320,
        "data": {"values": values},
        "mark": {"type": "point", "filled": true, "size": 60, "opacity": 0.8, "tooltip": true},
        "encoding": {"x": x, "y": y, "tooltip": tooltip},
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| (*s).to_owned()).collect()
    }

    fn example() -> Value {
        let models = strings(&["a", "b", "c", "d"]);
        let benchmarks = strings(&["MMLU", "GSM8K", "ARC-C"]);
        let components = array![[0.6, 0.7, 0.3873], [-0.5, 0.1, 0.86]];
        let projections = array![[1.0, 0.5], [-1.0, 0.25], [0.5, -0.5], [-0.5, -0.25]];
        vega_lite_parts(
            &models,
            &benchmarks,
            components.view(),
            &[0.7, 0.2],
            &[0.7, 0.9],
            projections.view(),
        )
    }

    fn values(spec: &Value) -> &Vec<Value> {
        spec["data"]["values"]
            .as_array()
            .expect("inline data values")
    }

    #[test]
    fn three_complete_specs() {
        let v = example();
        let object = v.as_object().unwrap();
        assert_eq!(object.len(), 3);
        for name in ["scree", "loadings", "scatter"] {
            let spec = &v[name];
            assert_eq!(spec["$schema"], SCHEMA, "{name}");
            assert!(spec["data"]["values"].is_array(), "{name}");
            assert!(
                spec.get("mark").is_some() || spec.get("layer").is_some(),
                "{name}"
            );
        }
    }

    #[test]
    fn scree_has_one_record_per_component() {
        let v = example();
        let data = values(&v["scree"]);
        assert_eq!(data.len(), 2);
        assert_eq!(data[0]["component"], "PC1");
        assert_eq!(data[1]["component"], "PC2");
        assert_eq!(data[1]["ratio"], 0.2);
        assert_eq!(data[1]["cumulative"], 0.9);
        let layer = v["scree"]["layer"].as_array().unwrap();
        assert_eq!(layer[0]["mark"]["type"], "bar");
        assert_eq!(layer[0]["encoding"]["y"]["field"], "ratio");
        assert_eq!(layer[1]["mark"]["type"], "line");
        assert_eq!(layer[1]["encoding"]["y"]["field"], "cumulative");
        assert_eq!(v["scree"]["encoding"]["x"]["sort"], json!(["PC1", "PC2"]));
    }

    #[test]
    fn loadings_are_folded_to_benchmark_component_pairs() {
        let v = example();
        let data = values(&v["loadings"]);
        assert_eq!(data.len(), 2 * 3);
        // Component-major: the first three records are PC1's loadings.
        assert_eq!(
            data[0],
            json!({"benchmark": "MMLU", "component": "PC1", "loading": 0.6})
        );
        assert_eq!(
            data[4],
            json!({"benchmark": "GSM8K", "component": "PC2", "loading": 0.1})
        );
        let spec = &v["loadings"];
        assert_eq!(spec["encoding"]["x"]["field"], "component");
        assert_eq!(spec["encoding"]["y"]["field"], "benchmark");
        assert_eq!(
            spec["encoding"]["y"]["sort"],
            json!(["MMLU", "GSM8K", "ARC-C"])
        );
        let layer = spec["layer"].as_array().unwrap();
        assert_eq!(layer[0]["mark"]["type"], "rect");
        let scale = &layer[0]["encoding"]["color"]["scale"];
        assert_eq!(scale["scheme"], "redblue");
        assert_eq!(scale["domainMid"], 0);
        assert_eq!(scale["domain"], json!([-0.86, 0.86]));
        assert_eq!(layer[1]["mark"]["type"], "text");
        assert_eq!(layer[1]["encoding"]["text"]["field"], "loading");
    }

    #[test]
    fn scatter_has_one_point_per_model() {
        let v = example();
        let spec = &v["scatter"];
        let data = values(spec);
        assert_eq!(data.len(), 4);
        assert_eq!(
            data[1],
            json!({"model": "b", "index": 1, "PC1": -1.0, "PC2": 0.25})
        );
        assert_eq!(spec["mark"]["type"], "point");
        assert_eq!(spec["encoding"]["x"]["field"], "PC1");
        assert_eq!(spec["encoding"]["y"]["field"], "PC2");
        assert_eq!(spec["encoding"]["tooltip"][0]["field"], "model");
        assert!(
            spec["encoding"]["x"]["title"]
                .as_str()
                .unwrap()
                .contains("70.0%")
        );
    }

    #[test]
    fn one_component_plots_pc1_by_model_index() {
        let models = strings(&["a", "b", "c"]);
        let benchmarks = strings(&["x", "y"]);
        let components = array![[0.8, 0.6]];
        let projections = array![[1.0], [0.0], [-1.0]];
        let v = vega_lite_parts(
            &models,
            &benchmarks,
            components.view(),
            &[0.95],
            &[0.95],
            projections.view(),
        );
        let spec = &v["scatter"];
        assert_eq!(values(spec).len(), 3);
        assert_eq!(spec["encoding"]["x"]["field"], "index");
        assert_eq!(spec["encoding"]["y"]["field"], "PC1");
        assert!(
            spec["title"]["text"]
                .as_str()
                .unwrap()
                .contains("one component")
        );
        assert_eq!(values(&v["scree"]).len(), 1);
        assert_eq!(values(&v["loadings"]).len(), 2);
    }

    #[test]
    fn non_finite_values_become_null() {
        let models = strings(&["a", "b"]);
        let benchmarks = strings(&["x"]);
        let components = array![[1.0]];
        let projections = array![[f64::NAN], [1.0]];
        let v = vega_lite_parts(
            &models,
            &benchmarks,
            components.view(),
            &[1.0],
            &[1.0],
            projections.view(),
        );
        assert_eq!(values(&v["scatter"])[0]["PC1"], Value::Null);
        // Still serialisable as JSON.
        assert!(serde_json::to_string(&v).is_ok());
    }
}
