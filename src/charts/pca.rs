//! The charts of `/v1/pca`: scree plot, loadings heatmap and the scatter
//! of the models on two components.
//!
//! Each is cut down for a large fit, so that a spec's size is bounded
//! whatever the board (a spec holds a JSON object per drawn cell, ten times
//! the cell's 8 bytes and more): at most [`CHART_COMPONENTS`] components,
//! [`LOADINGS_BENCHMARKS`] benchmarks in the heatmap and [`SCATTER_MODELS`]
//! models in the scatter, each chart saying in its subtitle when it was cut.

use ndarray::{ArrayView2, s};
use serde_json::{Value, json};

use super::{Heatmap, HeatmapAxis, SCHEMA, evenly_spaced, extent, pc_name};
use crate::analysis::BenchmarkMatrix;
use crate::analysis::pca::fit::PcaFit;

/// The named dataset of the scatter's placed-models layer: a client fills
/// it with answers of `POST /v1/pca/transform` (through the Vega view's
/// `data` method) and the layer draws their models.
pub const PLACED: &str = "placed";

/// The most components the charts show (the scree's bars, the heatmap's
/// columns, the scatter's menus): the leading ones.
pub const CHART_COMPONENTS: usize = 100;
/// The most benchmarks in the loadings heatmap (its rows, as many as the
/// completion's heatmap has columns): those with the largest loadings.
pub const LOADINGS_BENCHMARKS: usize = 150;
/// The most models in the scatter: evenly spaced in row order.
pub const SCATTER_MODELS: usize = 5000;

/// The legend's title when the groups come without a name (a JSON body's
/// `groups`).
const GROUP_TITLE: &str = "Group";

/// `{"scree": spec, "loadings": spec, "scatter": spec}` for `fit`, a PCA of
/// `matrix`'s kept models; `groups` (one per kept model) colour the scatter,
/// under a legend titled `group_title` (the table column they were read
/// from) or "Group".
pub fn pca(
    matrix: &BenchmarkMatrix,
    fit: &PcaFit,
    groups: Option<&[Option<String>]>,
    group_title: Option<&str>,
) -> Value {
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
        colour_by_group(
            &mut specs["scatter"],
            groups,
            group_title.unwrap_or(GROUP_TITLE),
        );
    }
    specs
}

/// Colours (and shapes) the scatter's points by their model's group, with
/// a legend titled `title` that picks a group (the others fade). A model
/// without a group is `(none)`.
fn colour_by_group(spec: &mut Value, groups: &[Option<String>], title: &str) {
    if let Some(values) = spec["data"]["values"].as_array_mut() {
        // A cut scatter draws some models only: each record's `index` is its row.
        for record in values.iter_mut() {
            let group = record["index"]
                .as_u64()
                .and_then(|i| groups.get(usize::try_from(i).ok()?))
                .and_then(Option::as_deref);
            record["group"] = json!(group.unwrap_or("(none)"));
        }
    }
    let group = json!({"field": "group", "type": "nominal", "title": title});
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
    let picked = json!([{
        "name": "picked", "select": {"type": "point", "fields": ["group"]}, "bind": "legend",
    }]);
    // A point selection belongs to a single view: in the layered scatter,
    // the models' layer (the placed models have no group).
    match spec["layer"].get_mut(0) {
        Some(models) => models["params"] = picked,
        None => spec["params"] = picked,
    }
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
    let shown = k.min(CHART_COMPONENTS);
    let names: Vec<String> = (1..=shown).map(pc_name).collect();
    let cut = (shown < k).then(|| format!("the first {shown} of {k} components"));
    let components = components.slice(s![..shown, ..]);
    let projections = projections.slice(s![.., ..shown.min(projections.ncols())]);
    json!({
        "scree": scree(&names, ratio, cumulative, cut.as_deref()),
        "loadings": loadings(&names, benchmarks, components, cut.as_deref()),
        "scatter": scatter(&names, models, ratio, projections, cut.as_deref()),
    })
}

