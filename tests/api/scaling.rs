//! The scaling endpoints on the paper's data.
//!
//! Expected numbers: the figures for compute fits (mean R^2 of PC1
//! 0.966 over 14 families; Llama-2 slope 0.520, R^2 1.000, checked
//! independently with numpy on the paper-recipe projections of
//! tests/fixtures/reference/paper_set_77.json), and
//! tests/fixtures/reference/scaling_law_word_unscrambling.json (scipy 1.17.1
//! `curve_fit` + scikit-learn 1.9.1 on the paper's recipe) for the law.

use std::collections::HashMap;

use serde_json::{Value, json};

use crate::helpers::{floats, spawn_app};

/// The paper's eight benchmarks (of tests/fixtures/data/paper_set_77.csv).
pub const BENCHMARKS: [&str; 8] = [
    "MMLU",
    "ARC-C",
    "HellaSwag",
    "Winograd",
    "TruthfulQA",
    "GSM8K",
    "XWinograd",
    "HumanEval",
];

pub(crate) fn fixture(path: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/tests/fixtures/{path}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

/// Rows of a CSV file as maps from header to cell.
pub(crate) fn csv_rows(path: &str) -> Vec<HashMap<String, String>> {
    let bytes = fixture(path);
    let mut reader = csv::Reader::from_reader(bytes.as_slice());
    let header = reader.headers().unwrap().clone();
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            header
                .iter()
                .zip(r.iter())
                .map(|(h, v)| (h.to_owned(), v.to_owned()))
                .collect()
        })
        .collect()
}

pub(crate) fn number(cell: &str) -> Value {
    cell.parse::<f64>().map_or(Value::Null, |v| json!(v))
}

/// The paper set as a request body, with families and FLOPs (1e21).
fn paper_request(rows: &[HashMap<String, String>]) -> Value {
    json!({
        "models": rows.iter().map(|r| r["Model"].clone()).collect::<Vec<_>>(),
        "benchmarks": BENCHMARKS,
        "scores": rows.iter().map(|r| BENCHMARKS.iter().map(|b| number(&r[*b])).collect::<Vec<_>>()).collect::<Vec<_>>(),
        "families": rows.iter().map(|r| r["Model Family"].clone()).collect::<Vec<_>>(),
        "flops": rows.iter().map(|r| number(&r["FLOPs (1E21)"])).collect::<Vec<_>>(),
        "missing": "iterative_pca",
        "imputation": {"rank": 1, "bounds": [0, 1]},
    })
}

#[tokio::test]
async fn compute_fit_reproduces_the_papers_family_slopes() {
    let app = spawn_app().await;
    let request = paper_request(&csv_rows("data/paper_set_77.csv"));
    let (status, _, body) = app.post_json("/v1/scaling/compute-fit", &request).await;
    assert_eq!(status, 200, "{body}");
    let families = body["families"].as_array().unwrap();
    assert_eq!(families.len(), 14);
    let mean_r2 = body["mean_r2"][0].as_f64().unwrap();
    assert!((mean_r2 - 0.966).abs() < 5e-4, "mean R^2 of PC1 {mean_r2}");
    let llama2 = families.iter().find(|f| f["family"] == "Llama-2").unwrap();
    assert_eq!(llama2["n_models"], 3);
    let pc1 = &llama2["fits"][0];
    assert_eq!(pc1["component"], 1);
    assert!(
        (pc1["slope"].as_f64().unwrap() - 0.520).abs() < 5e-4,
        "{pc1}"
    );
    assert!((pc1["r2"].as_f64().unwrap() - 1.0).abs() < 5e-4, "{pc1}");
    assert_eq!(body["pca"]["n_components"], 3);
    assert_eq!(floats(&body["mean_r2"]).len(), 3);
    // Every fit's line is the OLS line of its models' scores.
    let pca_models: Vec<&str> = body["pca"]["models"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m.as_str().unwrap())
        .collect();
    assert!(
        llama2["models"]
            .as_array()
            .unwrap()
            .iter()
            .all(|m| pca_models.contains(&m.as_str().unwrap()))
    );
}

