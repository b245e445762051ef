//! `charts` on the scaling endpoints: Vega-Lite specs at the top level of
//! the answer, the same from a JSON body and from a CSV body with
//! `charts=true`, absent unless asked. (That every spec compiles and renders
//! is checked by scripts/charts-test.sh with vega itself.)

use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app};

const N: usize = 10;

/// Ten models on three benchmarks rising with s = i / 10, in families a, b,
/// c (i mod 3) but the last, which has none; compute 10^(0.3 i); targets T
/// and U are sigmoids of s, unknown for model 4 and model 7 respectively.
struct Board {
    models: Vec<String>,
    families: Vec<Option<&'static str>>,
    flops: Vec<f64>,
    scores: Vec<[f64; 3]>,
    t: Vec<Option<f64>>,
    u: Vec<Option<f64>>,
}

fn board() -> Board {
    let wiggle = |i: usize| 0.02 * ((i * 7 % 5) as f64 - 2.0);
    let sigmoid = |x: f64| 1.0 / (1.0 + (-x).exp());
    let s = |i: usize| i as f64 / N as f64;
    Board {
        models: (0..N).map(|i| format!("m{i}")).collect(),
        families: (0..N)
            .map(|i| (i + 1 < N).then(|| ["a", "b", "c"][i % 3]))
            .collect(),
        flops: (0..N).map(|i| 10f64.powf(0.3 * i as f64)).collect(),
        scores: (0..N)
            .map(|i| {
                [
                    0.1 + 0.8 * s(i) + wiggle(i),
                    0.2 + 0.6 * s(i) - wiggle(i),
                    0.05 + 0.9 * s(i) * s(i) + 0.5 * wiggle(i),
                ]
            })
            .collect(),
        t: (0..N)
            .map(|i| (i != 4).then(|| 0.25 + 0.7 * sigmoid(8.0 * (s(i) - 0.5)) + wiggle(i) / 2.0))
            .collect(),
        u: (0..N)
            .map(|i| (i != 7).then(|| 0.3 + 0.6 * sigmoid(6.0 * (s(i) - 0.4)) - wiggle(i) / 2.0))
            .collect(),
    }
}

impl Board {
    fn json(&self) -> Value {
        json!({
            "models": self.models,
            "benchmarks": ["A", "B", "C"],
            "scores": self.scores,
            "families": self.families,
            "n_components": 1,
            "charts": true,
        })
    }

    fn csv(&self) -> Vec<u8> {
        let cell = |v: Option<f64>| v.map_or(String::new(), |v| v.to_string());
        let mut text = String::from("Model,Family,FLOPs,A,B,C,T,U\n");
        for i in 0..N {
            let [a, b, c] = self.scores[i];
            text += &format!(
                "{},{},{},{a},{b},{c},{},{}\n",
                self.models[i],
                self.families[i].unwrap_or(""),
                self.flops[i],
                cell(self.t[i]),
                cell(self.u[i]),
            );
        }
        text.into_bytes()
    }
}

pub async fn post_csv(app: &TestApp, path: &str, query: &str, csv: Vec<u8>) -> Value {
    let (status, _, body) = app
        .post_raw(&format!("{path}?{query}"), Some("text/csv"), csv)
        .await;
    assert_eq!(status, 200, "{path}?{query}: {body}");
    body
}

pub async fn post_json(app: &TestApp, path: &str, body: &Value) -> Value {
    let (status, _, answer) = app.post_json(path, body).await;
    assert_eq!(status, 200, "{path}: {answer}");
    answer
}

fn values(layer: &Value) -> &Vec<Value> {
    layer["data"]["values"].as_array().expect("inline data")
}

fn is_vega_lite(spec: &Value) -> bool {
    spec["$schema"]
        .as_str()
        .is_some_and(|s| s.contains("vega-lite/v5"))
}

#[tokio::test]
async fn compute_fit_charts_every_model_with_a_family_and_each_fitted_line() {
    let app = spawn_app().await;
    let b = board();
    let mut request = b.json();
    request["flops"] = json!(b.flops);
    let answer = post_json(&app, "/v1/scaling/compute-fit", &request).await;
    let query =
        "family_column=Family&flops_column=FLOPs&benchmarks=A,B,C&n_components=1&charts=true";
    let from_csv = post_csv(&app, "/v1/scaling/compute-fit", query, b.csv()).await;
    assert_eq!(from_csv, answer);

    let spec = &answer["charts"]["pc_vs_compute"];
    assert!(is_vega_lite(spec));
    let records = values(spec);
    let points: Vec<&Value> = records.iter().filter(|r| r["kind"] == "model").collect();
    // Nine models have a family (one component each); m9 has none.
    assert_eq!(points.len(), N - 1);
    assert!(points.iter().all(|p| p["model"] != "m9"));
    let fitted = answer["families"].as_array().unwrap();
    assert_eq!(fitted.len(), 3);
    let lines = records.iter().filter(|r| r["kind"] == "fit").count();
    assert_eq!(lines, 2 * fitted.len());
    // The tooltip's R² is the fit's.
    let a = points.iter().find(|p| p["model"] == "m0").unwrap();
    assert_eq!(a["r2"], fitted[0]["fits"][0]["r2"]);

    request.as_object_mut().unwrap().remove("charts");
    let plain = post_json(&app, "/v1/scaling/compute-fit", &request).await;
    assert!(plain.get("charts").is_none());
}

