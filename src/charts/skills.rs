//! The charts of `/v1/scaling/skills`: predicted against observed per
//! benchmark (held-out models of an evaluation marked), the skill loadings
//! as a heatmap, and each family's efficiency on each skill.

use serde_json::{Value, json};

use super::{Heatmap, HeatmapAxis, SCHEMA, number, tip};
use crate::analysis::skills::{SkillsData, SkillsEvaluation, SkillsFit, SkillsModel};

/// The series of the fit's own predictions of scored models.
const FITTED: &str = "fitted";
/// The series of an evaluation's predictions of held-out models (their
/// scores hidden from the fit).
const HELD_OUT: &str = "held out";

/// `{predicted_vs_observed, loadings, efficiencies}`.
pub fn skills(data: &SkillsData, fit: &SkillsFit, evaluation: Option<&SkillsEvaluation>) -> Value {
    json!({
        "predicted_vs_observed": predicted_vs_observed(data, fit, evaluation),
        "loadings": heatmap(
            "Skill loadings",
            "How much each benchmark reads each skill (eta = loadings . z + intercept)",
            "benchmark",
            "Benchmark",
            &fit.benchmarks,
            fit.loadings.rows().into_iter().map(|r| r.to_vec()).collect(),
            "Loading",
        ),
        "efficiencies": heatmap(
            "Family efficiencies",
            "Each family's offset on each skill, at equal parameters and tokens",
            "family",
            "Family",
            &fit.families,
            fit.efficiencies.rows().into_iter().map(|r| r.to_vec()).collect(),
            "Efficiency",
        ),
    })
}

fn skill_name(k: usize) -> String {
    format!("skill {}", k + 1)
}

/// Per benchmark, every scored cell's observed score against the fit's
/// prediction, and with an evaluation each held-out model's prediction
/// from the fit of its group (its scores hidden), on the y = x diagonal.
fn predicted_vs_observed(
    data: &SkillsData,
    fit: &SkillsFit,
    evaluation: Option<&SkillsEvaluation>,
) -> Value {
    let models = data.models();
    let mut values = Vec::new();
    // One point per scored cell of model `m`, against `predicted` of its
    // benchmark; held-out points also carry their evaluation group.
    let mut cells =
        |m: &SkillsModel, series: &str, group: Option<usize>, predicted: &dyn Fn(usize) -> f64| {
            for (j, benchmark) in data.benchmarks().iter().enumerate() {
                if let Some(y) = m.scores[j] {
                    let mut point = json!({
                        "benchmark": benchmark,
                        "model": m.name,
                        "family": m.family,
                        "series": series,
                        "observed": number(y),
                        "predicted": number(predicted(j)),
                    });
                    if let Some(g) = group {
                        point["group"] = json!(g);
                    }
                    values.push(point);
                }
            }
        };
    for (i, m) in models.iter().enumerate() {
        cells(m, FITTED, None, &|j| fit.predictions[(i, j)]);
    }
    for (g, group) in evaluation
        .map(|e| e.groups.as_slice())
        .unwrap_or_default()
        .iter()
        .enumerate()
    {
        let Some(scores) = &group.skills else {
            continue;
        };
        for (t, &i) in group.test_models.iter().enumerate() {
            cells(&models[i], HELD_OUT, Some(g + 1), &|j| {
                scores.predictions[t][j]
            });
        }
    }
    let subtitle = match evaluation {
        Some(e) => format!(
            "Fitted: the scored models, in the fit. Held out: each evaluation group's test models, \
             predicted from every other family and each group family's {}",
            match e.n_train_models {
                1 => "smallest model".to_owned(),
                n => format!("{n} smallest models"),
            }
        ),
        None => "Every scored model, predicted by the fit it took part in".to_owned(),
    };
    json!({
        "$schema": SCHEMA,
        "title": {"text": "Predicted against observed", "subtitle": subtitle},
        "description": "Per benchmark, each model's predicted score against its observed score; the diagonal is a perfect prediction.",
        "data": {"values": values},
        "facet": {"field": "benchmark", "type": "nominal", "sort": data.benchmarks(), "title": null},
        "columns": 3,
        "resolve": {"scale": {"x": "independent", "y": "independent"}},
        "spec": {
            "width": 200,
            "height": 200,
            "layer": [
                {
                    "mark": {"type": "rule", "strokeDash": [4, 4], "color": "#888888"},
                    "encoding": {
                        "x": {"aggregate": "min", "field": "observed", "type": "quantitative"},
                        "x2": {"aggregate": "max", "field": "observed"},
                        "y": {"aggregate": "min", "field": "observed", "type": "quantitative"},
                        "y2": {"aggregate": "max", "field": "observed"},
                    },
                },
                {
                    "mark": {"type": "point", "filled": true, "size": 40},
                    "encoding": {
                        "x": {"field": "observed", "type": "quantitative", "title": "Observed",
                              "scale": {"zero": false}},
                        "y": {"field": "predicted", "type": "quantitative", "title": "Predicted",
                              "scale": {"zero": false}},
                        "color": {"field": "series", "type": "nominal", "title": "Prediction",
                                  "scale": {"domain": [FITTED, HELD_OUT],
                                            "range": ["#9ecae1", "#d62728"]}},
                        "shape": {"field": "series", "type": "nominal", "title": "Prediction",
                                  "scale": {"domain": [FITTED, HELD_OUT],
                                            "range": ["circle", "diamond"]}},
                        "tooltip": [
                            tip("model", "nominal", "Model", None),
                            tip("family", "nominal", "Family", None),
                            tip("series", "nominal", "Prediction", None),
                            tip("observed", "quantitative", "Observed", Some(".3f")),
                            tip("predicted", "quantitative", "Predicted", Some(".3f")),
                        ],
                    },
                },
            ],
        },
    })
}

