//! Fit once, place later: the basis of /v1/pca and /v1/scaling/law, sent
//! back to /v1/pca/transform and /v1/scaling/predict.
//!
//! Expected numbers: a basis must place a model exactly as the fit placed
//! it as `supplementary` (same request, to 1e-12) and as the law predicted
//! its test models (tests/fixtures/reference/scaling_law_word_unscrambling.json's
//! request); against scikit-learn, tests/fixtures/reference/basis_cases.json
//! (`PCA(svd_solver="full").fit(A).transform(B)` with scikit-learn 1.9.1 /
//! numpy 2.4.6 on tests/fixtures/data/paper_set_77.csv, written by
//! make_basis_reference.py), to 1e-9 (times the unit of the scaled cases).
//! That file's bases were made and fingerprinted in Python by a canonicaliser
//! written from RFC 8785 alone, which a client can use in the same way.

use std::collections::HashMap;

use serde_json::{Value, json};

use crate::helpers::{TestApp, matrix, spawn_app};
use crate::scaling::{csv_rows, fixture, law_request, number};

const BENCHMARKS: [&str; 8] = [
    "MMLU",
    "ARC-C",
    "HellaSwag",
    "Winograd",
    "TruthfulQA",
    "GSM8K",
    "XWinograd",
    "HumanEval",
];

fn scores_of(rows: &[HashMap<String, String>]) -> Vec<Vec<Value>> {
    rows.iter()
        .map(|r| BENCHMARKS.iter().map(|b| number(&r[*b])).collect())
        .collect()
}

fn models_of(rows: &[HashMap<String, String>]) -> Vec<String> {
    rows.iter().map(|r| r["Model"].clone()).collect()
}

fn complete(r: &HashMap<String, String>) -> bool {
    BENCHMARKS.iter().all(|b| !r[*b].is_empty())
}

/// The largest absolute difference of two equally shaped matrices.
fn max_diff(a: &[Vec<f64>], b: &[Vec<f64>]) -> f64 {
    assert_eq!(a.len(), b.len(), "row counts");
    a.iter()
        .zip(b)
        .flat_map(|(x, y)| {
            assert_eq!(x.len(), y.len(), "row lengths");
            x.iter().zip(y).map(|(u, v)| (u - v).abs())
        })
        .fold(0.0, f64::max)
}

/// POSTs a transform of `models` (rows of `scores` over `benchmarks`) on `basis`.
async fn transform(
    app: &TestApp,
    basis: &Value,
    models: &Value,
    benchmarks: &Value,
    scores: &Value,
) -> Value {
    let request =
        json!({"basis": basis, "models": models, "benchmarks": benchmarks, "scores": scores});
    let (status, _, body) = app.post_json("/v1/pca/transform", &request).await;
    assert_eq!(status, 200, "{body}");
    body
}

/// The policies of the round trip, as request fields.
fn policies() -> Vec<(&'static str, Value)> {
    vec![
        ("reject", json!({"missing": "reject"})),
        ("drop_models", json!({"missing": "drop_models"})),
        ("mean", json!({"missing": "mean"})),
        (
            "iterative_pca",
            json!({"missing": "iterative_pca", "imputation": {"rank": 1, "bounds": [0, 1]}}),
        ),
    ]
}

