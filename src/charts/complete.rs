//! The charts of `/v1/complete`: the completed matrix as a heatmap (observed
//! and predicted cells told apart, models ordered by a capability axis), the
//! calibration of the cross-validated cells benchmark by benchmark, and the
//! probe curve. A large leaderboard is cut down to what a browser draws
//! (`HEATMAP_MODELS` x `HEATMAP_BENCHMARKS` cells, `CALIBRATION_BENCHMARKS`
//! points), and each chart says so in its subtitle.

use serde_json::{Value, json};

use super::{SCHEMA, number, short, tip};
use crate::analysis::BenchmarkMatrix;
use crate::analysis::complete::Completion;

/// The most models the heatmap draws.
pub const HEATMAP_MODELS: usize = 100;
/// The most benchmarks the heatmap draws.
pub const HEATMAP_BENCHMARKS: usize = 150;
/// The most benchmarks the calibration chart draws.
pub const CALIBRATION_BENCHMARKS: usize = 500;

/// `{"heatmap", "calibration"}`, and `"probes"` when the completion chose
/// probes.
pub fn complete(matrix: &BenchmarkMatrix, completion: &Completion) -> Value {
    let mut charts = json!({
        "heatmap": heatmap(matrix, completion),
        "calibration": calibration(matrix, completion),
    });
    if let Some(curve) = probes(matrix, completion) {
        charts["probes"] = curve;
    }
    charts
}

/// Each model's capability: the mean over its cells (observed and
/// predicted) of the cell's z-score within its benchmark (the benchmark's
/// mean and population spread over the same cells). NaN for a model
/// without any cell. Z-scores put percentages, fractions and Elo ratings on
/// one footing, and the predicted cells let a model that ran few
/// benchmarks be compared with one that ran many.
pub fn capability(filled: &ndarray::Array2<f64>) -> (Vec<f64>, Vec<(f64, f64)>) {
    let (n, p) = filled.dim();
    let moments: Vec<(f64, f64)> = (0..p)
        .map(|j| {
            let values: Vec<f64> = filled
                .column(j)
                .iter()
                .copied()
                .filter(|v| v.is_finite())
                .collect();
            if values.is_empty() {
                return (f64::NAN, f64::NAN);
            }
            let mean = values.iter().sum::<f64>() / values.len() as f64;
            let var =
                values.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / values.len() as f64;
            (mean, var.sqrt())
        })
        .collect();
    let z = |j: usize, v: f64| {
        let (mean, sd) = moments[j];
        if sd > 0.0 { (v - mean) / sd } else { 0.0 }
    };
    let capability = (0..n)
        .map(|i| {
            let (sum, count) = (0..p)
                .filter(|&j| filled[(i, j)].is_finite())
                .fold((0.0, 0usize), |(s, c), j| (s + z(j, filled[(i, j)]), c + 1));
            if count == 0 {
                f64::NAN
            } else {
                sum / count as f64
            }
        })
        .collect();
    (capability, moments)
}