#[tokio::test]
async fn compute_from_params_and_tokens_is_six_n_d() {
    let app = spawn_app().await;
    let rows = csv_rows("data/paper_set_77.csv");
    let mut by_flops = paper_request(&rows);
    let mut by_nd = by_flops.clone();
    by_nd.as_object_mut().unwrap().remove("flops");
    by_nd["params"] = json!(
        rows.iter()
            .map(|r| number(&r["Model Size (B)"]))
            .collect::<Vec<_>>()
    );
    by_nd["tokens"] = json!(
        rows.iter()
            .map(|r| number(&r["Pretraining Data Size (T)"]))
            .collect::<Vec<_>>()
    );
    by_flops["n_components"] = json!(1);
    by_nd["n_components"] = json!(1);
    let (_, _, a) = app.post_json("/v1/scaling/compute-fit", &by_flops).await;
    let (status, _, b) = app.post_json("/v1/scaling/compute-fit", &by_nd).await;
    assert_eq!(status, 200, "{b}");
    assert_eq!(
        a["families"].as_array().unwrap().len(),
        b["families"].as_array().unwrap().len()
    );
    let slope = |v: &Value| v["families"][0]["fits"][0]["slope"].as_f64().unwrap();
    assert!((slope(&a) - slope(&b)).abs() < 1e-9);
}

/// The reference's rows: paper set models that have the target, in the paper set's order.
pub(crate) fn law_request() -> (Value, Value) {
    let reference: Value =
        serde_json::from_slice(&fixture("reference/scaling_law_word_unscrambling.json")).unwrap();
    let target_name = reference["target"].as_str().unwrap().to_owned();
    let targets: HashMap<String, String> =
        csv_rows("data/base_llm_emergent_capability_eval_c10551f.csv")
            .into_iter()
            .filter(|r| !r[&target_name].is_empty())
            .map(|r| (r["Model"].clone(), r[&target_name].clone()))
            .collect();
    let rows: Vec<_> = csv_rows("data/paper_set_77.csv")
        .into_iter()
        .filter(|r| targets.contains_key(&r["Model"]))
        .collect();
    let mut request = paper_request(&rows);
    request["target"] = json!({
        "name": target_name,
        "values": rows.iter().map(|r| number(&targets[&r["Model"]])).collect::<Vec<_>>(),
    });
    request["split"] = json!({"by": "flops", "max_train_flops": reference["cutoff_flops_1e21"]});
    request["n_components"] = json!(3);
    (request, reference)
}

#[tokio::test]
async fn law_reproduces_the_scipy_reference_on_word_unscrambling() {
    let app = spawn_app().await;
    let (request, reference) = law_request();
    let (status, _, body) = app.post_json("/v1/scaling/law", &request).await;
    assert_eq!(status, 200, "{body}");
    let metrics = &body["metrics"];
    assert_eq!(metrics["n_train"], reference["n_train"]);
    assert_eq!(metrics["n_test"], reference["n_test"]);
    let test_mse = metrics["test_mse"].as_f64().unwrap();
    let ref_mse = reference["test_mse"].as_f64().unwrap();
    assert!(
        (test_mse - ref_mse).abs() <= 0.25 * ref_mse,
        "test MSE {test_mse} vs reference {ref_mse}"
    );
    let mut worst: f64 = 0.0;
    for p in body["predictions"].as_array().unwrap() {
        let expected = &reference["predictions"][p["model"].as_str().unwrap()];
        assert_eq!(p["split"], expected["split"], "{}", p["model"]);
        assert_eq!(p["observed"], expected["observed"]);
        let diff =
            (p["predicted"].as_f64().unwrap() - expected["predicted"].as_f64().unwrap()).abs();
        if p["split"] == "test" {
            assert!(diff <= 0.03, "{}: prediction off by {diff}", p["model"]);
        }
        worst = worst.max(diff);
    }
    eprintln!(
        "law: test MSE {test_mse:.6} (reference {ref_mse:.6}), floor {} (reference {}), worst prediction difference {worst:.2e}",
        body["law"]["floor"], reference["floor"]
    );
    let floor = body["law"]["floor"].as_f64().unwrap();
    assert!((0.0..=0.2).contains(&floor));
    assert_eq!(body["law"]["converged"], true);
    // The test models' missing cells were imputed with the training fit held fixed.
    assert_eq!(body["pca"]["models"].as_array().unwrap().len(), 44);
}