#[tokio::test]
async fn fit_then_transform_equals_supplementary_under_every_policy() {
    let app = spawn_app().await;
    let rows = csv_rows("data/paper_set_77.csv");
    let mut worst: f64 = 0.0;
    for (policy, fields) in policies() {
        // `reject` fits and places complete rows only; the others fit the
        // first 60 models (with their gaps) and place the other 17, most
        // with gaps of their own.
        let (fit_rows, extra_rows): (Vec<_>, Vec<_>) = if policy == "reject" {
            let full: Vec<_> = rows.iter().filter(|r| complete(r)).cloned().collect();
            let cut = full.len() - 10;
            (full[..cut].to_vec(), full[cut..].to_vec())
        } else {
            (rows[..60].to_vec(), rows[60..].to_vec())
        };
        let mut extra_scores = scores_of(&extra_rows);
        if policy != "reject" {
            for (i, row) in extra_scores.iter_mut().enumerate() {
                if i % 3 != 0 {
                    row[(i * 3) % 8] = Value::Null;
                }
                if i % 4 == 1 {
                    row[(i * 5 + 1) % 8] = Value::Null;
                }
            }
        }
        let extra_models = models_of(&extra_rows);
        for standardize in [false, true] {
            let mut request = json!({
                "models": models_of(&fit_rows),
                "benchmarks": BENCHMARKS,
                "scores": scores_of(&fit_rows),
                "n_components": 3,
                "standardize": standardize,
                "supplementary": {"models": extra_models, "scores": extra_scores},
                "return_basis": true,
            });
            for (k, v) in fields.as_object().unwrap() {
                request[k] = v.clone();
            }
            let (status, _, fit) = app.post_json("/v1/pca", &request).await;
            assert_eq!(status, 200, "{policy}: {fit}");
            let basis = &fit["basis"];
            assert_eq!(basis["format"], "obscaling.basis/v1");
            assert_eq!(basis["missing"]["policy"], policy);
            assert_eq!(basis["n_models"], fit["models"].as_array().unwrap().len());
            let supplementary = &fit["supplementary"];

            // The same rows, their columns reversed and one the basis does
            // not know added.
            let mut benchmarks: Vec<Value> = BENCHMARKS.iter().rev().map(|b| json!(b)).collect();
            benchmarks.insert(3, json!("Unknown bench"));
            let reordered: Vec<Vec<Value>> = extra_scores
                .iter()
                .map(|row| {
                    let mut out: Vec<Value> = row.iter().rev().cloned().collect();
                    out.insert(3, json!(0.5));
                    out
                })
                .collect();
            let placed = transform(
                &app,
                basis,
                &json!(extra_models),
                &json!(benchmarks),
                &json!(reordered),
            )
            .await;
            assert_eq!(placed["fingerprint"], basis["fingerprint"]);
            assert_eq!(placed["models"], supplementary["models"], "{policy}");
            assert_eq!(
                placed["dropped_models"], supplementary["dropped_models"],
                "{policy}"
            );
            assert_eq!(placed["ignored_benchmarks"], json!(["Unknown bench"]));
            let diff = max_diff(
                &matrix(&placed["projections"]),
                &matrix(&supplementary["projections"]),
            );
            assert!(
                diff <= 1e-12,
                "{policy}, standardize {standardize}: projections differ by {diff}"
            );
            worst = worst.max(diff);
            let cells = |v: &Value| -> Vec<(String, String, f64)> {
                v.as_array()
                    .unwrap()
                    .iter()
                    .map(|c| {
                        (
                            c["model"].as_str().unwrap().into(),
                            c["benchmark"].as_str().unwrap().into(),
                            c["value"].as_f64().unwrap(),
                        )
                    })
                    .collect()
            };
            let (ours, theirs) = (cells(&placed["imputed"]), cells(&supplementary["imputed"]));
            assert_eq!(ours.len(), theirs.len(), "{policy}: imputed cells");
            for (a, b) in ours.iter().zip(&theirs) {
                assert_eq!((&a.0, &a.1), (&b.0, &b.1));
                assert!(
                    (a.2 - b.2).abs() <= 1e-12,
                    "{policy}: imputed {a:?} vs {b:?}"
                );
            }
            if policy != "reject" {
                assert!(
                    !ours.is_empty() || policy == "drop_models",
                    "{policy}: the round trip has gaps"
                );
            }

            // A model is placed as it was among the others: alone.
            for (i, model) in extra_models.iter().enumerate() {
                let alone = transform(
                    &app,
                    basis,
                    &json!([model]),
                    &json!(BENCHMARKS),
                    &json!([extra_scores[i]]),
                )
                .await;
                let Some(r) = supplementary["models"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .position(|m| m == model)
                else {
                    assert_eq!(alone["dropped_models"], json!([model]));
                    continue;
                };
                let row = &matrix(&supplementary["projections"])[r];
                let diff = max_diff(&matrix(&alone["projections"]), std::slice::from_ref(row));
                assert!(diff <= 1e-12, "{policy}: {model} alone differs by {diff}");
                worst = worst.max(diff);
            }
        }
    }
    eprintln!("basis round trip: largest difference from supplementary {worst:e}");
}

fn reference_cases() -> Vec<Value> {
    let file: Value = serde_json::from_slice(&fixture("reference/basis_cases.json")).unwrap();
    file["cases"].as_array().unwrap().clone()
}

/// Rows of the paper set by model name, scaled by `unit`.
fn scaled_rows(names: &Value, unit: f64) -> Vec<Vec<f64>> {
    let rows: HashMap<String, HashMap<String, String>> = csv_rows("data/paper_set_77.csv")
        .into_iter()
        .map(|r| (r["Model"].clone(), r))
        .collect();
    names
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            let r = &rows[m.as_str().unwrap()];
            BENCHMARKS
                .iter()
                .map(|b| r[*b].parse::<f64>().unwrap() * unit)
                .collect()
        })
        .collect()
}

#[tokio::test]
async fn transform_equals_scikit_learns_fit_then_transform() {
    let app = spawn_app().await;
    for case in reference_cases() {
        let name = case["name"].as_str().unwrap();
        let unit = case["unit"].as_f64().unwrap();
        let tol = 1e-9 * unit;
        let expected = matrix(&case["expected"]);
        let b_scores = scaled_rows(&case["b_models"], unit);

        // Fitted here, on A, oriented as scikit-learn >= 1.5 orients.
        let request = json!({
            "models": case["a_models"],
            "benchmarks": BENCHMARKS,
            "scores": scaled_rows(&case["a_models"], unit),
            "n_components": case["n_components"],
            "standardize": case["standardize"],
            "sign": "max_abs_positive",
            "return_basis": true,
        });
        let (status, _, fit) = app.post_json("/v1/pca", &request).await;
        assert_eq!(status, 200, "{name}: {fit}");
        let ours = transform(
            &app,
            &fit["basis"],
            &case["b_models"],
            &json!(BENCHMARKS),
            &json!(b_scores),
        )
        .await;
        let diff = max_diff(&matrix(&ours["projections"]), &expected);
        assert!(
            diff <= tol,
            "{name}: our basis is {diff} from scikit-learn (tolerance {tol})"
        );

        // Made in Python from scikit-learn's fitted objects, fingerprinted there.
        let python = &case["basis"];
        let object = python.as_object().unwrap();
        assert_eq!(
            obscaling::api::basis::fingerprint(object),
            python["fingerprint"].as_str().unwrap(),
            "{name}: the fingerprint differs from the independent canonicaliser's"
        );
        let without: serde_json::Map<String, Value> = object
            .iter()
            .filter(|(k, _)| *k != "fingerprint")
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        assert_eq!(
            serde_json_canonicalizer::to_string(&without).unwrap(),
            case["canonical"].as_str().unwrap(),
            "{name}: canonical text"
        );
        let theirs = transform(
            &app,
            python,
            &case["b_models"],
            &json!(BENCHMARKS),
            &json!(b_scores),
        )
        .await;
        let diff = max_diff(&matrix(&theirs["projections"]), &expected);
        assert!(
            diff <= tol,
            "{name}: the Python basis places B {diff} from scikit-learn"
        );
        eprintln!(
            "{name}: transform vs scikit-learn {:e} (ours), {diff:e} (Python-made basis)",
            max_diff(&matrix(&ours["projections"]), &expected)
        );
    }
}

