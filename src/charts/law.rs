//! The charts of `/v1/scaling/law` (the paper's Figures 4 to 6): the target
//! against capability (or, with a reference family, against the compute of
//! that family with the same capability), with the fitted sigmoid over the
//! whole range and the training cutoff; and predicted against observed.

use serde_json::{Value, json};

use super::{SCHEMA, evenly_spaced, extent, number, optional, short, tip};
use crate::analysis::BenchmarkMatrix;
use crate::analysis::scaling::law::{LawFit, LawSpec, Role};
use crate::analysis::scaling::metadata::{Families, Target};

/// Points of each drawn sigmoid.
const CURVE_POINTS: usize = 200;

/// The most models drawn as points, over all targets: each target draws
/// at most its share, evenly spaced in row order, so that a chart's size
/// is bounded whatever the board (an ordinary one is drawn whole).
pub const LAW_POINTS: usize = 5000;

/// The roles in the order of the legends, with their colours and shapes.
const SPLITS: [(&str, &str, &str); 3] = [
    ("train", "#4c78a8", "circle"),
    ("test", "#e45756", "triangle-up"),
    ("unlabeled", "#9d9d9d", "diamond"),
];

/// One target's law, with what it was fitted on.
#[derive(Debug, Clone, Copy)]
pub struct TargetLaw<'a> {
    pub target: &'a Target,
    pub fit: &'a LawFit,
}

/// What the charts of one answer share: the leaderboard, the options the
/// laws were fitted with and the families (for tooltips).
#[derive(Debug, Clone, Copy)]
pub struct LawCharts<'a> {
    pub matrix: &'a BenchmarkMatrix,
    pub spec: &'a LawSpec,
    pub families: Option<&'a Families>,
}

fn split_name(role: Role) -> &'static str {
    match role {
        Role::Train => "train",
        Role::Test => "test",
        Role::Unlabeled => "unlabeled",
    }
}