#[tokio::test]
async fn law_with_reference_family_reports_equivalent_compute() {
    let app = spawn_app().await;
    let (mut request, _) = law_request();
    request["reference_family"] = json!("Llama-2");
    let (status, _, body) = app.post_json("/v1/scaling/law", &request).await;
    assert_eq!(status, 200, "{body}");
    let line = &body["reference"];
    assert_eq!(line["family"], "Llama-2");
    let slope = line["slope"].as_f64().unwrap();
    let intercept = line["intercept"].as_f64().unwrap();
    for p in body["predictions"].as_array().unwrap() {
        let eq = p["equivalent_log10_flops"].as_f64().unwrap();
        let cap = p["capability"].as_f64().unwrap();
        assert!((slope * eq + intercept - cap).abs() < 1e-9);
    }
    // Llama-2-7B's equivalent compute is close to its own (84e21 FLOPs): it is on the line.
    let llama7 = body["predictions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["model"] == "meta-llama/Llama-2-7b-hf")
        .unwrap();
    let eq = llama7["equivalent_log10_flops"].as_f64().unwrap();
    assert!((eq - 84f64.log10()).abs() < 0.3, "{eq}");
}

#[tokio::test]
async fn law_split_by_target_rank_and_huber_loss() {
    let app = spawn_app().await;
    let (mut request, _) = law_request();
    request["split"] = json!({"by": "target_rank", "test_fraction": 0.2});
    request["loss"] = json!("huber");
    let (status, _, body) = app.post_json("/v1/scaling/law", &request).await;
    assert_eq!(status, 200, "{body}");
    // ceil(0.2 * 65) = 13 held out: the 13 best models on the target.
    assert_eq!(body["metrics"]["n_test"], 13);
    let predictions = body["predictions"].as_array().unwrap();
    let min_test = predictions
        .iter()
        .filter(|p| p["split"] == "test")
        .map(|p| p["observed"].as_f64().unwrap())
        .fold(f64::INFINITY, f64::min);
    let max_train = predictions
        .iter()
        .filter(|p| p["split"] == "train")
        .map(|p| p["observed"].as_f64().unwrap())
        .fold(f64::NEG_INFINITY, f64::max);
    assert!(min_test >= max_train);
    assert_eq!(body["law"]["loss"], "huber");
}

/// The law's weights, intercept and floor, and its predictions.
fn law_numbers(body: &Value) -> (Vec<f64>, Vec<f64>) {
    let law = &body["law"];
    let mut parameters = floats(&law["weights"]);
    parameters.push(law["intercept"].as_f64().unwrap());
    parameters.push(law["floor"].as_f64().unwrap());
    let predictions = body["predictions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["predicted"].as_f64().unwrap())
        .collect();
    (parameters, predictions)
}

fn assert_close(a: &[f64], b: &[f64], tolerance: f64, what: &str) {
    assert_eq!(a.len(), b.len(), "{what}");
    for (x, y) in a.iter().zip(b) {
        assert!(
            (x - y).abs() <= tolerance * y.abs().max(1.0),
            "{what}: {x} vs {y}"
        );
    }
}

#[tokio::test]
async fn the_law_fits_whatever_the_units_and_only_moved_fits_converge() {
    // The same law whatever the units of the target (stated by
    // target_range), of the scores, or of Huber's delta: every criterion of
    // the fit is relative. A tiny delta is Huber's least-absolute-deviations
    // limit, where 1e-100 and 1e-300 must give one law that has moved from
    // the start (w = 0.03, c = 0, b = 0) and converged.
    let app = spawn_app().await;
    let (base, _) = law_request();
    let post = |request: Value| {
        let app = &app;
        async move {
            let (status, _, body) = app.post_json("/v1/scaling/law", &request).await;
            assert_eq!(status, 200, "{body}");
            assert_eq!(body["law"]["converged"], true, "{}", body["law"]);
            body
        }
    };
    let plain = post(base.clone()).await;
    let (parameters, predictions) = law_numbers(&plain);

    let mut scaled = base.clone();
    for v in scaled["target"]["values"].as_array_mut().unwrap() {
        if let Some(x) = v.as_f64() {
            *v = json!(x * 1e300);
        }
    }
    scaled["target_range"] = json!([0, 1e300]);
    let (p, y) = law_numbers(&post(scaled).await);
    assert_close(&p, &parameters, 1e-6, "target x 1e300");
    let unscaled: Vec<f64> = y.iter().map(|v| v / 1e300).collect();
    assert_close(&unscaled, &predictions, 1e-6, "target x 1e300: predictions");

    let mut tiny_scores = base.clone();
    for row in tiny_scores["scores"].as_array_mut().unwrap() {
        for v in row.as_array_mut().unwrap() {
            if let Some(x) = v.as_f64() {
                *v = json!(x * 1e-300);
            }
        }
    }
    let (_, y) = law_numbers(&post(tiny_scores).await);
    assert_close(&y, &predictions, 1e-6, "scores x 1e-300: predictions");

    let huber = |delta: f64| {
        let mut request = base.clone();
        request["loss"] = json!("huber");
        request["huber_delta"] = json!(delta);
        request
    };
    let l1 = post(huber(1e-100)).await;
    let tiniest = post(huber(1e-300)).await;
    let (p, y) = law_numbers(&tiniest);
    let (p_l1, y_l1) = law_numbers(&l1);
    assert_close(&p, &p_l1, 1e-6, "huber 1e-300 against 1e-100");
    assert_close(&y, &y_l1, 1e-6, "huber 1e-300 against 1e-100: predictions");
    let k = p.len() - 2;
    assert!(
        p[..k].iter().all(|w| (w - 0.03).abs() > 1e-3) && p[k] != 0.0,
        "the fit left its start: {p:?}"
    );
    assert!(tiniest["law"]["iterations"].as_u64().unwrap() > 1);
    // The limit differs from least squares, as an L1 fit does.
    assert!(parameters.iter().zip(&p).any(|(a, b)| (a - b).abs() > 1e-3));
}

#[tokio::test]
async fn scaling_errors_are_coded() {
    let app = spawn_app().await;
    let (base, _) = law_request();
    type Edit = Box<dyn Fn(&mut Value)>;
    let cases: Vec<(&str, Edit, &str)> = vec![
        (
            "no compute for a flops split",
            Box::new(|r: &mut Value| {
                r.as_object_mut().unwrap().remove("flops");
            }),
            "invalid_split",
        ),
        (
            "flops and params",
            Box::new(|r: &mut Value| {
                r["params"] = r["flops"].clone();
            }),
            "invalid_compute",
        ),
        (
            "negative flops",
            Box::new(|r: &mut Value| {
                r["flops"][0] = json!(-1);
            }),
            "invalid_compute",
        ),
        (
            "target too short",
            Box::new(|r: &mut Value| {
                r["target"]["values"].as_array_mut().unwrap().pop();
            }),
            "shape_mismatch",
        ),
        (
            "families too short",
            Box::new(|r: &mut Value| {
                r["families"].as_array_mut().unwrap().pop();
            }),
            "shape_mismatch",
        ),
        (
            "cutoff leaves too few",
            Box::new(|r: &mut Value| {
                r["split"]["max_train_flops"] = json!(0.05);
            }),
            "too_few_training_models",
        ),
        (
            "unknown reference family",
            Box::new(|r: &mut Value| {
                r["reference_family"] = json!("GPT-5");
            }),
            "invalid_reference_family",
        ),
        (
            "floor_max too big",
            Box::new(|r: &mut Value| {
                r["floor_max"] = json!(1.5);
            }),
            "invalid_law",
        ),
        (
            "target range reversed",
            Box::new(|r: &mut Value| {
                r["target_range"] = json!([1, 0]);
            }),
            "invalid_target",
        ),
        (
            "unknown split",
            Box::new(|r: &mut Value| {
                r["split"] = json!({"by": "size"});
            }),
            "invalid_request",
        ),
        (
            "unknown field",
            Box::new(|r: &mut Value| {
                r["target_column"] = json!("x");
            }),
            "unknown_field",
        ),
    ];
    for (name, edit, code) in cases {
        let mut request = base.clone();
        edit(&mut request);
        let (status, content_type, body) = app.post_json("/v1/scaling/law", &request).await;
        assert_eq!(status, 422, "{name}: {body}");
        assert_eq!(content_type, "application/problem+json");
        assert_eq!(body["code"], code, "{name}: {body}");
    }
    let (status, _, body) = app
        .post_raw(
            "/v1/scaling/compute-fit",
            Some("text/plain"),
            b"Model,MMLU\na,0.1\n".to_vec(),
        )
        .await;
    assert_eq!(status, 415, "{body}");
}

#[tokio::test]
async fn select_families_finds_v_optimal_designs_within_budget() {
    let app = spawn_app().await;
    let rows: Vec<_> = csv_rows("data/paper_set_77.csv");
    // Twelve families: 4096 subsets.
    let mut keep: Vec<String> = Vec::new();
    for r in &rows {
        if !keep.contains(&r["Model Family"]) && keep.len() < 12 {
            keep.push(r["Model Family"].clone());
        }
    }
    let rows: Vec<_> = rows
        .into_iter()
        .filter(|r| keep.contains(&r["Model Family"]))
        .collect();
    let n = rows.len();
    let mut request = paper_request(&rows);
    request.as_object_mut().unwrap().remove("flops");
    request["max_models"] = json!([15, 25, n]);
    request["required_families"] = json!(["Llama-2"]);
    request["top"] = json!(3);
    let (status, _, body) = app.post_json("/v1/scaling/select-families", &request).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["n_components"], 3);
    let budgets = body["budgets"].as_array().unwrap();
    assert_eq!(budgets.len(), 3);
    for budget in budgets {
        let cap = budget["max_models"].as_u64().unwrap();
        let best = budget["best"].as_array().unwrap();
        assert!(!best.is_empty() && best.len() <= 3);
        let mut previous = 0.0;
        for design in best {
            assert!(design["n_models"].as_u64().unwrap() <= cap);
            assert!(
                design["families"]
                    .as_array()
                    .unwrap()
                    .contains(&json!("Llama-2"))
            );
            // The models named are exactly those of the design's families.
            let families = design["families"].as_array().unwrap();
            let models: Vec<&str> = design["models"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| m.as_str().unwrap())
                .collect();
            let expected: Vec<&str> = families
                .iter()
                .flat_map(|f| {
                    rows.iter()
                        .filter(move |r| json!(r["Model Family"]) == *f)
                        .map(|r| r["Model"].as_str())
                })
                .collect();
            assert_eq!(models, expected, "{design}");
            assert_eq!(design["n_models"].as_u64().unwrap() as usize, models.len());
            let c = design["criterion"].as_f64().unwrap();
            // trace(A M^-1) >= k, since A = M + (the rest), and best comes first.
            assert!(c >= 3.0 - 1e-9 && c >= previous);
            previous = c;
        }
        let baseline = budget["random_baseline"]["mean_criterion"]
            .as_f64()
            .unwrap();
        assert!(
            best[0]["criterion"].as_f64().unwrap() <= baseline + 1e-9,
            "{budget}"
        );
    }
    // With every model allowed, evaluating everything is optimal: criterion k.
    let all = &budgets[2]["best"][0];
    assert_eq!(all["n_models"].as_u64().unwrap() as usize, n);
    assert!((all["criterion"].as_f64().unwrap() - 3.0).abs() < 1e-9);
    // Same seed, same baseline.
    let (_, _, again) = app.post_json("/v1/scaling/select-families", &request).await;
    assert_eq!(body["budgets"], again["budgets"]);
}

#[tokio::test]
async fn select_families_refuses_searches_past_its_limit() {
    let app = spawn_app().await;
    let mut request = paper_request(&csv_rows("data/paper_set_77.csv"));
    request.as_object_mut().unwrap().remove("flops");
    request["max_models"] = json!(20);
    // 21 families, none required: 2^21 subsets, over the limit.
    let (status, _, body) = app.post_json("/v1/scaling/select-families", &request).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (422, Some("too_many_families")),
        "{body}"
    );
    for (edit, code) in [
        (json!({"max_models": 0}), "invalid_design"),
        (
            json!({"max_models": 20, "required_families": ["GPT-5"]}),
            "invalid_design",
        ),
        (json!({"max_models": 20, "top": 0}), "invalid_design"),
    ] {
        let mut bad = request.clone();
        for (k, v) in edit.as_object().unwrap() {
            bad[k] = v.clone();
        }
        let (status, _, body) = app.post_json("/v1/scaling/select-families", &bad).await;
        assert_eq!((status, body["code"].as_str()), (422, Some(code)), "{body}");
    }
}