#[tokio::test]
async fn predict_gives_what_the_law_gave_its_test_models() {
    let app = spawn_app().await;
    let (mut request, _) = law_request();
    request["reference_family"] = json!("Llama-2");
    request["return_basis"] = json!(true);
    let (status, _, law) = app.post_json("/v1/scaling/law", &request).await;
    assert_eq!(status, 200, "{law}");
    let basis = &law["basis"];
    assert_eq!(basis["format"], "obscaling.law-basis/v1");
    assert_eq!(basis["target"], request["target"]["name"]);
    assert_eq!(basis["reference"]["family"], "Llama-2");
    assert_eq!(basis["pca"]["missing"]["policy"], "iterative_pca");
    assert_eq!(basis["pca"]["n_models"], law["metrics"]["n_train"]);

    let test: Vec<&Value> = law["predictions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["split"] == "test")
        .collect();
    assert_eq!(test.len(), 21);
    let index: HashMap<&str, usize> = request["models"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
        .map(|(i, m)| (m.as_str().unwrap(), i))
        .collect();
    let models: Vec<&Value> = test.iter().map(|p| &p["model"]).collect();
    let scores: Vec<&Value> = models
        .iter()
        .map(|m| &request["scores"][index[m.as_str().unwrap()]])
        .collect();
    let with_gaps = scores
        .iter()
        .filter(|row| row.as_array().unwrap().iter().any(Value::is_null))
        .count();
    assert!(
        with_gaps > 0,
        "the test models include some with missing cells"
    );
    let body = json!({"basis": basis, "models": models, "benchmarks": request["benchmarks"], "scores": scores});
    let (status, _, predicted) = app.post_json("/v1/scaling/predict", &body).await;
    assert_eq!(status, 200, "{predicted}");
    assert_eq!(predicted["target"], basis["target"]);
    assert_eq!(predicted["fingerprint"], basis["fingerprint"]);
    let mut worst: f64 = 0.0;
    for (ours, theirs) in predicted["predictions"]
        .as_array()
        .unwrap()
        .iter()
        .zip(&test)
    {
        assert_eq!(ours["model"], theirs["model"]);
        for field in ["capability", "predicted", "equivalent_log10_flops"] {
            let diff = (ours[field].as_f64().unwrap() - theirs[field].as_f64().unwrap()).abs();
            assert!(
                diff <= 1e-12,
                "{}: {field} differs by {diff}",
                ours["model"]
            );
            worst = worst.max(diff);
        }
    }
    eprintln!("law basis: largest difference from the law's test predictions {worst:e}");

    // The basis's own PCA basis places them as /v1/pca/transform too.
    let placed = transform(
        &app,
        &basis["pca"],
        &json!(models),
        &request["benchmarks"],
        &json!(scores),
    )
    .await;
    assert_eq!(placed["projections"].as_array().unwrap().len(), 21);

    // Several targets: each result carries its own basis.
    let mut several = request.clone();
    let target = several.as_object_mut().unwrap().remove("target").unwrap();
    let mut copy = target.clone();
    copy["name"] = json!("copy");
    several["targets"] = json!([target, copy]);
    let (status, _, answer) = app.post_json("/v1/scaling/law", &several).await;
    assert_eq!(status, 200, "{answer}");
    let results = answer["results"].as_array().unwrap();
    assert_eq!(results[0]["basis"]["target"], target["name"]);
    assert_eq!(results[1]["basis"]["target"], "copy");
    assert_eq!(results[0]["basis"]["pca"], basis["pca"]);
    assert_eq!(results[0]["basis"]["weights"], basis["weights"]);
    assert_ne!(
        results[0]["basis"]["fingerprint"],
        results[1]["basis"]["fingerprint"]
    );
}

/// A valid basis of each kind: an `iterative_pca` PCA basis (the richest
/// missing-score model) and a law basis with a target range and a reference.
async fn valid_bases(app: &TestApp) -> (Value, Value) {
    let rows = csv_rows("data/paper_set_77.csv");
    let request = json!({
        "models": models_of(&rows),
        "benchmarks": BENCHMARKS,
        "scores": scores_of(&rows),
        "n_components": 3,
        "missing": "iterative_pca",
        "imputation": {"bounds": [0, 1]},
        "return_basis": true,
    });
    let (status, _, fit) = app.post_json("/v1/pca", &request).await;
    assert_eq!(status, 200, "{fit}");
    let (mut law, _) = law_request();
    law["reference_family"] = json!("Llama-2");
    law["target_range"] = json!([0, 1]);
    law["return_basis"] = json!(true);
    let (status, _, fitted_law) = app.post_json("/v1/scaling/law", &law).await;
    assert_eq!(status, 200, "{fitted_law}");
    (fit["basis"].clone(), fitted_law["basis"].clone())
}

/// The fingerprint of `basis` recomputed, so that an edit is refused for
/// what it broke rather than for the fingerprint.
fn restamp(basis: &mut Value) {
    let print = obscaling::api::basis::fingerprint(basis.as_object().unwrap());
    basis["fingerprint"] = json!(print);
}

type Edit = Box<dyn Fn(&mut Value)>;

fn edit(f: impl Fn(&mut Value) + 'static) -> Edit {
    Box::new(f)
}

#[tokio::test]
async fn every_bad_basis_is_invalid_basis_naming_what_is_wrong() {
    let app = spawn_app().await;
    let (basis, law_basis) = valid_bases(&app).await;
    let rows = csv_rows("data/paper_set_77.csv");
    let models = json!(models_of(&rows[..3]));
    let scores = json!(scores_of(&rows[..3]));
    // The rows of a second component nudged towards the first, renormalised:
    // unit length, but no longer orthogonal.
    let skewed = {
        let c = matrix(&basis["components"]);
        let row: Vec<f64> = c[1].iter().zip(&c[0]).map(|(b, a)| b + 1e-3 * a).collect();
        let norm = row.iter().map(|v| v * v).sum::<f64>().sqrt();
        json!(row.iter().map(|v| v / norm).collect::<Vec<_>>())
    };
    #[rustfmt::skip]
    let pca_cases: Vec<(&str, Edit, bool, &str)> = vec![
        ("unknown format", edit(|b| b["format"] = json!("obscaling.basis/v2")), true, "format must be \"obscaling.basis/v1\""),
        ("no format", edit(|b| { b.as_object_mut().unwrap().remove("format"); }), true, "no format"),
        ("a law basis", edit(|b| b["format"] = json!("obscaling.law-basis/v1")), true, "/v1/scaling/predict"),
        ("not an object", edit(|b| *b = json!([1, 2])), false, "must be a JSON object"),
        ("a member missing", edit(|b| { b.as_object_mut().unwrap().remove("mean"); }), true, "missing field `mean`"),
        ("an unknown member", edit(|b| b["colour"] = json!("red")), true, "unknown field `colour`"),
        ("a wrong type", edit(|b| b["n_models"] = json!("77")), true, "basis.n_models"),
        ("mean too short", edit(|b| { b["mean"].as_array_mut().unwrap().pop(); }), true, "mean has 7 values, but there are 8 benchmarks"),
        ("a component too long", edit(|b| b["components"][1].as_array_mut().unwrap().push(json!(0))), true, "components[1] has 9 values"),
        ("ratios not one per component", edit(|b| { b["explained_variance_ratio"].as_array_mut().unwrap().pop(); }), true, "explained_variance_ratio has 2 values"),
        ("a non-finite number (null)", edit(|b| b["mean"][2] = Value::Null), true, "basis.mean[2]"),
        ("a component not of unit length", edit(|b| b["components"][0][0] = json!(b["components"][0][0].as_f64().unwrap() + 1e-6)), true, "components[0] has length"),
        ("components not orthogonal", { let s = skewed.clone(); edit(move |b| b["components"][1] = s.clone()) }, true, "components[0] and components[1] are not orthogonal"),
        ("more components than n_models", edit(|b| b["n_models"] = json!(2)), true, "more than min(n_models, benchmarks)"),
        ("n_models below 2", edit(|b| b["n_models"] = json!(1)), true, "n_models must be at least 2"),
        ("a ratio above 1", edit(|b| b["explained_variance_ratio"][0] = json!(1.5)), true, "explained_variance_ratio[0] must lie in [0, 1]"),
        ("a scale of zero", edit(|b| b["scale"] = json!([1, 1, 0, 1, 1, 1, 1, 1])), true, "scale[2] must be positive"),
        ("a benchmark twice", edit(|b| b["benchmarks"][1] = json!("MMLU")), true, "appears twice"),
        ("an unknown sign", edit(|b| b["sign"] = json!("largest_first")), true, "basis.sign"),
        ("an unknown policy", edit(|b| b["missing"]["policy"] = json!("zero")), true, "basis.missing"),
        ("imputation scale of zero", edit(|b| b["missing"]["scale"][0] = json!(0)), true, "missing.scale[0] must be positive"),
        ("imputation centre too short", edit(|b| { b["missing"]["center"].as_array_mut().unwrap().pop(); }), true, "missing.center has 7 values"),
        ("imputation components not orthonormal", edit(|b| b["missing"]["components"][0][0] = json!(1)), true, "missing.components[0] has length"),
        ("imputation rank too high", { let c = basis["components"].clone(); edit(move |b| { b["missing"]["components"] = c.clone(); b["n_models"] = json!(3); }) }, true, "imputation rank must be below min(n_models, benchmarks) = 3"),
        ("a negative tolerance", edit(|b| b["missing"]["tol"] = json!(-1e-10)), true, "missing.tol must be a finite number >= 0"),
        ("no iterations", edit(|b| b["missing"]["max_iter"] = json!(0)), true, "missing.max_iter must be between 1 and"),
        ("iterations past MAX_ITERATIONS", edit(|b| b["missing"]["max_iter"] = json!(1_000_000)), true, "missing.max_iter must be between 1 and"),
        ("bounds reversed", edit(|b| b["missing"]["bounds"] = json!([1, 0])), true, "missing.bounds must be finite with lo < hi"),
        ("bounds of three", edit(|b| b["missing"]["bounds"] = json!([0, 1, 2])), true, "basis.missing"),
        ("an edited number", edit(|b| b["mean"][0] = json!(b["mean"][0].as_f64().unwrap() + 1e-9)), false, "basis.fingerprint does not match the content"),
        ("a reordered benchmark list", edit(|b| b["benchmarks"].as_array_mut().unwrap().swap(0, 1)), false, "fingerprint does not match"),
        ("a fingerprint in capitals", edit(|b| b["fingerprint"] = json!(b["fingerprint"].as_str().unwrap().to_uppercase())), false, "fingerprint does not match"),
        ("no fingerprint", edit(|b| { b.as_object_mut().unwrap().remove("fingerprint"); }), false, "missing field `fingerprint`"),
    ];
    for (name, change, restamped, needle) in pca_cases {
        let mut bad = basis.clone();
        change(&mut bad);
        if restamped && bad.is_object() {
            restamp(&mut bad);
        }
        let request =
            json!({"basis": bad, "models": models, "benchmarks": BENCHMARKS, "scores": scores});
        let (status, content_type, body) = app.post_json("/v1/pca/transform", &request).await;
        assert_eq!(
            (status, body["code"].as_str()),
            (422, Some("invalid_basis")),
            "{name}: {body}"
        );
        assert_eq!(content_type, "application/problem+json");
        let detail = body["detail"].as_str().unwrap();
        assert!(
            detail.contains(needle),
            "{name}: {detail:?} lacks {needle:?}"
        );
    }

    #[rustfmt::skip]
    let law_cases: Vec<(&str, Edit, &str)> = vec![
        ("a PCA basis", edit(|b| b["format"] = json!("obscaling.basis/v1")), "basis.format must be \"obscaling.law-basis/v1\""),
        ("weights not one per component", edit(|b| { b["weights"].as_array_mut().unwrap().pop(); }), "weights has 2 values, but the PCA basis has 3 components"),
        ("a floor of 1", edit(|b| b["floor"] = json!(1.0)), "floor must lie in [0, 1)"),
        ("a reversed target range", edit(|b| b["target_range"] = json!([1, 0])), "target_range must be finite with lo < hi"),
        ("a flat reference line", edit(|b| b["reference"]["slope"] = json!(0)), "reference.slope must be a finite non-zero number"),
        ("a reference without family", edit(|b| b["reference"]["family"] = json!("")), "reference.family is empty"),
        ("an empty target", edit(|b| b["target"] = json!("")), "target is empty"),
        ("a bad inner basis", edit(|b| { b["pca"]["components"][0][0] = json!(1); restamp(&mut b["pca"]); }), "basis.pca.components[0] has length"),
        ("an edited inner basis", edit(|b| b["pca"]["mean"][0] = json!(0.5)), "basis.pca.fingerprint does not match"),
        ("an inner PCA basis of the wrong format", edit(|b| b["pca"]["format"] = json!("x")), "basis.pca.format must be"),
    ];
    for (name, change, needle) in law_cases {
        let mut bad = law_basis.clone();
        change(&mut bad);
        restamp(&mut bad);
        let request =
            json!({"basis": bad, "models": models, "benchmarks": BENCHMARKS, "scores": scores});
        let (status, _, body) = app.post_json("/v1/scaling/predict", &request).await;
        assert_eq!(
            (status, body["code"].as_str()),
            (422, Some("invalid_basis")),
            "{name}: {body}"
        );
        let detail = body["detail"].as_str().unwrap();
        assert!(
            detail.contains(needle),
            "{name}: {detail:?} lacks {needle:?}"
        );
    }
    // An edited law (not restamped) is caught by the outer fingerprint.
    let mut edited = law_basis.clone();
    edited["intercept"] = json!(edited["intercept"].as_f64().unwrap() + 0.1);
    let request =
        json!({"basis": edited, "models": models, "benchmarks": BENCHMARKS, "scores": scores});
    let (_, _, body) = app.post_json("/v1/scaling/predict", &request).await;
    assert_eq!(body["code"], "invalid_basis");
    assert!(
        body["detail"]
            .as_str()
            .unwrap()
            .contains("basis.fingerprint does not match"),
        "{body}"
    );

    // A number too large for an f64 is what it is anywhere else.
    let request =
        json!({"basis": basis, "models": models, "benchmarks": BENCHMARKS, "scores": scores});
    let text =
        serde_json::to_string(&request)
            .unwrap()
            .replacen("\"tol\":1e-10", "\"tol\":1e999", 1);
    assert!(text.contains("1e999"));
    let (status, _, body) = app
        .post_raw(
            "/v1/pca/transform",
            Some("application/json"),
            text.into_bytes(),
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (422, Some("number_out_of_range")),
        "{body}"
    );

    // The valid bases themselves are accepted.
    let request =
        json!({"basis": basis, "models": models, "benchmarks": BENCHMARKS, "scores": scores});
    assert_eq!(app.post_json("/v1/pca/transform", &request).await.0, 200);
    let request =
        json!({"basis": law_basis, "models": models, "benchmarks": BENCHMARKS, "scores": scores});
    assert_eq!(app.post_json("/v1/scaling/predict", &request).await.0, 200);
}

#[tokio::test]
async fn new_models_follow_the_basis_policy() {
    let app = spawn_app().await;
    let rows = csv_rows("data/paper_set_77.csv");
    let full: Vec<_> = rows.iter().filter(|r| complete(r)).cloned().collect();
    let request = json!({
        "models": models_of(&full[..30]),
        "benchmarks": BENCHMARKS,
        "scores": scores_of(&full[..30]),
        "n_components": 2,
        "return_basis": true,
    });
    let (_, _, fit) = app.post_json("/v1/pca", &request).await;
    let basis = &fit["basis"];
    assert_eq!(basis["missing"]["policy"], "reject");
    // A benchmark the rows lack is a missing cell: refused by a reject basis.
    let request = json!({"basis": basis, "models": ["new"], "benchmarks": BENCHMARKS[..7], "scores": [scores_of(&full[30..31])[0][..7]]});
    let (status, _, body) = app.post_json("/v1/pca/transform", &request).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (422, Some("missing_scores")),
        "{body}"
    );
    assert_eq!(
        body["cells"],
        json!([{"model": "new", "benchmark": "HumanEval"}])
    );
}

/// A CSV table of the given rows: the model column, a family and compute
/// column the basis does not know, then the benchmarks.
fn csv_of(rows: &[HashMap<String, String>]) -> String {
    let mut text = String::from("Model,Model Family,FLOPs (1E21)");
    for b in BENCHMARKS {
        text.push(',');
        text.push_str(b);
    }
    text.push('\n');
    for r in rows {
        text.push_str(&format!(
            "{},{},{}",
            r["Model"], r["Model Family"], r["FLOPs (1E21)"]
        ));
        for b in BENCHMARKS {
            text.push(',');
            text.push_str(&r[b]);
        }
        text.push('\n');
    }
    text
}

fn form(parts: &[(&str, &str, &str)]) -> (String, Vec<u8>) {
    let boundary = "----obscaling-test-7MA4YWxk";
    let mut body = String::new();
    for (name, content_type, content) in parts {
        body.push_str(&format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{name}\"\r\nContent-Type: {content_type}\r\n\r\n{content}\r\n"
        ));
    }
    body.push_str(&format!("--{boundary}--\r\n"));
    (
        format!("multipart/form-data; boundary={boundary}"),
        body.into_bytes(),
    )
}