/// The heatmap: models (rows) by capability, highest first; benchmarks
/// (columns) in request order; each cell coloured by its z-score within
/// its benchmark, predicted cells paler and outlined, cells without a
/// prediction left blank.
fn heatmap(matrix: &BenchmarkMatrix, completion: &Completion) -> Value {
    let (n, p) = (matrix.n_models(), matrix.n_benchmarks());
    let observed = matrix.scores();
    let filled = completion.filled(matrix);
    let (capability, moments) = capability(&filled);
    let row_obs: Vec<usize> = (0..n)
        .map(|i| observed.row(i).iter().filter(|v| v.is_finite()).count())
        .collect();
    let col_obs: Vec<usize> = (0..p)
        .map(|j| observed.column(j).iter().filter(|v| v.is_finite()).count())
        .collect();
    // Cut down: the most observed models and benchmarks (ties: the more
    // capable model, the earlier benchmark).
    let by_capability = |a: &usize, b: &usize| {
        let (ca, cb) = (capability[*a], capability[*b]);
        cb.total_cmp(&ca).then(a.cmp(b))
    };
    let mut models: Vec<usize> = (0..n).collect();
    if n > HEATMAP_MODELS {
        models.sort_by(|a, b| row_obs[*b].cmp(&row_obs[*a]).then(by_capability(a, b)));
        models.truncate(HEATMAP_MODELS);
    }
    // NaN (no score at all) last.
    models.sort_by(|a, b| {
        let (ca, cb) = (capability[*a], capability[*b]);
        ca.is_nan().cmp(&cb.is_nan()).then(by_capability(a, b))
    });
    let mut benchmarks: Vec<usize> = (0..p).collect();
    if p > HEATMAP_BENCHMARKS {
        benchmarks.sort_by(|a, b| col_obs[*b].cmp(&col_obs[*a]).then(a.cmp(b)));
        benchmarks.truncate(HEATMAP_BENCHMARKS);
        benchmarks.sort_unstable();
    }
    let mut interval = vec![None; n * p];
    for pr in &completion.predictions {
        interval[pr.row * p + pr.col] = Some((pr.lower, pr.upper));
    }
    let mut values = Vec::with_capacity(models.len() * benchmarks.len());
    for &i in &models {
        for &j in &benchmarks {
            let v = filled[(i, j)];
            if !v.is_finite() {
                continue;
            }
            let (mean, sd) = moments[j];
            let z = if sd > 0.0 { (v - mean) / sd } else { 0.0 };
            let mut cell = json!({
                "model": matrix.models()[i],
                "benchmark": matrix.benchmarks()[j],
                "score": number(v),
                "z": number(z),
                "capability": number(capability[i]),
            });
            match interval[i * p + j] {
                Some((lo, hi)) => {
                    cell["cell"] = json!("predicted");
                    cell["lower"] = number(lo);
                    cell["upper"] = number(hi);
                }
                None => cell["cell"] = json!("observed"),
            }
            values.push(cell);
        }
    }
    let model_order: Vec<&str> = models
        .iter()
        .map(|&i| matrix.models()[i].as_str())
        .collect();
    let benchmark_order: Vec<&str> = benchmarks
        .iter()
        .map(|&j| matrix.benchmarks()[j].as_str())
        .collect();
    let mut subtitle = vec![
        "Colour: the score's z within its benchmark; pale and outlined: predicted; blank: not predicted".to_owned(),
        "Models ordered by capability: the mean z of their observed and predicted scores".to_owned(),
    ];
    if models.len() < n || benchmarks.len() < p {
        subtitle.push(format!(
            "Showing the {} most observed of {n} models and the {} most observed of {p} benchmarks",
            models.len(),
            benchmarks.len()
        ));
    }
    let interval_title = format!(
        "{}% interval",
        short(100.0 * completion.method.interval.level, 3)
    );
    json!({
        "$schema": SCHEMA,
        "title": {"text": "The completed leaderboard", "subtitle": subtitle},
        "description": format!(
            "Heatmap of {} models by {} benchmarks: observed scores, and the predicted scores of the missing cells, each coloured by its z-score within its benchmark.",
            models.len(), benchmarks.len()
        ),
        "data": {"values": values},
        // An observed cell has no interval: one tooltip line says either,
        // where two numeric ones would print NaN for it.
        "transform": [{
            "calculate": "isValid(datum.lower) && isValid(datum.upper) \
                          ? format(datum.lower, '.4~g') + ' to ' + format(datum.upper, '.4~g') \
                          : 'none (observed)'",
            "as": "interval",
        }],
        "width": {"step": 9},
        "height": {"step": 9},
        "mark": {"type": "rect", "strokeWidth": 0.6},
        "encoding": {
            "x": {"field": "benchmark", "type": "nominal", "sort": benchmark_order,
                  "title": "Benchmark", "axis": {"labelAngle": -60, "labelLimit": 120}},
            "y": {"field": "model", "type": "nominal", "sort": model_order,
                  "title": "Model (most capable first)", "axis": {"labelLimit": 160}},
            "color": {"field": "z", "type": "quantitative", "title": "z within benchmark",
                      "scale": {"scheme": "viridis"}},
            // `sort` gives the two kinds an order, without which Vega-Lite
            // warns that opacity encodes an unsorted nominal field.
            "opacity": {"field": "cell", "type": "nominal", "sort": ["observed", "predicted"],
                        "scale": {"domain": ["observed", "predicted"], "range": [1.0, 0.45]},
                        "legend": {"title": "Cell"}},
            "stroke": {"condition": {"test": "datum.cell === 'predicted'", "value": "#444"},
                       "value": null},
            "tooltip": [
                tip("model", "nominal", "Model", None),
                tip("benchmark", "nominal", "Benchmark", None),
                tip("cell", "nominal", "Cell", None),
                tip("score", "quantitative", "Score", Some(".4~g")),
                tip("interval", "nominal", &interval_title, None),
                tip("capability", "quantitative", "Capability (mean z)", Some(".3f")),
            ],
        },
    })
}