#[tokio::test]
async fn query_parameters_are_checked_whatever_the_body() {
    let app = spawn_app().await;
    let (law, _) = law_request();
    let mut rows = csv_rows("data/paper_set_77.csv");
    rows.truncate(20);
    let fit = paper_request(&rows);
    let mut select = fit.clone();
    select["max_models"] = json!(10);
    // Each query breaks a rule the spec states for it; the JSON body is fine.
    for (path, body, query, needle) in [
        ("/v1/scaling/law", &law, "test_fraction=0", "test_fraction"),
        ("/v1/scaling/law", &law, "floor_max=1", "floor_max"),
        ("/v1/scaling/law", &law, "huber_delta=-1", "huber_delta"),
        (
            "/v1/scaling/law",
            &law,
            "max_train_flops=0",
            "max_train_flops",
        ),
        (
            "/v1/scaling/law",
            &law,
            "tokens_column=",
            "tokens_column must not be empty",
        ),
        (
            "/v1/scaling/law",
            &law,
            "max_train_flops=1&test_fraction=0.5",
            "not both",
        ),
        (
            "/v1/scaling/compute-fit",
            &fit,
            "min_family_size=1",
            "min_family_size",
        ),
        ("/v1/scaling/select-families", &select, "top=0", "top"),
        ("/v1/scaling/select-families", &select, "seed=-1", "seed"),
    ] {
        let (status, _, problem) = app
            .post_raw(
                &format!("{path}?{query}"),
                Some("application/json"),
                serde_json::to_vec(body).unwrap(),
            )
            .await;
        assert_eq!(
            (status, problem["code"].as_str()),
            (422, Some("invalid_query")),
            "{path}?{query}: {problem}"
        );
        assert!(
            problem["detail"].as_str().unwrap().contains(needle),
            "{path}?{query}: {problem}"
        );
    }
}