#[tokio::test]
async fn tables_and_forms_give_what_json_gives() {
    let app = spawn_app().await;
    let rows = csv_rows("data/paper_set_77.csv");
    let query = "benchmarks=MMLU,ARC-C,HellaSwag,Winograd,TruthfulQA,GSM8K,XWinograd,HumanEval&missing=iterative_pca&imputation_bounds=0,1&n_components=3";
    let (status, _, by_csv) = app
        .post_raw(
            &format!("/v1/pca?{query}&return_basis=true"),
            Some("text/csv"),
            fixture("data/paper_set_77.csv"),
        )
        .await;
    assert_eq!(status, 200, "{by_csv}");
    let json_request = json!({
        "models": models_of(&rows),
        "benchmarks": BENCHMARKS,
        "scores": scores_of(&rows),
        "n_components": 3,
        "missing": "iterative_pca",
        "imputation": {"bounds": [0, 1]},
        "return_basis": true,
    });
    let (_, _, by_json) = app.post_json("/v1/pca", &json_request).await;
    assert_eq!(by_csv["basis"], by_json["basis"]);
    let basis = by_json["basis"].clone();
    let (_, _, without) = app
        .post_raw(
            &format!("/v1/pca?{query}"),
            Some("text/csv"),
            fixture("data/paper_set_77.csv"),
        )
        .await;
    assert!(without.get("basis").is_none(), "no basis unless asked");

    // The same models as a form (CSV with columns the basis does not know) and as JSON.
    let new = &rows[..12];
    let by_json = transform(
        &app,
        &basis,
        &json!(models_of(new)),
        &json!(BENCHMARKS),
        &json!(scores_of(new)),
    )
    .await;
    let basis_text = serde_json::to_string(&basis).unwrap();
    let csv = csv_of(new);
    let (content_type, body) = form(&[
        ("basis", "application/json", &basis_text),
        ("scores", "text/csv", &csv),
    ]);
    let (status, _, by_form) = app
        .post_raw("/v1/pca/transform", Some(&content_type), body)
        .await;
    assert_eq!(status, 200, "{by_form}");
    assert_eq!(by_form["projections"], by_json["projections"]);
    assert_eq!(by_form["imputed"], by_json["imputed"]);
    assert_eq!(
        by_form["ignored_benchmarks"],
        json!(["Model Family", "FLOPs (1E21)"])
    );
    // The table parameters apply to the form's table.
    let (content_type, body) = form(&[
        ("scores", "text/csv", &csv),
        ("basis", "application/json", &basis_text),
    ]);
    let (status, _, picked) = app
        .post_raw(
            "/v1/pca/transform?benchmarks=MMLU,GSM8K",
            Some(&content_type),
            body,
        )
        .await;
    assert_eq!(status, 200, "{picked}");
    let gaps = new
        .iter()
        .map(|r| {
            ["MMLU", "GSM8K"]
                .iter()
                .filter(|b| r[**b].is_empty())
                .count()
        })
        .sum::<usize>();
    assert_eq!(
        picked["imputed"].as_array().unwrap().len(),
        12 * 6 + gaps,
        "six benchmarks left out, imputed"
    );

    // A law basis predicts from a form too.
    let (mut law, _) = law_request();
    law["return_basis"] = json!(true);
    let (_, _, fitted) = app.post_json("/v1/scaling/law", &law).await;
    let law_text = serde_json::to_string(&fitted["basis"]).unwrap();
    let (content_type, body) = form(&[
        ("basis", "application/json", &law_text),
        ("scores", "text/csv", &csv),
    ]);
    let (status, _, predicted) = app
        .post_raw("/v1/scaling/predict", Some(&content_type), body)
        .await;
    assert_eq!(status, 200, "{predicted}");
    assert_eq!(predicted["predictions"].as_array().unwrap().len(), 12);

    // Broken forms: (name, (content type, body), status, code, a phrase of the detail).
    let (b, c) = (basis_text.as_str(), csv.as_str());
    let json = "application/json";
    #[rustfmt::skip]
    let cases = vec![
        ("no scores part", form(&[("basis", json, b)]), 422, "invalid_request", "no 'scores' part"),
        ("an unknown part", form(&[("basis", json, b), ("scores", "text/csv", c), ("extra", "text/plain", "x")]), 422, "unknown_field", "'extra'"),
        ("two basis parts", form(&[("basis", json, b), ("basis", json, b), ("scores", "text/csv", c)]), 422, "invalid_request", "two 'basis' parts"),
        ("a basis part that is not JSON", form(&[("basis", json, "{"), ("scores", "text/csv", c)]), 400, "malformed_json", "the basis part"),
        ("no boundary", ("multipart/form-data".into(), b"--x\r\n".to_vec()), 400, "invalid_multipart", "boundary"),
        ("cut short", (form(&[]).0, b"------obscaling-test-7MA4YWxk\r\nContent-Disposition: form-data; name=\"basis\"\r\n\r\n{}".to_vec()), 400, "invalid_multipart", "no closing boundary"),
        ("a CSV body alone", ("text/csv".into(), c.as_bytes().to_vec()), 415, "unsupported_media_type", "multipart/form-data"),
    ];
    for (name, (content_type, body), status, code, needle) in cases {
        let (got, _, problem) = app
            .post_raw("/v1/pca/transform", Some(&content_type), body)
            .await;
        assert_eq!(
            (got, problem["code"].as_str()),
            (status, Some(code)),
            "{name}: {problem}"
        );
        assert!(
            problem["detail"].as_str().unwrap().contains(needle),
            "{name}: {problem}"
        );
    }
    // The other endpoints read a form as lm-evaluation-harness results files:
    // a placement form is not one.
    let (content_type, body) = form(&[("scores", "text/csv", &csv)]);
    let (status, _, problem) = app.post_raw("/v1/pca", Some(&content_type), body).await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (422, Some("invalid_lm_eval")),
        "{problem}"
    );
}