/// The calibration of the cross-validated cells, binned by benchmark: each
/// benchmark's share of cells inside their interval against its number of
/// cells, beside the nominal level and the overall coverage.
fn calibration(matrix: &BenchmarkMatrix, completion: &Completion) -> Value {
    let cv = &completion.cross_validation;
    let level = completion.method.interval.level;
    let mut rows: Vec<usize> = (0..cv.per_benchmark.len()).collect();
    let total = rows.len();
    if total > CALIBRATION_BENCHMARKS {
        rows.sort_by(|&a, &b| {
            cv.per_benchmark[b]
                .summary
                .n
                .cmp(&cv.per_benchmark[a].summary.n)
                .then(a.cmp(&b))
        });
        rows.truncate(CALIBRATION_BENCHMARKS);
        rows.sort_unstable();
    }
    let values: Vec<Value> = rows
        .iter()
        .map(|&k| {
            let b = &cv.per_benchmark[k];
            let s = &b.summary;
            json!({
                "benchmark": matrix.benchmarks()[b.col],
                "n": s.n,
                "coverage": number(s.coverage),
                "median_abs_error": number(s.median_abs_error),
                "median_width": number(s.median_width),
            })
        })
        .collect();
    let mut subtitle = vec![
        format!(
            "Each point a benchmark: the share of its cross-validated cells inside their {}% interval",
            short(100.0 * level, 3)
        ),
        format!(
            "Solid: the level {}; dashed: all {} cells together, {}",
            short(level, 3),
            cv.overall.n,
            short(cv.overall.coverage, 3)
        ),
    ];
    if rows.len() < total {
        subtitle.push(format!(
            "Showing the {} of {total} benchmarks with the most cross-validated cells",
            rows.len()
        ));
    }
    json!({
        "$schema": SCHEMA,
        "title": {"text": "Calibration of the intervals", "subtitle": subtitle},
        "description": "Coverage of the prediction intervals on the cross-validated observed cells, per benchmark, against the number of cells, with the nominal level.",
        "width": 420,
        "height": 280,
        "layer": [
            {
                "data": {"values": values},
                "mark": {"type": "point", "filled": true, "opacity": 0.7},
                "encoding": {
                    "x": {"field": "n", "type": "quantitative", "scale": {"type": "log"},
                          "title": "Cross-validated cells of the benchmark"},
                    "y": {"field": "coverage", "type": "quantitative",
                          "scale": {"domain": [0, 1]}, "title": "Coverage"},
                    "tooltip": [
                        tip("benchmark", "nominal", "Benchmark", None),
                        tip("n", "quantitative", "Cells", None),
                        tip("coverage", "quantitative", "Coverage", Some(".3f")),
                        tip("median_abs_error", "quantitative", "Median |error|", Some(".4~g")),
                        tip("median_width", "quantitative", "Median width", Some(".4~g")),
                    ],
                },
            },
            {
                "data": {"values": [{"coverage": number(level), "what": "level"}]},
                "mark": {"type": "rule", "color": "#444"},
                "encoding": {"y": {"field": "coverage", "type": "quantitative"}},
            },
            {
                "data": {"values": [{"coverage": number(cv.overall.coverage), "what": "overall"}]},
                "mark": {"type": "rule", "color": "#e45756", "strokeDash": [5, 4]},
                "encoding": {"y": {"field": "coverage", "type": "quantitative"}},
            },
        ],
    })
}

/// The probe curve: the expected error of the other benchmarks after each
/// probe, in the order chosen.
fn probes(matrix: &BenchmarkMatrix, completion: &Completion) -> Option<Value> {
    let probes = completion.probes.as_ref()?;
    let values: Vec<Value> = probes
        .benchmarks
        .iter()
        .zip(&probes.expected_error)
        .enumerate()
        .map(|(k, (&col, &err))| {
            json!({
                "probe": k + 1,
                "benchmark": matrix.benchmarks()[col],
                "expected_error": number(err),
            })
        })
        .collect();
    Some(json!({
        "$schema": SCHEMA,
        "title": {
            "text": "Which benchmarks to run first",
            "subtitle": "The expected median absolute error (points) of the other benchmarks after each probe, in the order chosen",
        },
        "description": "Probe curve: the expected error of the predicted benchmarks after running the first k chosen benchmarks.",
        "width": 420,
        "height": 260,
        "data": {"values": values},
        "encoding": {
            "x": {"field": "probe", "type": "ordinal", "title": "Probes run"},
            "y": {"field": "expected_error", "type": "quantitative", "title": "Expected error (points)",
                  "scale": {"zero": false}},
        },
        "layer": [
            {"mark": {"type": "line", "point": true}},
            {"mark": {"type": "text", "dy": -10, "fontSize": 10},
             "encoding": {"text": {"field": "benchmark", "type": "nominal"}}},
        ],
    }))
}