/// Bars of each component's explained-variance ratio, and the running total as a line.
/// `cut` names the components shown when they are not all.
fn scree(names: &[String], ratio: &[f64], cumulative: &[f64], cut: Option<&str>) -> Value {
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
    let mut subtitle =
        "Explained variance ratio per component (bars) and cumulative (line)".to_owned();
    if let Some(cut) = cut {
        subtitle.push_str(&format!("; showing {cut}"));
    }
    json!({
        "$schema": SCHEMA,
        "title": {
            "text": "Scree plot",
            "subtitle": subtitle,
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
/// centred at 0, with each value written in its cell. Past
/// [`LOADINGS_BENCHMARKS`] benchmarks, it shows those with the largest sum
/// of squared loadings on the components shown (the earlier on ties), in
/// the request's order; `cut` names the components shown when not all.
fn loadings(
    names: &[String],
    benchmarks: &[String],
    components: ArrayView2<f64>,
    cut: Option<&str>,
) -> Value {
    let p = components.ncols();
    let kept: Vec<usize> = if p <= LOADINGS_BENCHMARKS {
        (0..p).collect()
    } else {
        let weight: Vec<f64> = components
            .columns()
            .into_iter()
            .map(|column| column.iter().map(|v| v * v).sum::<f64>())
            .collect();
        let mut order: Vec<usize> = (0..p).collect();
        // Non-finite weights (there are none in a fit) sort last.
        let key = |b: usize| {
            if weight[b].is_finite() {
                weight[b]
            } else {
                -1.0
            }
        };
        order.sort_by(|&a, &b| key(b).total_cmp(&key(a)).then(a.cmp(&b)));
        order.truncate(LOADINGS_BENCHMARKS);
        order.sort_unstable();
        order
    };
    let mut subtitle = "Weight of each benchmark in each component".to_owned();
    let mut shown = Vec::new();
    if kept.len() < p {
        shown.push(format!(
            "the {} of {p} benchmarks with the largest loadings",
            kept.len()
        ));
    }
    shown.extend(cut.map(str::to_owned));
    if !shown.is_empty() {
        subtitle.push_str(&format!("; showing {}", shown.join(" and ")));
    }
    let rows: Vec<String> = kept
        .iter()
        .map(|&b| benchmarks.get(b).cloned().unwrap_or_default())
        .collect();
    // Long ("folded") form: one record per (component, benchmark).
    let cells = components
        .rows()
        .into_iter()
        .enumerate()
        .flat_map(|(c, row)| {
            let name = names[c].as_str();
            kept.iter()
                .zip(&rows)
                .map(move |(&b, benchmark)| (name, benchmark.as_str(), row[b]))
        });
    Heatmap {
        title: "Loadings",
        subtitle: &subtitle,
        description: "Loadings of the benchmarks on the principal components",
        x: HeatmapAxis {
            field: "component",
            title: "Component",
            sort: names,
        },
        y: HeatmapAxis {
            field: "benchmark",
            title: "Benchmark",
            sort: &rows,
        },
        value: ("loading", "Loading"),
        row_height: 26,
        font_size: 11,
    }
    .spec(cells)
}

/// Each model's scores on two components, PC1 and PC2 until a reader picks
/// others (or, with one component, PC1 against the model's row index),
/// with the model's name as tooltip. Past [`SCATTER_MODELS`] models, it
/// draws that many, evenly spaced in row order (each record's `index` is
/// its row); `cut` names the components shown when not all.
fn scatter(
    names: &[String],
    models: &[String],
    ratio: &[f64],
    projections: ArrayView2<f64>,
    cut: Option<&str>,
) -> Value {
    let k = projections.ncols();
    let n = projections.nrows();
    let drawn = n.min(SCATTER_MODELS);
    let mut shown = Vec::new();
    if drawn < n {
        shown.push(format!("{drawn} of {n} models, evenly spaced in row order"));
    }
    shown.extend(cut.map(str::to_owned));
    let note = |subtitle: &str| {
        if shown.is_empty() {
            subtitle.to_owned()
        } else {
            format!("{subtitle}; showing {}", shown.join(" and "))
        }
    };
    let values: Vec<Value> = evenly_spaced(n, SCATTER_MODELS)
        .map(|i| (i, projections.row(i)))
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
    tooltip.extend(tooltip_pcs.iter().cloned());
    if k < 2 {
        return json!({
            "$schema": SCHEMA,
            "title": {"text": "PC1 by model (only one component kept)", "subtitle": note("Each point is a model, in row order")},
            "description": "Projections of the models on the principal components.",
            "width": 420,
            "height": 320,
            "data": {"values": values},
            "mark": {"type": "point", "filled": true, "size": 60, "opacity": 0.8, "tooltip": true},
            "encoding": {
                "x": {"field": "index", "type": "quantitative", "title": "Model (row index)"},
                "y": {"field": "PC1", "type": "quantitative", "title": axis_title(0), "scale": {"zero": false}},
                "tooltip": tooltip,
            },
        });
    }
    // The components on the axes are two parameters bound to menus under
    // the chart (labelled with each component's share of the variance), so
    // the spec alone lets any reader of it pick them: `x` and `y` are the
    // picked components' scores. Vega-Lite's axis titles cannot follow a
    // parameter; the chart's title names the pair instead.
    let numbers: Vec<usize> = (1..=k).collect();
    let labels: Vec<String> = (0..k).map(axis_title).collect();
    let picker = |name: &str, value: usize, label: &str| {
        json!({
            "name": name,
            "value": value,
            "bind": {"input": "select", "options": numbers, "labels": labels, "name": label},
        })
    };
    let picked_axes = json!([
        {"calculate": "datum['PC' + x_pc]", "as": "x"},
        {"calculate": "datum['PC' + y_pc]", "as": "y"},
    ]);
    // Each component's range over the models, for the axes' domains.
    let ranges: Vec<(f64, f64)> = projections
        .columns()
        .into_iter()
        .map(|scores| extent(scores.iter().copied()).unwrap_or((0.0, 1.0)))
        .collect();
    let axis = |field: &str, param: &str| {
        json!({
            "field": field, "type": "quantitative", "title": null,
            "scale": {"domain": {"expr": picked_domain(param, &ranges)}, "zero": false, "nice": true},
        })
    };
    // The placed models: each datum of `placed` is an answer of
    // /v1/pca/transform, flattened to one record per model with the same
    // PC fields as the fitted models'.
    let mut placed_transform =
        vec![json!({"flatten": ["models", "projections"], "as": ["model", "projection"]})];
    placed_transform.extend(
        (0..k)
            .map(|c| json!({"calculate": format!("datum.projection[{c}]"), "as": pc_name(c + 1)})),
    );
    placed_transform.extend(picked_axes.as_array().into_iter().flatten().cloned());
    let mut placed_tooltip =
        vec![json!({"field": "model", "type": "nominal", "title": "Placed model"})];
    placed_tooltip.extend(tooltip_pcs);
    json!({
        "$schema": SCHEMA,
        "title": {"text": {"expr": "'PC' + x_pc + ' vs PC' + y_pc"}, "subtitle": note("Each point is a model")},
        "description": "Projections of the models on two principal components, picked under the chart; \
                        the models placed on the components (dataset `placed`) as black diamonds.",
        "width": 420,
        "height": 320,
        "data": {"values": values},
        "datasets": {PLACED: []},
        "params": [picker("x_pc", 1, "x axis "), picker("y_pc", 2, "y axis ")],
        "encoding": {"x": axis("x", "x_pc"), "y": axis("y", "y_pc"), "tooltip": tooltip},
        "layer": [
            {
                "transform": picked_axes,
                "mark": {"type": "point", "filled": true, "size": 60, "opacity": 0.8, "tooltip": true},
            },
            {
                "data": {"name": PLACED},
                "transform": placed_transform,
                "mark": {"type": "point", "shape": "diamond", "size": 170, "filled": true,
                         "color": "#111111", "stroke": "#ffffff", "strokeWidth": 1},
                // Values, not the models' groups: the models' colour, shape
                // and legend-driven opacity are not theirs.
                "encoding": {
                    "color": {"value": "#111111"},
                    "shape": {"value": "diamond"},
                    "opacity": {"value": 1},
                    "tooltip": placed_tooltip,
                },
            },
        ],
    })
}

/// The domain of an axis showing component `param` (a parameter holding its
/// number): the models' range on it, widened to the placed models'.
///
/// It is an expression rather than the fields' extent Vega-Lite would take
/// from both layers' data: the `placed` layer is empty until a client fills
/// it, and the extent of an empty dataset makes Vega warn. The dataset
/// holds an answer of /v1/pca/transform; its `projections` are the placed
/// models' rows.
fn picked_domain(param: &str, ranges: &[(f64, f64)]) -> String {
    let list = |bound: fn(&(f64, f64)) -> f64| {
        let values: Vec<String> = ranges.iter().map(|r| bound(r).to_string()).collect();
        format!("[{}][{param} - 1]", values.join(", "))
    };
    let (lo, hi) = (list(|r| r.0), list(|r| r.1));
    let rows = format!("data('{PLACED}')[0].projections");
    let placed = format!("extent(pluck({rows}, '' + ({param} - 1)))");
    format!(
        "length(data('{PLACED}')) && length({rows}) \
         ? [min({lo}, {placed}[0]), max({hi}, {placed}[1])] : [{lo}, {hi}]"
    )
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
        assert_eq!(spec["layer"][0]["mark"]["type"], "point");
        // x and y are the picked components' scores, PC1 and PC2 at first.
        let [x, y] = [&spec["params"][0], &spec["params"][1]];
        assert_eq!((&x["name"], &x["value"]), (&json!("x_pc"), &json!(1)));
        assert_eq!((&y["name"], &y["value"]), (&json!("y_pc"), &json!(2)));
        assert_eq!(
            spec["layer"][0]["transform"],
            json!([
                {"calculate": "datum['PC' + x_pc]", "as": "x"},
                {"calculate": "datum['PC' + y_pc]", "as": "y"},
            ])
        );
        assert_eq!(spec["encoding"]["x"]["field"], "x");
        assert_eq!(spec["encoding"]["y"]["field"], "y");
        assert_eq!(spec["encoding"]["tooltip"][0]["field"], "model");
        assert_eq!(x["bind"]["options"], json!([1, 2]));
        assert_eq!(
            x["bind"]["labels"],
            json!(["PC1 (70.0% of variance)", "PC2 (20.0% of variance)"])
        );
    }

    #[test]
    fn placed_models_have_a_layer_of_their_own() {
        let v = example();
        let spec = &v["scatter"];
        assert_eq!(spec["datasets"][PLACED], json!([]));
        let placed = &spec["layer"][1];
        assert_eq!(placed["data"], json!({"name": PLACED}));
        assert_eq!(placed["mark"]["shape"], "diamond");
        // A transform answer's rows become records like the models'.
        let transform = placed["transform"].as_array().unwrap();
        assert_eq!(
            transform[0],
            json!({"flatten": ["models", "projections"], "as": ["model", "projection"]})
        );
        assert_eq!(
            transform[2],
            json!({"calculate": "datum.projection[1]", "as": "PC2"})
        );
        assert_eq!(
            &transform[3..],
            spec["layer"][0]["transform"].as_array().unwrap()
        );
        assert_eq!(placed["encoding"]["tooltip"][0]["title"], "Placed model");
        // The axes span the models' range on the picked components (PC1 in
        // [-1, 1], PC2 in [-0.5, 0.5]) and the placed models'.
        let domain = spec["encoding"]["x"]["scale"]["domain"]["expr"]
            .as_str()
            .unwrap();
        assert_eq!(domain, picked_domain("x_pc", &[(-1.0, 1.0), (-0.5, 0.5)]));
        assert!(domain.ends_with(": [[-1, -0.5][x_pc - 1], [1, 0.5][x_pc - 1]]"));
        assert!(domain.contains("extent(pluck(data('placed')[0].projections, '' + (x_pc - 1)))"));
        assert!(
            spec["encoding"]["y"]["scale"]["domain"]["expr"]
                .as_str()
                .unwrap()
                .contains("[1, 0.5][y_pc - 1]")
        );
    }

    #[test]
    fn groups_colour_the_models_under_their_column_name() {
        let v = example();
        let mut spec = v["scatter"].clone();
        let groups = [
            Some("x".to_owned()),
            None,
            Some("y".to_owned()),
            Some("x".to_owned()),
        ];
        colour_by_group(&mut spec, &groups, "Model Family");
        assert_eq!(spec["encoding"]["color"]["field"], "group");
        assert_eq!(spec["encoding"]["color"]["title"], "Model Family");
        assert_eq!(spec["encoding"]["shape"]["title"], "Model Family");
        assert_eq!(spec["encoding"]["tooltip"][1]["title"], "Model Family");
        assert_eq!(values(&spec)[1]["group"], "(none)");
        assert_eq!(spec["layer"][0]["params"][0]["name"], "picked");
        // The placed models keep their own colour.
        assert_eq!(
            spec["layer"][1]["encoding"]["color"],
            json!({"value": "#111111"})
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

    /// A fit of `n` models on `p` benchmarks with `k` components, each
    /// value distinct (loadings grow with the benchmark's index).
    fn large(n: usize, p: usize, k: usize) -> Value {
        let models: Vec<String> = (0..n).map(|i| format!("m{i}")).collect();
        let benchmarks: Vec<String> = (0..p).map(|j| format!("b{j}")).collect();
        let components = ndarray::Array2::from_shape_fn((k, p), |(c, j)| (j + c) as f64 / p as f64);
        let projections = ndarray::Array2::from_shape_fn((n, k), |(i, c)| (i * k + c) as f64);
        let ratio: Vec<f64> = (0..k).map(|c| 1.0 / (2.0 + c as f64)).collect();
        vega_lite_parts(
            &models,
            &benchmarks,
            components.view(),
            &ratio,
            &ratio,
            projections.view(),
        )
    }

    #[test]
    fn loadings_of_many_benchmarks_keep_the_largest_and_say_so() {
        let p = LOADINGS_BENCHMARKS + 50;
        let v = large(4, p, 3);
        let spec = &v["loadings"];
        // The loadings grow with the index: the last 150 benchmarks are the largest.
        let kept: Vec<String> = (p - LOADINGS_BENCHMARKS..p)
            .map(|j| format!("b{j}"))
            .collect();
        assert_eq!(spec["encoding"]["y"]["sort"], json!(kept));
        assert_eq!(values(spec).len(), 3 * LOADINGS_BENCHMARKS);
        assert_eq!(
            values(spec)[0]["benchmark"],
            json!(format!("b{}", p - LOADINGS_BENCHMARKS))
        );
        let subtitle = spec["title"]["subtitle"].as_str().unwrap();
        assert!(
            subtitle.ends_with(&format!(
                "showing the 150 of {p} benchmarks with the largest loadings"
            )),
            "{subtitle}"
        );
        // Drawn whole at the cap: the subtitle says nothing.
        let whole = large(4, LOADINGS_BENCHMARKS, 3);
        assert_eq!(values(&whole["loadings"]).len(), 3 * LOADINGS_BENCHMARKS);
        assert_eq!(
            whole["loadings"]["title"]["subtitle"],
            "Weight of each benchmark in each component"
        );
    }

    #[test]
    fn a_scatter_of_many_models_draws_evenly_spaced_ones_with_their_groups() {
        let n = 2 * SCATTER_MODELS + 1;
        let v = large(n, 3, 2);
        let mut spec = v["scatter"].clone();
        let groups: Vec<Option<String>> = (0..n).map(|i| Some(format!("g{}", i % 7))).collect();
        colour_by_group(&mut spec, &groups, "Family");
        let data = values(&spec);
        assert_eq!(data.len(), SCATTER_MODELS);
        let index = |d: usize| data[d]["index"].as_u64().unwrap() as usize;
        assert_eq!(
            (index(0), index(1), index(SCATTER_MODELS - 1)),
            (0, 2, n - 3)
        );
        for d in [0, 1, 2500, SCATTER_MODELS - 1] {
            let i = index(d);
            assert_eq!(data[d]["model"], json!(format!("m{i}")));
            assert_eq!(data[d]["PC2"], json!((i * 2 + 1) as f64));
            assert_eq!(data[d]["group"], json!(format!("g{}", i % 7)));
        }
        let subtitle = spec["title"]["subtitle"].as_str().unwrap();
        assert!(
            subtitle.ends_with(&format!(
                "showing {SCATTER_MODELS} of {n} models, evenly spaced in row order"
            )),
            "{subtitle}"
        );
    }

    #[test]
    fn charts_of_many_components_show_the_leading_ones() {
        let k = CHART_COMPONENTS + 20;
        let v = large(k, LOADINGS_BENCHMARKS, k);
        let note = format!("showing the first {CHART_COMPONENTS} of {k} components");
        assert_eq!(values(&v["scree"]).len(), CHART_COMPONENTS);
        assert_eq!(
            values(&v["loadings"]).len(),
            CHART_COMPONENTS * LOADINGS_BENCHMARKS
        );
        let record = values(&v["scatter"])[0].as_object().unwrap();
        assert_eq!(record.len(), 2 + CHART_COMPONENTS);
        assert!(record.contains_key("PC100") && !record.contains_key("PC101"));
        assert_eq!(
            v["scatter"]["params"][0]["bind"]["options"]
                .as_array()
                .unwrap()
                .len(),
            CHART_COMPONENTS
        );
        for chart in ["scree", "loadings", "scatter"] {
            let subtitle = v[chart]["title"]["subtitle"].as_str().unwrap();
            assert!(subtitle.ends_with(&note), "{chart}: {subtitle}");
        }
    }
}