/// Six models on three benchmarks, the target known for the first
/// `labelled` of them.
fn small_law(labelled: usize) -> Value {
    let target = [0.2, 0.35, 0.6, 0.7, 0.8, 0.9];
    json!({
        "models": ["m1", "m2", "m3", "m4", "m5", "m6"],
        "benchmarks": ["MMLU", "ARC", "GSM"],
        "scores": [[0.1, 0.2, 0.3], [0.2, 0.3, 0.5], [0.4, 0.1, 0.6],
                   [0.5, 0.6, 0.2], [0.7, 0.3, 0.4], [0.3, 0.8, 0.9]],
        "n_components": 1,
        "target": {
            "name": "T",
            "values": (0..6).map(|i| (i < labelled).then_some(target[i])).collect::<Vec<_>>(),
        },
    })
}

#[tokio::test]
async fn a_law_without_degrees_of_freedom_says_so() {
    let app = spawn_app().await;
    let warnings = |answer: &Value| -> Vec<String> {
        answer["warnings"]
            .as_array()
            .map(|w| {
                w.iter()
                    .map(|w| w["code"].as_str().unwrap().to_owned())
                    .collect()
            })
            .unwrap_or_default()
    };
    // One weight, the intercept and the floor: three parameters, three
    // training models.
    let (status, _, answer) = app.post_json("/v1/scaling/law", &small_law(3)).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(warnings(&answer), ["no_degrees_of_freedom"]);
    assert!(
        answer["warnings"][0]["message"]
            .as_str()
            .unwrap()
            .contains("3 free parameters"),
        "{answer}"
    );
    // One training model more, or a floor pinned at 0: a degree left.
    let (_, _, answer) = app.post_json("/v1/scaling/law", &small_law(4)).await;
    assert!(warnings(&answer).is_empty(), "{answer}");
    assert!(answer.get("warnings").is_none(), "{answer}");
    let mut pinned = small_law(3);
    pinned["floor_max"] = json!(0);
    let (status, _, answer) = app.post_json("/v1/scaling/law", &pinned).await;
    assert_eq!(status, 200, "{answer}");
    assert!(warnings(&answer).is_empty(), "{answer}");
    // Each of several targets says it of itself.
    let mut several = small_law(3);
    let target = several.as_object_mut().unwrap().remove("target").unwrap();
    let mut more = target.clone();
    more["name"] = json!("U");
    more["values"][3] = json!(0.65);
    several["targets"] = json!([target, more]);
    let (status, _, answer) = app.post_json("/v1/scaling/law", &several).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(warnings(&answer["results"][0]), ["no_degrees_of_freedom"]);
    assert!(warnings(&answer["results"][1]).is_empty(), "{answer}");
}

