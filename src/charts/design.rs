//! The chart of `/v1/scaling/select-families`: per budget, the criterion of
//! the best designs (ranked) beside the random-subset baseline's mean and
//! median, and the floor every design approaches (k, all models chosen).

use serde_json::{Value, json};

use super::{SCHEMA, number, optional, tip};
use crate::analysis::scaling::design::FamilySelection;

const RANDOM_MEAN: &str = "random (mean)";
const RANDOM_MEDIAN: &str = "random (median)";

/// `{"designs": spec}`.
pub fn select_families(selection: &FamilySelection) -> Value {
    json!({ "designs": designs(selection) })
}

fn budget_label(max_models: usize) -> String {
    format!("≤ {max_models} models")
}

fn rank_label(rank: usize) -> String {
    format!("best #{rank}")
}

fn designs(selection: &FamilySelection) -> Value {
    let top = selection
        .budgets
        .iter()
        .map(|b| b.best.len())
        .max()
        .unwrap_or(0);
    let mut series: Vec<String> = (1..=top).map(rank_label).collect();
    series.extend([RANDOM_MEAN.to_owned(), RANDOM_MEDIAN.to_owned()]);
    // Best designs in blues (darker is better), the baseline in greys.
    let mut colours: Vec<String> = (0..top)
        .map(|i| {
            let t = if top > 1 {
                i as f64 / (top - 1) as f64
            } else {
                0.0
            };
            let mix = |dark: f64, light: f64| (dark + t * (light - dark)).round() as u8;
            format!(
                "#{:02x}{:02x}{:02x}",
                mix(8.0, 158.0),
                mix(69.0, 202.0),
                mix(148.0, 225.0)
            )
        })
        .collect();
    colours.extend(["#bab0ac".to_owned(), "#79706e".to_owned()]);

    let mut values = Vec::new();
    for budget in &selection.budgets {
        let label = budget_label(budget.max_models);
        for (i, design) in budget.best.iter().enumerate() {
            let families: Vec<&str> = design
                .families
                .iter()
                .map(|&f| selection.families[f].as_str())
                .collect();
            values.push(json!({
                "budget": label,
                "max_models": budget.max_models,
                "series": rank_label(i + 1),
                "rank": i + 1,
                "criterion": number(design.criterion),
                "n_models": design.n_models,
                "families": families.join(", "),
                "about": format!(
                    "{} families, {} models: {}",
                    families.len(),
                    design.n_models,
                    families.join(", ")
                ),
            }));
        }
        let baseline = &budget.baseline;
        for (series, value) in [
            (RANDOM_MEAN, baseline.mean),
            (RANDOM_MEDIAN, baseline.median),
        ] {
            values.push(json!({
                "budget": label,
                "max_models": budget.max_models,
                "series": series,
                "criterion": optional(value),
                "samples": baseline.samples,
                "valid": baseline.valid,
                "about": format!(
                    "{} random subsets within the budget ({} not singular)",
                    baseline.samples, baseline.valid
                ),
            }));
        }
    }
    let budgets: Vec<String> = selection
        .budgets
        .iter()
        .map(|b| budget_label(b.max_models))
        .collect();
    let k = selection.fit.pca.n_components();
    json!({
        "$schema": SCHEMA,
        "title": {
            "text": "Which families to evaluate",
            "subtitle": [
                "V-optimal criterion of the best designs per budget, beside random subsets of families (lower is better)",
                format!("Dashed: {k}, the criterion with every model (the floor)"),
            ],
        },
        "description": "Per budget, the criterion of the best family subsets and the mean and median of random subsets.",
        "width": {"step": 26},
        "height": 280,
        "layer": [
            {
                "data": {"values": values},
                "mark": {"type": "bar"},
                "encoding": {
                    "x": {"field": "budget", "type": "ordinal", "sort": budgets, "title": "Budget",
                          "axis": {"labelAngle": 0}},
                    "xOffset": {"field": "series", "type": "nominal", "sort": series},
                    "y": {"field": "criterion", "type": "quantitative",
                          "title": "trace(Xᵀ X (X_Sᵀ X_S)⁻¹)"},
                    "color": {"field": "series", "type": "nominal", "title": "Design",
                              "scale": {"domain": series, "range": colours}},
                    "tooltip": [
                        tip("budget", "ordinal", "Budget", None),
                        tip("series", "nominal", "Design", None),
                        tip("criterion", "quantitative", "Criterion", Some(".4f")),
                        tip("about", "nominal", "Of", None),
                    ],
                },
            },
            {
                "data": {"values": [{"floor": k}]},
                "mark": {"type": "rule", "strokeDash": [6, 4], "color": "#555555"},
                "encoding": {
                    "y": {"field": "floor", "type": "quantitative"},
                    "tooltip": [tip("floor", "quantitative", "Every model chosen", None)],
                },
            },
        ],
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::matrix::{BenchmarkMatrix, ScoreRows};
    use crate::analysis::pca::impute::MissingPolicy;
    use crate::analysis::scaling::design::{DesignSpec, select_families as select};
    use crate::analysis::scaling::metadata::Families;
    use crate::analysis::{NComponents, PcaValidParams};

    /// Eight models in four families of two on three benchmarks; budgets of
    /// 4 and 6 models, the best 2 designs each.
    fn example() -> FamilySelection {
        let matrix = BenchmarkMatrix::new(
            (0..8).map(|i| format!("m{i}")).collect(),
            vec!["x".into(), "y".into(), "z".into()],
            ScoreRows {
                values: vec![
                    0.1, 0.2, 0.3, 0.2, 0.1, 0.5, 0.6, 0.4, 0.2, 0.7, 0.8, 0.6, 0.3, 0.9, 0.1, 0.5,
                    0.5, 0.5, 0.9, 0.6, 0.7, 0.4, 0.3, 0.9,
                ],
                row_lengths: vec![3; 8],
            },
        )
        .unwrap();
        let families = Families::new(
            ["a", "a", "b", "b", "c", "c", "d", "d"]
                .iter()
                .map(|s| Some((*s).to_owned()))
                .collect(),
            &matrix,
        )
        .unwrap();
        let spec = DesignSpec {
            pca: PcaValidParams::unchecked(NComponents::Count(2), false),
            missing: MissingPolicy::Reject,
            budgets: vec![4, 6],
            required_families: vec![],
            top: 2,
            baseline_samples: 20,
            seed: 3,
        };
        select(&matrix, &families, &spec).unwrap()
    }

    #[test]
    fn one_bar_per_best_design_and_two_for_the_baseline() {
        let selection = example();
        let spec = &select_families(&selection)["designs"];
        assert_eq!(spec["$schema"], SCHEMA);
        let bars = spec["layer"][0]["data"]["values"].as_array().unwrap();
        let expected: usize = selection.budgets.iter().map(|b| b.best.len() + 2).sum();
        assert_eq!(bars.len(), expected);
        let first = &selection.budgets[0];
        assert_eq!(bars[0]["budget"], "≤ 4 models");
        assert_eq!(bars[0]["series"], "best #1");
        assert_eq!(bars[0]["criterion"], first.best[0].criterion);
        let names: Vec<&str> = first.best[0]
            .families
            .iter()
            .map(|&f| selection.families[f].as_str())
            .collect();
        assert_eq!(bars[0]["families"], names.join(", "));
        let mean = bars
            .iter()
            .find(|b| b["budget"] == "≤ 6 models" && b["series"] == RANDOM_MEAN)
            .unwrap();
        assert_eq!(mean["criterion"], json!(selection.budgets[1].baseline.mean));
        assert_eq!(mean["samples"], 20);
    }

    #[test]
    fn bars_are_grouped_by_budget_and_ranked_with_a_rule_at_k() {
        let selection = example();
        let spec = &select_families(&selection)["designs"];
        let bars = &spec["layer"][0];
        assert_eq!(bars["mark"]["type"], "bar");
        let encoding = &bars["encoding"];
        assert_eq!(encoding["x"]["field"], "budget");
        assert_eq!(encoding["x"]["sort"], json!(["≤ 4 models", "≤ 6 models"]));
        assert_eq!(encoding["xOffset"]["field"], "series");
        assert_eq!(
            encoding["xOffset"]["sort"],
            json!(["best #1", "best #2", RANDOM_MEAN, RANDOM_MEDIAN])
        );
        assert_eq!(encoding["y"]["field"], "criterion");
        assert_eq!(
            encoding["color"]["scale"]["range"]
                .as_array()
                .unwrap()
                .len(),
            4
        );
        let rule = &spec["layer"][1];
        assert_eq!(rule["mark"]["type"], "rule");
        assert_eq!(rule["data"]["values"][0]["floor"], 2);
    }
}