#[tokio::test]
async fn the_specs_examples_are_real_and_accepted() {
    let app = spawn_app().await;
    let (_, _, spec) = app.get("/openapi.json").await;
    let schemas = &spec["components"]["schemas"];
    for name in [
        "Basis",
        "LawBasis",
        "BasisMissing",
        "TransformRequest",
        "TransformResponse",
        "PredictRequest",
        "PredictResponse",
    ] {
        assert!(schemas[name].is_object(), "no named schema {name}");
    }
    // The example basis is what /v1/pca answers for its own example.
    let mut request = schemas["PcaRequest"]["example"].clone();
    request["return_basis"] = json!(true);
    let (status, _, fit) = app.post_json("/v1/pca", &request).await;
    assert_eq!(status, 200, "{fit}");
    assert_eq!(fit["basis"], schemas["Basis"]["example"]);
    let example = &schemas["TransformRequest"]["example"];
    assert_eq!(example["basis"], schemas["Basis"]["example"]);
    let (status, _, placed) = app.post_json("/v1/pca/transform", example).await;
    assert_eq!(status, 200, "{placed}");
    assert_eq!(placed["ignored_benchmarks"], json!(["TruthfulQA"]));
    assert_eq!(placed["imputed"][0]["model"], "google/gemma-7b");
    assert_eq!(placed["imputed"][0]["benchmark"], "GSM8K");
    // Labels are trimmed as everywhere: padded models and benchmarks place
    // exactly as the plain ones.
    let mut padded = example.clone();
    for list in ["models", "benchmarks"] {
        for label in padded[list].as_array_mut().unwrap() {
            *label = json!(format!("  {}\t", label.as_str().unwrap()));
        }
    }
    let (status, _, padded_placed) = app.post_json("/v1/pca/transform", &padded).await;
    assert_eq!(status, 200, "{padded_placed}");
    assert_eq!(padded_placed, placed);
    // And the law's: its example request (return_basis included) answers
    // the example law basis, which predicts the example's new models.
    let (status, _, law) = app
        .post_json("/v1/scaling/law", &schemas["ScalingLawRequest"]["example"])
        .await;
    assert_eq!(status, 200, "{law}");
    assert_eq!(law["basis"], schemas["LawBasis"]["example"]);
    let example = &schemas["PredictRequest"]["example"];
    assert_eq!(example["basis"], schemas["LawBasis"]["example"]);
    let (status, _, predicted) = app.post_json("/v1/scaling/predict", example).await;
    assert_eq!(status, 200, "{predicted}");
    assert_eq!(predicted["predictions"].as_array().unwrap().len(), 2);
    assert_eq!(predicted["imputed"][0]["benchmark"], "ARC-C");
    for path in ["/v1/pca/transform", "/v1/scaling/predict"] {
        let content = &spec["paths"][path]["post"]["requestBody"]["content"];
        assert!(
            content["application/json"].is_object() && content["multipart/form-data"].is_object(),
            "{path}"
        );
    }
}