#[tokio::test]
async fn law_charts_one_curve_per_target_at_the_top_level() {
    let app = spawn_app().await;
    let b = board();
    let mut request = b.json();
    request["flops"] = json!(b.flops);
    request["split"] = json!({"by": "flops", "max_train_flops": 40.0});
    request["reference_family"] = json!("a");
    request["target"] = json!({"name": "T", "values": b.t});
    let one = post_json(&app, "/v1/scaling/law", &request).await;
    let query = "family_column=Family&flops_column=FLOPs&benchmarks=A,B,C&n_components=1\
                 &max_train_flops=40&reference_family=a&charts=true";
    let from_csv = post_csv(
        &app,
        "/v1/scaling/law",
        &format!("{query}&target_columns=T"),
        b.csv(),
    )
    .await;
    assert_eq!(from_csv, one);

    let law = &one["charts"]["law"];
    assert!(is_vega_lite(law));
    let layer = law["layer"].as_array().unwrap();
    let points = values(&layer[1]);
    let predictions = one["predictions"].as_array().unwrap();
    assert_eq!(points.len(), predictions.len());
    for (point, prediction) in points.iter().zip(predictions) {
        assert_eq!(point["model"], prediction["model"]);
        assert_eq!(point["split"], prediction["split"]);
        assert_eq!(point["x"], prediction["equivalent_log10_flops"]);
    }
    // The cutoff, on the equivalent-compute axis.
    assert_eq!(values(&layer[2])[0]["cutoff"], json!(40f64.log10()));
    let fit = &one["charts"]["predicted_vs_observed"];
    let labelled = predictions
        .iter()
        .filter(|p| !p["observed"].is_null())
        .count();
    assert_eq!(values(&fit["layer"][1]).len(), labelled);

    // Two targets: the charts sit beside `results`, one curve each.
    let mut several = request.clone();
    several.as_object_mut().unwrap().remove("target");
    several["targets"] = json!([{"name": "T", "values": b.t}, {"name": "U", "values": b.u}]);
    let both = post_json(&app, "/v1/scaling/law", &several).await;
    let from_csv = post_csv(
        &app,
        "/v1/scaling/law",
        &format!("{query}&target_columns=T,U"),
        b.csv(),
    )
    .await;
    assert_eq!(from_csv, both);
    let results = both["results"].as_array().unwrap();
    assert!(results.iter().all(|r| r.get("charts").is_none()));
    let layer = both["charts"]["law"]["layer"].as_array().unwrap();
    let curve = values(&layer[0]);
    let per_target = |name: &str| curve.iter().filter(|c| c["target"] == name).count();
    assert!(per_target("T") > 0);
    assert_eq!(per_target("T"), per_target("U"));
    assert_eq!(per_target("T") + per_target("U"), curve.len());
    assert_eq!(values(&layer[1]).len(), 2 * N);
    assert_eq!(layer[1]["encoding"]["color"]["field"], "target");

    // Without asking, no charts anywhere.
    several.as_object_mut().unwrap().remove("charts");
    let plain = post_json(&app, "/v1/scaling/law", &several).await;
    assert!(plain.get("charts").is_none());
}

#[tokio::test]
async fn select_families_charts_the_best_designs_beside_the_baseline() {
    let app = spawn_app().await;
    let b = board();
    let mut request = b.json();
    request["max_models"] = json!([4, 7]);
    request["top"] = json!(2);
    request["baseline_samples"] = json!(50);
    let answer = post_json(&app, "/v1/scaling/select-families", &request).await;
    let query = "family_column=Family&benchmarks=A,B,C&n_components=1&max_models=4,7&top=2\
                 &baseline_samples=50&charts=true";
    let from_csv = post_csv(&app, "/v1/scaling/select-families", query, b.csv()).await;
    assert_eq!(from_csv, answer);

    let spec = &answer["charts"]["designs"];
    assert!(is_vega_lite(spec));
    let bars = values(&spec["layer"][0]);
    let budgets = answer["budgets"].as_array().unwrap();
    let expected: usize = budgets
        .iter()
        .map(|b| b["best"].as_array().unwrap().len() + 2)
        .sum();
    assert_eq!(bars.len(), expected);
    let best = &budgets[1]["best"][0];
    let bar = bars
        .iter()
        .find(|b| b["max_models"] == 7 && b["rank"] == 1)
        .unwrap();
    assert_eq!(bar["criterion"], best["criterion"]);
    let families: Vec<&str> = best["families"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap())
        .collect();
    assert_eq!(bar["families"], families.join(", "));
    let mean = bars
        .iter()
        .find(|b| b["max_models"] == 7 && b["series"] == "random (mean)")
        .unwrap();
    assert_eq!(
        mean["criterion"],
        budgets[1]["random_baseline"]["mean_criterion"]
    );
}
