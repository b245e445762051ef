//! The chart of `/v1/scaling/compute-fit` (the paper's Figure 3): each PC
//! score against log10 compute, one panel per component, a colour per
//! family, and each fitted family's line over the compute its models span.

use serde_json::{Value, json};

use super::{SCHEMA, extent, number, optional, pc_name, short, tip};
use crate::analysis::BenchmarkMatrix;
use crate::analysis::scaling::compute_fit::ComputeFit;
use crate::analysis::scaling::metadata::{Families, LogCompute};

/// Panels per row of the facet.
const COLUMNS: usize = 3;

/// `{"pc_vs_compute": spec}`. Its points are the analysed models that have
/// a family and a known compute (a model without a family belongs to no
/// fit, so it is left out); its lines are the fitted families'.
pub fn compute_fit(
    matrix: &BenchmarkMatrix,
    families: &Families,
    compute: &LogCompute,
    result: &ComputeFit,
) -> Value {
    json!({ "pc_vs_compute": pc_vs_compute(matrix, families, compute, result) })
}

fn pc_vs_compute(
    matrix: &BenchmarkMatrix,
    families: &Families,
    compute: &LogCompute,
    result: &ComputeFit,
) -> Value {
    let kept = &result.fit.completed.rows;
    let projections = &result.fit.projections;
    let k = projections.ncols();
    let names: Vec<String> = (1..=k).map(pc_name).collect();
    // Long form, one record per (component, model) and two per (component,
    // fitted family), so that one facet holds both layers (a facet's layers
    // cannot each bring their own data).
    let mut values = Vec::new();
    for (r, &i) in kept.iter().enumerate() {
        let (Some(family), Some(x)) = (families.of(i), compute.values()[i]) else {
            continue;
        };
        let fit = result.families.iter().find(|f| f.family == family);
        for (c, name) in names.iter().enumerate() {
            values.push(json!({
                "kind": "model",
                "component": name,
                "model": matrix.models()[i],
                "family": family,
                "log10_flops": number(x),
                "score": number(projections[[r, c]]),
                "r2": optional(fit.and_then(|f| f.fits[c].r2)),
            }));
        }
    }
    for fit in &result.families {
        let xs = fit.rows.iter().filter_map(|&r| compute.values()[kept[r]]);
        let Some((lo, hi)) = extent(xs) else { continue };
        for (c, name) in names.iter().enumerate() {
            let line = fit.fits[c];
            for x in [lo, hi] {
                values.push(json!({
                    "kind": "fit",
                    "component": name,
                    "family": fit.family,
                    "log10_flops": number(x),
                    "score": number(line.slope * x + line.intercept),
                    "slope": number(line.slope),
                    "intercept": number(line.intercept),
                    "r2": optional(line.r2),
                }));
            }
        }
    }
    let mean_r2: Vec<String> = names
        .iter()
        .zip(&result.mean_r2)
        .map(|(name, r2)| match r2 {
            Some(r2) => format!("{name} {}", short(*r2, 2)),
            None => format!("{name} n/a"),
        })
        .collect();
    let x = json!({"field": "log10_flops", "type": "quantitative", "title": "log10 FLOPs",
                   "scale": {"zero": false}});
    let y = json!({"field": "score", "type": "quantitative", "title": "PC score",
                   "scale": {"zero": false}});
    let color = json!({"field": "family", "type": "nominal", "title": "Family",
                       "scale": {"scheme": "tableau20"}});
    let picked = json!({
        "condition": {"param": "family_pick", "value": 0.9},
        "value": 0.12,
    });
    json!({
        "$schema": SCHEMA,
        "title": {
            "text": "PC scores against compute, per family",
            "subtitle": format!(
                "Lines: least squares within each family of at least the minimum size. Mean R²: {}",
                mean_r2.join(", ")
            ),
        },
        "description": "Each principal-component score against log10 training compute; one colour and one fitted line per model family.",
        "data": {"values": values},
        "facet": {"field": "component", "type": "ordinal", "sort": names, "title": null,
                  "header": {"labelFontSize": 13, "labelFontWeight": "bold"}},
        "columns": k.min(COLUMNS),
        "spec": {
            "width": 260,
            "height": 220,
            "layer": [
                {
                    "transform": [{"filter": "datum.kind === 'fit'"}],
                    "mark": {"type": "line", "strokeWidth": 2},
                    "encoding": {
                        "x": x, "y": y, "color": color, "detail": {"field": "family"},
                        "opacity": picked,
                        "tooltip": [
                            tip("family", "nominal", "Family", None),
                            tip("component", "ordinal", "Component", None),
                            tip("slope", "quantitative", "Slope", Some(".4f")),
                            tip("intercept", "quantitative", "Intercept", Some(".4f")),
                            tip("r2", "quantitative", "R²", Some(".3f")),
                        ],
                    },
                },
                {
                    "transform": [{"filter": "datum.kind === 'model'"}],
                    "params": [{"name": "family_pick",
                                "select": {"type": "point", "fields": ["family"]},
                                "bind": "legend"}],
                    "mark": {"type": "point", "filled": true, "size": 45},
                    "encoding": {
                        "x": x, "y": y, "color": color, "opacity": picked,
                        "tooltip": [
                            tip("model", "nominal", "Model", None),
                            tip("family", "nominal", "Family", None),
                            tip("log10_flops", "quantitative", "log10 FLOPs", Some(".3f")),
                            tip("score", "quantitative", "Score", Some(".4f")),
                            tip("r2", "quantitative", "Family R²", Some(".3f")),
                        ],
                    },
                },
            ],
        },
        "resolve": {"scale": {"y": "independent"}},
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::matrix::ScoreRows;
    use crate::analysis::pca::impute::MissingPolicy;
    use crate::analysis::scaling::compute_fit::{ComputeFitSpec, compute_fit as fit};
    use crate::analysis::scaling::metadata::Compute;
    use crate::analysis::{NComponents, PcaValidParams};

    /// Six models on two benchmarks: family "a" (three, compute 1, 10, 100),
    /// "b" (two, too few for a line), and one model without a family.
    fn example() -> (BenchmarkMatrix, Families, LogCompute, ComputeFit) {
        let matrix = BenchmarkMatrix::new(
            (0..6).map(|i| format!("m{i}")).collect(),
            vec!["x".into(), "y".into()],
            ScoreRows {
                values: vec![0.1, 0.2, 0.4, 0.3, 0.9, 0.7, 0.2, 0.5, 0.3, 0.6, 0.5, 0.5],
                row_lengths: vec![2; 6],
            },
        )
        .unwrap();
        let families = Families::new(
            ["a", "a", "a", "b", "b", ""]
                .iter()
                .map(|s| Some((*s).to_owned()))
                .collect(),
            &matrix,
        )
        .unwrap();
        let compute = LogCompute::new(
            Compute::Flops(vec![
                Some(1.0),
                Some(10.0),
                Some(100.0),
                Some(5.0),
                Some(50.0),
                Some(7.0),
            ]),
            &matrix,
        )
        .unwrap();
        let spec = ComputeFitSpec {
            pca: PcaValidParams::unchecked(NComponents::Count(2), false),
            missing: MissingPolicy::Reject,
            min_family_size: 3,
        };
        let result = fit(&matrix, &families, &compute, &spec).unwrap();
        (matrix, families, compute, result)
    }

    fn records<'v>(spec: &'v Value, kind: &str) -> Vec<&'v Value> {
        spec["data"]["values"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|v| v["kind"] == kind)
            .collect()
    }

    #[test]
    fn one_point_per_model_with_a_family_and_component() {
        let (matrix, families, compute, result) = example();
        let spec = &compute_fit(&matrix, &families, &compute, &result)["pc_vs_compute"];
        assert_eq!(spec["$schema"], SCHEMA);
        let points = records(spec, "model");
        // Five models have a family, two components each; m5 has none.
        assert_eq!(points.len(), 5 * 2);
        assert!(points.iter().all(|p| p["model"] != "m5"));
        let m1_pc2 = points
            .iter()
            .find(|p| p["model"] == "m1" && p["component"] == "PC2")
            .unwrap();
        assert_eq!(m1_pc2["family"], "a");
        assert_eq!(m1_pc2["log10_flops"], 1.0);
        assert_eq!(m1_pc2["score"], result.fit.projections[[1, 1]]);
        assert_eq!(m1_pc2["r2"], json!(result.families[0].fits[1].r2));
        // Family b has no line, so its points carry no R².
        assert!(
            points
                .iter()
                .filter(|p| p["family"] == "b")
                .all(|p| p["r2"].is_null())
        );
    }

    #[test]
    fn each_fitted_family_has_a_line_over_its_compute() {
        let (matrix, families, compute, result) = example();
        let spec = &compute_fit(&matrix, &families, &compute, &result)["pc_vs_compute"];
        let lines = records(spec, "fit");
        assert_eq!(lines.len(), 2 * 2, "family a only, two ends per component");
        let line = result.families[0].fits[0];
        let pc1: Vec<&&Value> = lines.iter().filter(|l| l["component"] == "PC1").collect();
        assert_eq!(pc1[0]["log10_flops"], 0.0);
        assert_eq!(pc1[1]["log10_flops"], 2.0);
        assert_eq!(pc1[1]["score"], json!(line.slope * 2.0 + line.intercept));
        assert_eq!(pc1[0]["r2"], json!(line.r2));
    }

    #[test]
    fn one_panel_per_component_with_the_lines_under_the_points() {
        let (matrix, families, compute, result) = example();
        let spec = &compute_fit(&matrix, &families, &compute, &result)["pc_vs_compute"];
        assert_eq!(spec["facet"]["field"], "component");
        assert_eq!(spec["facet"]["sort"], json!(["PC1", "PC2"]));
        assert_eq!(spec["columns"], 2);
        assert_eq!(spec["resolve"]["scale"]["y"], "independent");
        let layer = spec["spec"]["layer"].as_array().unwrap();
        assert_eq!(layer[0]["mark"]["type"], "line");
        assert_eq!(layer[1]["mark"]["type"], "point");
        for l in layer {
            assert_eq!(l["encoding"]["x"]["field"], "log10_flops");
            assert_eq!(l["encoding"]["y"]["field"], "score");
            assert_eq!(l["encoding"]["color"]["field"], "family");
        }
        let tooltip: Vec<&Value> = layer[1]["encoding"]["tooltip"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| &t["field"])
            .collect();
        assert_eq!(tooltip, ["model", "family", "log10_flops", "score", "r2"]);
    }
}