#[tokio::test]
async fn a_target_named_like_a_benchmark_is_refused_alike_from_json_and_tables() {
    let app = spawn_app().await;
    let mut request = small_law(6);
    request["target"]["name"] = json!("GSM ");
    let (status, _, from_json) = app.post_json("/v1/scaling/law", &request).await;
    assert_eq!(status, 422, "{from_json}");
    let csv = "Model,MMLU,ARC,GSM\nm1,0.1,0.2,0.3\nm2,0.2,0.3,0.5\nm3,0.4,0.1,0.6\n\
               m4,0.5,0.6,0.2\nm5,0.7,0.3,0.4\nm6,0.3,0.8,0.9\n";
    let (status, _, from_csv) = app
        .post_raw(
            "/v1/scaling/law?target_columns=GSM&benchmarks=MMLU,ARC,GSM&n_components=1",
            Some("text/csv"),
            csv.as_bytes().to_vec(),
        )
        .await;
    assert_eq!(status, 422, "{from_csv}");
    assert_eq!(from_json["code"], "invalid_target");
    assert_eq!(from_csv, from_json);
    // Left out of the benchmarks, the column is the target.
    let (status, _, answer) = app
        .post_raw(
            "/v1/scaling/law?target_columns=GSM&benchmarks=MMLU,ARC&n_components=1",
            Some("text/csv"),
            csv.as_bytes().to_vec(),
        )
        .await;
    assert_eq!(status, 200, "{answer}");
}