/// A rows x skills heatmap of `values` on a diverging scale centred at 0,
/// each cell labelled.
fn heatmap(
    title: &str,
    subtitle: &str,
    field: &str,
    label: &str,
    rows: &[String],
    values: Vec<Vec<f64>>,
    value_title: &str,
) -> Value {
    let d = values.first().map_or(0, Vec::len);
    let skills: Vec<String> = (0..d).map(skill_name).collect();
    let cells = rows.iter().zip(&values).flat_map(|(name, row)| {
        let skills = &skills;
        row.iter()
            .enumerate()
            .map(move |(k, &v)| (skills[k].as_str(), name.as_str(), v))
    });
    Heatmap {
        title,
        subtitle,
        description: &format!("{title}: one cell per {field} and skill"),
        x: HeatmapAxis {
            field: "skill",
            title: "Skill",
            sort: &skills,
        },
        y: HeatmapAxis {
            field,
            title: label,
            sort: rows,
        },
        value: ("value", value_title),
        row_height: 22,
        font_size: 10,
    }
    .spec(cells)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::skills::{Link, SkillsModel, SkillsSpec, evaluate, fit_skills};

    /// Nine models of three families on three benchmarks, one unscored and
    /// one cell missing; a sigmoid law with two skills, one group held out.
    fn example() -> (SkillsData, SkillsFit, SkillsEvaluation) {
        let sizes = [(0.5, 1.0), (2.0, 1.0), (8.0, 2.0)];
        let mut models = Vec::new();
        for (f, family) in ["a", "b", "c"].iter().enumerate() {
            for (s, &(params, tokens)) in sizes.iter().enumerate() {
                let base = 0.2 + 0.1 * s as f64 + 0.05 * f as f64;
                let mut scores = vec![Some(base), Some(base * 0.8), Some(base * 0.5 + 0.1)];
                if f == 1 && s == 2 {
                    scores = vec![None; 3];
                }
                if f == 2 && s == 1 {
                    scores[1] = None;
                }
                models.push(SkillsModel {
                    name: format!("{family}{s}"),
                    params,
                    tokens,
                    family: (*family).into(),
                    scores,
                });
            }
        }
        let data = SkillsData::new(
            vec!["x".into(), "y".into(), "z".into()],
            vec![0.0, 0.1, 0.0],
            models,
        )
        .unwrap();
        let spec = SkillsSpec {
            skills: Some(2),
            link: Link::Sigmoid,
        };
        let fit = fit_skills(&data, &spec).unwrap();
        let eval = evaluate(&data, &spec, &[vec!["a".into()]], 1).unwrap();
        (data, fit, eval)
    }

    #[test]
    fn a_point_per_scored_cell_and_per_held_out_cell() {
        let (data, fit, eval) = example();
        let charts = skills(&data, &fit, Some(&eval));
        let points = charts["predicted_vs_observed"]["data"]["values"]
            .as_array()
            .unwrap();
        // 8 scored models x 3 benchmarks - 1 missing cell = 23 fitted points;
        // group a holds out a1 and a2 (a0, the smallest, trains): 6 more.
        let fitted: Vec<&Value> = points.iter().filter(|p| p["series"] == FITTED).collect();
        let held: Vec<&Value> = points.iter().filter(|p| p["series"] == HELD_OUT).collect();
        assert_eq!((fitted.len(), held.len()), (23, 6));
        let a1 = held
            .iter()
            .find(|p| p["model"] == "a1" && p["benchmark"] == "y")
            .unwrap();
        let t = eval.groups[0]
            .test_models
            .iter()
            .position(|&i| i == 1)
            .unwrap();
        assert_eq!(
            a1["predicted"],
            json!(eval.groups[0].skills.as_ref().unwrap().predictions[t][1])
        );
        assert_eq!(a1["observed"], json!(data.models()[1].scores[1].unwrap()));
        let b0 = fitted
            .iter()
            .find(|p| p["model"] == "b0" && p["benchmark"] == "z")
            .unwrap();
        assert_eq!(b0["predicted"], json!(fit.predictions[(3, 2)]));
        // Without an evaluation, the fitted points alone.
        let alone = skills(&data, &fit, None);
        assert_eq!(
            alone["predicted_vs_observed"]["data"]["values"]
                .as_array()
                .unwrap()
                .len(),
            23
        );
    }

    #[test]
    fn heatmaps_hold_a_cell_per_row_and_skill() {
        let (data, fit, _) = example();
        let charts = skills(&data, &fit, None);
        let loadings = &charts["loadings"];
        let cells = loadings["data"]["values"].as_array().unwrap();
        assert_eq!(cells.len(), 3 * 2);
        assert_eq!(
            cells[1],
            json!({"benchmark": "x", "skill": "skill 2", "value": fit.loadings[(0, 1)]})
        );
        assert_eq!(loadings["encoding"]["y"]["sort"], json!(["x", "y", "z"]));
        let efficiencies = &charts["efficiencies"];
        let cells = efficiencies["data"]["values"].as_array().unwrap();
        assert_eq!(cells.len(), 3 * 2);
        assert_eq!(
            cells[4],
            json!({"family": "c", "skill": "skill 1", "value": fit.efficiencies[(2, 0)]})
        );
        assert_eq!(
            efficiencies["encoding"]["x"]["sort"],
            json!(["skill 1", "skill 2"])
        );
    }
}