/// A form of binary parts (name, content type or none, bytes).
fn binary_form(parts: &[(&str, Option<&str>, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "----obscaling-test-binary-9QpXr";
    let mut body = Vec::new();
    for (name, content_type, content) in parts {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n")
                .as_bytes(),
        );
        if let Some(content_type) = content_type {
            body.extend_from_slice(format!("Content-Type: {content_type}\r\n").as_bytes());
        }
        body.extend_from_slice(b"\r\n");
        body.extend_from_slice(content);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// The transform's scores part goes through the table readers of every
/// other endpoint: the paper leaderboard as wide CSV, Parquet (pyarrow,
/// Polars), an Arrow stream, and long CSV and Parquet (the fixtures of
/// tests/fixtures/tables/, which hold the same doubles in every file) places
/// its models exactly where the JSON request places them.
#[tokio::test]
async fn every_table_format_of_the_scores_part_gives_what_json_gives() {
    let app = spawn_app().await;
    let rows = csv_rows("tables/paper.csv");
    let (status, _, fitted) = app
        .post_json(
            "/v1/pca",
            &json!({
                "models": models_of(&rows),
                "benchmarks": BENCHMARKS,
                "scores": scores_of(&rows),
                "n_components": 3,
                "missing": "iterative_pca",
                "imputation": {"bounds": [0, 1]},
                "return_basis": true,
            }),
        )
        .await;
    assert_eq!(status, 200, "{fitted}");
    let basis = fitted["basis"].clone();
    let by_json = transform(
        &app,
        &basis,
        &json!(models_of(&rows)),
        &json!(BENCHMARKS),
        &json!(scores_of(&rows)),
    )
    .await;
    assert!(
        !by_json["imputed"].as_array().unwrap().is_empty(),
        "the paper set has gaps, filled on the basis"
    );
    let basis_text = serde_json::to_vec(&basis).unwrap();
    let parquet = Some("application/vnd.apache.parquet");
    let arrow = Some("application/vnd.apache.arrow.stream");
    for (file, content_type, query) in [
        ("tables/paper.csv", None, ""),
        ("tables/paper.csv", Some("text/csv"), ""),
        ("tables/paper.pyarrow-snappy.parquet", parquet, ""),
        ("tables/paper.polars.parquet", parquet, ""),
        ("tables/paper.pyarrow.arrows", arrow, ""),
        ("tables/paper_long.csv", Some("text/csv"), "?layout=long"),
        ("tables/paper_long.polars.parquet", parquet, "?layout=long"),
    ] {
        let table = fixture(file);
        let (form_type, body) = binary_form(&[
            ("basis", Some("application/json"), &basis_text),
            ("scores", content_type, &table),
        ]);
        let (status, _, placed) = app
            .post_raw(&format!("/v1/pca/transform{query}"), Some(&form_type), body)
            .await;
        assert_eq!(status, 200, "{file}: {placed}");
        for field in ["models", "projections", "imputed", "dropped_models"] {
            assert_eq!(placed[field], by_json[field], "{file}: {field}");
        }
    }
    // A part of another media type is refused by name, before it is read.
    let (form_type, body) = binary_form(&[
        ("basis", Some("application/json"), &basis_text),
        ("scores", Some("application/x-ndjson"), b"{}"),
    ]);
    let (status, _, problem) = app
        .post_raw("/v1/pca/transform", Some(&form_type), body)
        .await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (415, Some("unsupported_media_type")),
        "{problem}"
    );
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("application/x-ndjson")
    );
    // A Parquet part that is not Parquet is the table readers' own error.
    let (form_type, body) = binary_form(&[
        ("basis", Some("application/json"), &basis_text),
        ("scores", parquet, b"Model,MMLU\na,0.5\n"),
    ]);
    let (status, _, problem) = app
        .post_raw("/v1/pca/transform", Some(&form_type), body)
        .await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (422, Some("invalid_parquet")),
        "{problem}"
    );
}