impl LawCharts<'_> {
    /// `{"law": spec, "predicted_vs_observed": spec}` for one target or
    /// several (one curve and one set of points per target).
    pub fn specs(&self, laws: &[TargetLaw]) -> Value {
        let (points, cut) = self.points(laws);
        json!({
            "law": self.law(laws, &points, cut.as_deref()),
            "predicted_vs_observed": self.predicted_vs_observed(laws, &points, cut.as_deref()),
        })
    }

    /// With a reference family the x axis is its equivalent log10 compute.
    fn equivalent_compute(&self, laws: &[TargetLaw]) -> bool {
        laws.iter().all(|l| l.fit.reference.is_some())
    }

    /// One record per target and predicted model. `y` is the observed
    /// target, or the prediction for a model without one (which lies on the
    /// curve, drawn apart by its shape). Past [`LAW_POINTS`], each target
    /// draws its share of the models, evenly spaced, said in the second
    /// value (a subtitle line).
    fn points(&self, laws: &[TargetLaw]) -> (Vec<Value>, Option<String>) {
        let equivalent = self.equivalent_compute(laws);
        let models = self.matrix.models();
        let share = (LAW_POINTS / laws.len().max(1)).max(1);
        let most = laws
            .iter()
            .map(|l| l.fit.predictions.len())
            .max()
            .unwrap_or(0);
        let cut = (most > share).then(|| {
            let per = if laws.len() > 1 { " per target" } else { "" };
            format!("Showing at most {share} of {most} models{per}, evenly spaced in row order")
        });
        let mut values = Vec::new();
        for law in laws {
            let picked = evenly_spaced(law.fit.predictions.len(), share);
            for p in picked.map(|i| &law.fit.predictions[i]) {
                let x = if equivalent {
                    p.equivalent_log10_flops.unwrap_or(f64::NAN)
                } else {
                    p.capability
                };
                let mut record = json!({
                    "target": law.target.name(),
                    "model": models[p.model],
                    "split": split_name(p.role),
                    "x": number(x),
                    "y": number(p.observed.unwrap_or(p.predicted)),
                    "observed": optional(p.observed),
                    "predicted": number(p.predicted),
                    "capability": number(p.capability),
                });
                if let Some(families) = self.families {
                    record["family"] = json!(families.of(p.model));
                }
                if equivalent {
                    record["equivalent_log10_flops"] = optional(p.equivalent_log10_flops);
                }
                values.push(record);
            }
        }
        (values, cut)
    }

    fn x_title(&self, equivalent: bool) -> String {
        match (&self.spec.reference_family, equivalent) {
            (Some(family), true) => format!("{family}-equivalent log10 FLOPs"),
            _ => "Capability (w · s + c)".to_owned(),
        }
    }

    fn y_title(laws: &[TargetLaw]) -> String {
        match laws {
            [one] => one.target.name().to_owned(),
            _ => "Target".to_owned(),
        }
    }

    /// The y domain: the data's range, widened to `target_range` when one
    /// is given, so that the axis reads in the target's own bounds.
    fn y_scale(&self, values: impl IntoIterator<Item = f64>) -> Value {
        let data = extent(values);
        match (self.spec.target_range, data) {
            (Some((lo, hi)), Some((a, b))) => json!({"domain": [lo.min(a), hi.max(b)]}),
            (Some((lo, hi)), None) => json!({"domain": [lo, hi]}),
            (None, _) => json!({"zero": false}),
        }
    }

    /// Colour and shape of the points: by split for one target; by target
    /// (colour) and split (shape) for several. `labelled` leaves the
    /// unlabeled split out of the legends.
    fn point_encoding(laws: &[TargetLaw], labelled: bool) -> (Value, Value) {
        let splits = if labelled { &SPLITS[..2] } else { &SPLITS[..] };
        let domain: Vec<&str> = splits.iter().map(|s| s.0).collect();
        let colours: Vec<&str> = splits.iter().map(|s| s.1).collect();
        let shapes: Vec<&str> = splits.iter().map(|s| s.2).collect();
        let shape = json!({"field": "split", "type": "nominal", "title": "Split",
                           "scale": {"domain": domain, "range": shapes}});
        let color = match laws {
            [_] => json!({"field": "split", "type": "nominal", "title": "Split",
                          "scale": {"domain": domain, "range": colours}}),
            // Target names are often long benchmark keys: let the legend show them.
            _ => json!({"field": "target", "type": "nominal", "title": "Target",
                        "sort": laws.iter().map(|l| l.target.name()).collect::<Vec<_>>(),
                        "scale": {"scheme": "category10"},
                        "legend": {"labelLimit": 400}}),
        };
        (color, shape)
    }

    fn point_tooltip(&self, laws: &[TargetLaw], equivalent: bool) -> Vec<Value> {
        let mut tooltip = vec![tip("model", "nominal", "Model", None)];
        if self.families.is_some() {
            tooltip.push(tip("family", "nominal", "Family", None));
        }
        if laws.len() > 1 {
            tooltip.push(tip("target", "nominal", "Target", None));
        }
        tooltip.extend([
            tip("split", "nominal", "Split", None),
            tip("observed", "quantitative", "Observed", Some(".4f")),
            tip("predicted", "quantitative", "Predicted", Some(".4f")),
            tip("capability", "quantitative", "Capability", Some(".4f")),
        ]);
        if equivalent {
            tooltip.push(tip(
                "equivalent_log10_flops",
                "quantitative",
                "Equivalent log10 FLOPs",
                Some(".3f"),
            ));
        }
        tooltip
    }

    /// Each law's curve on a dense grid over the chart's whole x range.
    fn curves(&self, laws: &[TargetLaw], range: (f64, f64)) -> Vec<Value> {
        let (lo, hi) = range;
        let mut values = Vec::with_capacity(laws.len() * CURVE_POINTS);
        for law in laws {
            for g in 0..CURVE_POINTS {
                let x = lo + (hi - lo) * g as f64 / (CURVE_POINTS - 1) as f64;
                let capability = match law.fit.reference {
                    Some(reference) if self.equivalent_compute(laws) => {
                        reference.line.slope * x + reference.line.intercept
                    }
                    _ => x,
                };
                let y = self
                    .spec
                    .in_target_units(law.fit.law.at_capability(capability));
                values.push(json!({"target": law.target.name(), "x": number(x), "y": number(y)}));
            }
        }
        values
    }

    fn law(&self, laws: &[TargetLaw], points: &[Value], cut: Option<&str>) -> Value {
        let equivalent = self.equivalent_compute(laws);
        let cutoff = self.spec.log10_cutoff().filter(|_| equivalent);
        let xs = points.iter().filter_map(|p| p["x"].as_f64()).chain(cutoff);
        let (lo, hi) = extent(xs).unwrap_or((0.0, 1.0));
        let pad = if hi > lo { 0.02 * (hi - lo) } else { 0.5 };
        let curves = self.curves(laws, (lo - pad, hi + pad));
        let ys = points.iter().chain(&curves).filter_map(|p| p["y"].as_f64());
        let x = json!({"field": "x", "type": "quantitative", "title": self.x_title(equivalent),
                       "scale": {"zero": false, "nice": false}});
        let y = json!({"field": "y", "type": "quantitative", "title": Self::y_title(laws),
                       "scale": self.y_scale(ys)});
        let (color, shape) = Self::point_encoding(laws, false);
        let several = laws.len() > 1;
        // The legend picks a split (one target) or a target (several).
        let pick_field = if several { "target" } else { "split" };
        let picked =
            |on: f64| json!({"condition": {"param": "law_pick", "value": on}, "value": 0.12});
        let curve_color = if several {
            color.clone()
        } else {
            json!({"value": "#333333"})
        };
        let mut curve_encoding = json!({
            "x": x, "y": y, "color": curve_color, "detail": {"field": "target"},
            "tooltip": [tip("target", "nominal", "Law of", None),
                        tip("x", "quantitative", &self.x_title(equivalent), Some(".3f")),
                        tip("y", "quantitative", "Law", Some(".4f"))],
        });
        if several {
            curve_encoding["opacity"] = picked(1.0);
        }
        let mut layer = vec![
            json!({
                "data": {"values": curves},
                "mark": {"type": "line", "strokeWidth": 2},
                "encoding": curve_encoding,
            }),
            json!({
                "data": {"values": points},
                "params": [{"name": "law_pick",
                            "select": {"type": "point", "fields": [pick_field]},
                            "bind": "legend"}],
                "mark": {"type": "point", "filled": true, "size": 55},
                "encoding": {
                    "x": x, "y": y, "color": color, "shape": shape, "opacity": picked(0.85),
                    "tooltip": self.point_tooltip(laws, equivalent),
                },
            }),
        ];
        if let Some(cutoff) = cutoff {
            layer.push(json!({
                "data": {"values": [{"cutoff": number(cutoff), "label": "training cutoff"}]},
                "layer": [
                    {
                        "mark": {"type": "rule", "strokeDash": [6, 4], "color": "#555555"},
                        "encoding": {
                            "x": {"field": "cutoff", "type": "quantitative"},
                            "tooltip": [tip("cutoff", "quantitative", "Training cutoff (log10 FLOPs)", Some(".3f"))],
                        },
                    },
                    {
                        "mark": {"type": "text", "align": "left", "baseline": "top", "dx": 4,
                                 "dy": 4, "fontSize": 11, "color": "#555555"},
                        "encoding": {
                            "x": {"field": "cutoff", "type": "quantitative"},
                            "y": {"value": 0},
                            "text": {"field": "label"},
                        },
                    },
                ],
            }));
        }
        let title = match laws {
            [one] => format!("Scaling law of {}", one.target.name()),
            _ => format!("Scaling laws of {} targets", laws.len()),
        };
        let mut subtitle = vec![if equivalent {
            "Line: the fitted sigmoid; points: models, by split; dashed: the training cutoff"
                .to_owned()
        } else {
            "Line: the fitted sigmoid; points: models, by split (unlabeled ones at their prediction)"
                .to_owned()
        }];
        subtitle.extend(laws.iter().map(|l| metrics_line(l, several)));
        subtitle.extend(cut.map(str::to_owned));
        json!({
            "$schema": SCHEMA,
            "title": {"text": title, "subtitle": subtitle},
            "description": "The target against capability (or equivalent compute): the fitted sigmoid law and every model by split.",
            "width": 480,
            "height": 320,
            "layer": layer,
        })
    }

    fn predicted_vs_observed(
        &self,
        laws: &[TargetLaw],
        points: &[Value],
        cut: Option<&str>,
    ) -> Value {
        let labelled: Vec<Value> = points
            .iter()
            .filter(|p| !p["observed"].is_null())
            .cloned()
            .collect();
        let values = labelled
            .iter()
            .flat_map(|p| [p["observed"].as_f64(), p["predicted"].as_f64()])
            .flatten();
        let (lo, hi) = match (extent(values), self.spec.target_range) {
            (Some((a, b)), Some((lo, hi))) => (a.min(lo), b.max(hi)),
            (Some(range), None) => range,
            (None, Some(range)) => range,
            (None, None) => (0.0, 1.0),
        };
        // A margin, so that points on the bounds are not drawn over the axes.
        let pad = if hi > lo { 0.02 * (hi - lo) } else { 0.5 };
        let (lo, hi) = (lo - pad, hi + pad);
        let scale = json!({"domain": [lo, hi], "nice": false});
        let title = |what: &str| match laws {
            [one] => format!("{what} {}", one.target.name()),
            _ => what.to_owned(),
        };
        let x = json!({"field": "observed", "type": "quantitative", "title": title("Observed"),
                       "scale": scale});
        let y = json!({"field": "predicted", "type": "quantitative", "title": title("Predicted"),
                       "scale": scale});
        let (color, shape) = Self::point_encoding(laws, true);
        let equivalent = self.equivalent_compute(laws);
        let several = laws.len() > 1;
        let pick_field = if several { "target" } else { "split" };
        let mut subtitle = vec!["Dashed: predicted = observed".to_owned()];
        subtitle.extend(laws.iter().map(|l| metrics_line(l, several)));
        subtitle.extend(cut.map(str::to_owned));
        json!({
            "$schema": SCHEMA,
            "title": {"text": "Predicted against observed", "subtitle": subtitle},
            "description": "The law's prediction of every labelled model against its observed target, with the identity line.",
            "width": 340,
            "height": 340,
            "layer": [
                {
                    "data": {"values": [{"observed": number(lo), "predicted": number(lo)},
                                        {"observed": number(hi), "predicted": number(hi)}]},
                    "mark": {"type": "line", "strokeDash": [6, 4], "color": "#777777"},
                    "encoding": {"x": x, "y": y},
                },
                {
                    "data": {"values": labelled},
                    "params": [{"name": "fit_pick",
                                "select": {"type": "point", "fields": [pick_field]},
                                "bind": "legend"}],
                    "mark": {"type": "point", "filled": true, "size": 55},
                    "encoding": {
                        "x": x, "y": y, "color": color, "shape": shape,
                        "opacity": {"condition": {"param": "fit_pick", "value": 0.85}, "value": 0.12},
                        "tooltip": self.point_tooltip(laws, equivalent),
                    },
                },
            ],
        })
    }
}

/// "train MSE 0.0012, test MSE 0.0034 (44 / 21 models)", prefixed with the
/// target's name when there are several.
fn metrics_line(law: &TargetLaw, with_name: bool) -> String {
    let m = &law.fit.metrics;
    let test = match m.test_mse {
        Some(mse) => format!(", test MSE {}", short(mse, 3)),
        None => String::new(),
    };
    let line = format!(
        "train MSE {}{test} ({} train / {} test models)",
        short(m.train_mse, 3),
        m.n_train,
        m.n_test
    );
    if with_name {
        format!("{}: {line}", law.target.name())
    } else {
        line
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::matrix::ScoreRows;
    use crate::analysis::pca::impute::MissingPolicy;
    use crate::analysis::scaling::law::{LawParams, Split, fit_law};
    use crate::analysis::scaling::metadata::{Compute, LogCompute};
    use crate::analysis::{NComponents, ParamGuard, PcaValidParams};

    const N: usize = 14;

    /// Fourteen models on two benchmarks, their scores rising with compute
    /// (10, 20, ... 140), in families "a" (the first seven) and "b". Target
    /// "t" is a sigmoid of the first benchmark, unknown for the last model;
    /// "u" another, unknown for the first.
    struct Example {
        matrix: BenchmarkMatrix,
        families: Families,
        compute: LogCompute,
        targets: Vec<Target>,
    }

    fn example() -> Example {
        let wiggle = |i: usize| 0.01 * ((i * 7 % 5) as f64 - 2.0);
        let x: Vec<f64> = (0..N).map(|i| 0.1 + 0.06 * i as f64 + wiggle(i)).collect();
        let y: Vec<f64> = (0..N).map(|i| 0.2 + 0.04 * i as f64 - wiggle(i)).collect();
        let matrix = BenchmarkMatrix::new(
            (0..N).map(|i| format!("m{i}")).collect(),
            vec!["x".into(), "y".into()],
            ScoreRows {
                values: x.iter().zip(&y).flat_map(|(a, b)| [*a, *b]).collect(),
                row_lengths: vec![2; N],
            },
        )
        .unwrap();
        let families = Families::new(
            (0..N)
                .map(|i| Some(if i < 7 { "a" } else { "b" }.to_owned()))
                .collect(),
            &matrix,
        )
        .unwrap();
        let compute = LogCompute::new(
            Compute::Flops((1..=N).map(|i| Some(10.0 * i as f64)).collect()),
            &matrix,
        )
        .unwrap();
        let sigmoid = |u: f64| 1.0 / (1.0 + (-u).exp());
        let t = (0..N)
            .map(|i| (i + 1 < N).then(|| 0.25 + 0.7 * sigmoid(6.0 * (x[i] - 0.6)) + wiggle(i)))
            .collect();
        let u = (0..N)
            .map(|i| (i > 0).then(|| 0.3 + 0.6 * sigmoid(8.0 * (y[i] - 0.5)) - wiggle(i)))
            .collect();
        let targets = vec![
            Target::new("t".into(), t, &matrix).unwrap(),
            Target::new("u".into(), u, &matrix).unwrap(),
        ];
        Example {
            matrix,
            families,
            compute,
            targets,
        }
    }

    fn spec(reference: bool, target_range: Option<(f64, f64)>) -> LawSpec {
        LawParams::new(
            PcaValidParams::unchecked(NComponents::Count(1), false),
            MissingPolicy::Reject,
        )
        .split(Split::Flops { max_train: 80.0 })
        .target_range(target_range)
        .reference_family(reference.then(|| "a".to_owned()))
        .check()
        .unwrap()
    }

    fn charts(e: &Example, spec: &LawSpec, targets: usize) -> Value {
        let fits: Vec<LawFit> = e.targets[..targets]
            .iter()
            .map(|t| fit_law(&e.matrix, t, Some(&e.compute), Some(&e.families), spec).unwrap())
            .collect();
        let laws: Vec<TargetLaw> = e.targets[..targets]
            .iter()
            .zip(&fits)
            .map(|(target, fit)| TargetLaw { target, fit })
            .collect();
        LawCharts {
            matrix: &e.matrix,
            spec,
            families: Some(&e.families),
        }
        .specs(&laws)
    }

    fn values(layer: &Value) -> &Vec<Value> {
        layer["data"]["values"].as_array().unwrap()
    }

    /// The curve's y at `x`, linearly interpolated between grid points.
    fn curve_at(curve: &[&Value], x: f64) -> f64 {
        let at = |i: usize| {
            (
                curve[i]["x"].as_f64().unwrap(),
                curve[i]["y"].as_f64().unwrap(),
            )
        };
        let i = (1..curve.len()).find(|&i| at(i).0 >= x).unwrap();
        let ((x0, y0), (x1, y1)) = (at(i - 1), at(i));
        y0 + (y1 - y0) * (x - x0) / (x1 - x0)
    }

    #[test]
    fn on_equivalent_compute_the_curve_meets_every_prediction_and_the_cutoff_is_drawn() {
        let e = example();
        let spec = spec(true, None);
        let charts = charts(&e, &spec, 1);
        let law = &charts["law"];
        assert_eq!(law["$schema"], SCHEMA);
        let layer = law["layer"].as_array().unwrap();
        let (curve, points) = (values(&layer[0]), values(&layer[1]));
        assert_eq!(curve.len(), CURVE_POINTS);
        assert_eq!(points.len(), N);
        assert_eq!(layer[0]["mark"]["type"], "line");
        assert_eq!(layer[1]["mark"]["type"], "point");
        assert_eq!(layer[1]["encoding"]["x"]["field"], "x");
        assert_eq!(layer[1]["encoding"]["color"]["field"], "split");
        assert_eq!(layer[1]["encoding"]["shape"]["field"], "split");
        assert!(
            layer[1]["encoding"]["x"]["title"]
                .as_str()
                .unwrap()
                .starts_with("a-equivalent")
        );
        // Splits as the core made them: compute 10..80 trains, the last
        // model has no target.
        let split = |i: usize| points[i]["split"].as_str().unwrap();
        assert_eq!(split(0), "train");
        assert_eq!(split(7), "train");
        assert_eq!(split(8), "test");
        assert_eq!(split(N - 1), "unlabeled");
        assert_eq!(points[N - 1]["observed"], Value::Null);
        // The curve is the law mapped back to capability: at each model's
        // equivalent compute it gives the model's prediction, which the core
        // computed from the model's PC scores.
        let curve: Vec<&Value> = curve.iter().collect();
        for p in points {
            let x = p["equivalent_log10_flops"].as_f64().unwrap();
            assert_eq!(p["x"].as_f64(), Some(x));
            let predicted = p["predicted"].as_f64().unwrap();
            assert!(
                (curve_at(&curve, x) - predicted).abs() < 1e-3,
                "{}: {} vs {predicted}",
                p["model"],
                curve_at(&curve, x)
            );
        }
        // The cutoff: log10(80).
        let rule = &layer[2];
        assert_eq!(values(rule)[0]["cutoff"], json!(80f64.log10()));
        assert_eq!(rule["layer"][0]["mark"]["type"], "rule");
    }

    #[test]
    fn on_the_capability_axis_colour_alone_tells_the_splits_apart() {
        let e = example();
        let spec = spec(false, None);
        let charts = charts(&e, &spec, 1);
        let layer = charts["law"]["layer"].as_array().unwrap();
        assert_eq!(layer.len(), 2, "no cutoff on the capability axis");
        let points = values(&layer[1]);
        assert!(points.iter().all(|p| p["x"] == p["capability"]));
        assert!(points[0].get("equivalent_log10_flops").is_none());
        let curve: Vec<&Value> = values(&layer[0]).iter().collect();
        for p in points {
            let x = p["x"].as_f64().unwrap();
            assert!((curve_at(&curve, x) - p["predicted"].as_f64().unwrap()).abs() < 1e-3);
        }
        // Unlabeled models sit at their prediction.
        assert_eq!(points[N - 1]["y"], points[N - 1]["predicted"]);
    }

    #[test]
    fn several_targets_get_a_curve_and_a_colour_each() {
        let e = example();
        let spec = spec(true, Some((0.0, 1.0)));
        let charts = charts(&e, &spec, 2);
        let layer = charts["law"]["layer"].as_array().unwrap();
        let curve = values(&layer[0]);
        assert_eq!(curve.len(), 2 * CURVE_POINTS);
        assert_eq!(curve[CURVE_POINTS]["target"], "u");
        assert_eq!(values(&layer[1]).len(), 2 * N);
        assert_eq!(layer[0]["encoding"]["color"]["field"], "target");
        assert_eq!(layer[1]["encoding"]["color"]["field"], "target");
        assert_eq!(layer[1]["encoding"]["shape"]["field"], "split");
        // With target_range [0, 1], the y axis spans it.
        let domain = &layer[1]["encoding"]["y"]["scale"]["domain"];
        assert!(domain[0].as_f64().unwrap() <= 0.0 && domain[1].as_f64().unwrap() >= 1.0);

        let fit = &charts["predicted_vs_observed"];
        let layer = fit["layer"].as_array().unwrap();
        let identity = values(&layer[0]);
        assert_eq!(identity.len(), 2);
        for end in identity {
            assert_eq!(end["observed"], end["predicted"]);
        }
        // Labelled models only: each target lacks one.
        let points = values(&layer[1]);
        assert_eq!(points.len(), 2 * (N - 1));
        assert!(points.iter().all(|p| p["observed"].is_f64()));
        assert_eq!(layer[1]["encoding"]["x"]["field"], "observed");
        assert_eq!(layer[1]["encoding"]["y"]["field"], "predicted");
    }
}
