//! Constant benchmarks, decided relative to their magnitude, and honest
//! scores at tiny and huge magnitudes, against scikit-learn.
//!
//! Expected numbers: tests/fixtures/reference/constant_cases.json, written
//! by tests/fixtures/reference/make_constant_reference.py with
//! scikit-learn 1.9.1 / numpy 2.4.6 (`StandardScaler`, its
//! `_is_constant_feature`, `PCA(svd_solver="full")`). A case expects
//! `zero_variance` when scikit-learn's rule calls every benchmark constant
//! (its PCA then returns noise or NaN: recorded beside, not compared), the
//! PCA of the input otherwise, or, where scikit-learn's own squares
//! underflow (scores times 1e-200), its PCA of the unscaled matrix with
//! singular values, projections and scales times the factor. Tolerances:
//! 1e-12 on ratios and components, 1e-12 relative on the rest.

use serde_json::{Value, json};

use crate::helpers::{TestApp, floats, matrix, reference_case, reference_cases, spawn_app};

const TOL: f64 = 1e-12;

fn cases() -> Vec<Value> {
    reference_cases("constant_cases.json")
}

fn case(name: &str) -> Value {
    reference_case("constant_cases.json", name)
}

fn close(ours: f64, theirs: f64, tol: f64, what: &str) {
    assert!(
        (ours - theirs).abs() <= tol,
        "{what}: ours {ours:e}, scikit-learn {theirs:e}, tolerance {tol:e}"
    );
}

fn max_abs(values: &[f64]) -> f64 {
    values.iter().fold(0.0, |m: f64, v| m.max(v.abs()))
}

/// A component is determined (up to sign) when its singular value is clearly
/// non-zero and apart from its neighbours (as in `reference.rs`).
fn determined(s: &[f64], i: usize) -> bool {
    let apart = |j: usize| (s[i] - s[j]).abs() > 1e-6 * s[0];
    s[i] > 1e-9 * s[0] && (i == 0 || apart(i - 1)) && (i + 1 >= s.len() || apart(i + 1))
}

/// Compares our response with scikit-learn's PCA `theirs` of the same data
/// divided by `factor`; `constant` says which benchmarks scikit-learn's
/// scaler calls constant there (they keep scale 1 whatever the factor).
/// Standardised scores do not depend on the factor; the scales do.
fn check(name: &str, ours: &Value, theirs: &Value, constant: &[bool], scale_factor: f64) {
    let standardized = theirs["scale"].is_array();
    let factor = if standardized { 1.0 } else { scale_factor };
    let k = theirs["n_components"].as_u64().unwrap() as usize;
    assert_eq!(ours["n_components"].as_u64().unwrap() as usize, k, "{name}");
    let ratio = floats(&ours["explained_variance_ratio"]);
    for (c, (a, b)) in ratio
        .iter()
        .zip(floats(&theirs["explained_variance_ratio"]))
        .enumerate()
    {
        close(*a, b, TOL, &format!("{name} ratio {c}"));
    }
    let s_theirs = floats(&theirs["singular_values"]);
    let s_ours = floats(&ours["singular_values"]);
    for c in 0..k {
        let tol = TOL * s_theirs[0] * factor;
        close(
            s_ours[c],
            s_theirs[c] * factor,
            tol,
            &format!("{name} s {c}"),
        );
    }
    // Variances scale by factor^2, which underflows to 0 at 1e-200: ours
    // must then be 0 too (or a subnormal), not a finite number of noise.
    let v_theirs = floats(&theirs["explained_variance"]);
    let v_ours = floats(&ours["explained_variance"]);
    let v_tol = TOL * v_theirs[0] * factor * factor + f64::MIN_POSITIVE;
    for c in 0..k {
        let want = v_theirs[c] * factor * factor;
        close(v_ours[c], want, v_tol, &format!("{name} variance {c}"));
    }
    let total: f64 = v_theirs.iter().sum::<f64>() * factor * factor;
    close(
        ours["total_variance"].as_f64().unwrap(),
        total,
        v_tol,
        &format!("{name} total_variance"),
    );
    match theirs["scale"].as_array() {
        Some(_) => {
            let scale = floats(&ours["scale"]);
            for (j, b) in floats(&theirs["scale"]).into_iter().enumerate() {
                let want = if constant[j] { 1.0 } else { b * scale_factor };
                close(scale[j], want, TOL * want, &format!("{name} scale {j}"));
            }
        }
        None => assert!(ours["scale"].is_null(), "{name}: scale without standardize"),
    }
    let comps = matrix(&ours["components"]);
    let ref_comps = matrix(&theirs["components"]);
    let proj = matrix(&ours["projections"]);
    let ref_proj = matrix(&theirs["projections"]);
    for c in 0..k {
        for d in 0..k {
            let dot: f64 = comps[c].iter().zip(&comps[d]).map(|(a, b)| a * b).sum();
            let want = if c == d { 1.0 } else { 0.0 };
            close(dot, want, 1e-10, &format!("{name} orthonormality {c}.{d}"));
        }
        let ours_col: Vec<f64> = proj.iter().map(|r| r[c]).collect();
        let theirs_col: Vec<f64> = ref_proj.iter().map(|r| r[c] * factor).collect();
        if determined(&s_theirs, c) {
            for (j, (a, b)) in comps[c].iter().zip(&ref_comps[c]).enumerate() {
                close(*a, *b, TOL, &format!("{name} component {c}[{j}]"));
            }
            let tol = TOL * max_abs(&theirs_col).max(s_theirs[0] * factor);
            for (i, (a, b)) in ours_col.iter().zip(&theirs_col).enumerate() {
                close(*a, *b, tol, &format!("{name} projection {i}[{c}]"));
            }
        } else if s_theirs[c] <= 1e-9 * s_theirs[0] {
            // Directions of (numerically) no variance: every model projects near 0.
            let tol = 1e-9 * s_theirs[0] * factor;
            for (i, a) in ours_col.iter().enumerate() {
                close(*a, 0.0, tol, &format!("{name} null projection {i}[{c}]"));
            }
        }
    }
}

async fn run_case(app: &TestApp, name: &str) {
    let case = case(name);
    let mut body = case["input"].clone();
    body["standardize"] = case["standardize"].clone();
    body["sign"] = json!("max_abs_positive");
    let (status, _, ours) = app.post_json("/v1/pca", &body).await;
    let sklearn = &case["sklearn_on_input"];
    let flags = |stats: &Value| -> Vec<bool> {
        let flags = stats["constant"].as_array().unwrap();
        flags.iter().map(|c| c.as_bool().unwrap()).collect()
    };
    match case["expected"].as_str().unwrap() {
        "zero_variance" => {
            assert_eq!(status, 422, "{name}: {ours}");
            assert_eq!(ours["code"], "zero_variance", "{name}: {ours}");
            assert!(flags(&sklearn["scaler"]).iter().all(|&c| c), "{name}");
        }
        "input" => {
            assert_eq!(status, 200, "{name}: {ours}");
            let constant = flags(&sklearn["scaler"]);
            check(name, &ours, &sklearn["pca"], &constant, 1.0);
        }
        "base" => {
            assert_eq!(status, 200, "{name}: {ours}");
            let base = &case["sklearn_on_base"];
            let factor = case["factor"].as_f64().unwrap();
            check(name, &ours, &base["pca"], &flags(&base["scaler"]), factor);
        }
        other => panic!("{name}: unknown expectation {other}"),
    }
    if status == 200 {
        // The means are the input's, whatever the magnitude.
        let mean = floats(&ours["mean"]);
        for (j, b) in floats(&sklearn["scaler"]["mean"]).into_iter().enumerate() {
            close(mean[j], b, TOL * b.abs(), &format!("{name} mean {j}"));
        }
    }
}

macro_rules! constant_tests {
    ($($test:ident => $case:literal,)*) => {$(
        #[tokio::test]
        async fn $test() {
            let app = spawn_app().await;
            run_case(&app, $case).await;
        }
    )*};
}

constant_tests! {
    the_issues_example_is_zero_variance => "issue_constant_0.1_0.7",
    the_issues_example_is_zero_variance_standardized => "issue_constant_0.1_0.7_standardized",
    rounding_constants_at_five_magnitudes_are_zero_variance => "constant_up_to_rounding_at_five_magnitudes",
    rounding_constants_keep_scale_one_beside_an_honest_benchmark => "rounding_constants_beside_an_honest_benchmark_standardized",
    the_one_ulp_sweep_flips_where_scikit_learn_does => "one_ulp_sweep_standardized",
    the_one_ulp_sweep_flips_at_the_same_place_at_2_pow_minus_665 => "one_ulp_sweep_times_2_pow_minus_665_standardized",
    honest_scores_times_1e_minus_200 => "honest_6x3_times_1e-200",
    honest_scores_times_1e_minus_200_standardized => "honest_6x3_times_1e-200_standardized",
    honest_scores_times_1e150 => "honest_6x3_times_1e150",
    honest_scores_times_1e150_standardized => "honest_6x3_times_1e150_standardized",
    tall_scores_times_1e_minus_200_on_the_gram_route => "tall_40x3_times_1e-200",
    tall_scores_times_1e_minus_200_standardized_on_the_gram_route => "tall_40x3_times_1e-200_standardized",
    tall_scores_times_1e150_on_the_gram_route => "tall_40x3_times_1e150",
    tall_scores_times_1e150_standardized_on_the_gram_route => "tall_40x3_times_1e150_standardized",
    exactly_constant_scores_are_zero_variance => "exactly_constant",
}

#[tokio::test]
async fn every_constant_case_is_covered() {
    let source = include_str!("constant.rs");
    for case in cases() {
        let name = case["name"].as_str().unwrap();
        assert!(
            source.contains(&format!("=> \"{name}\"")),
            "constant case {name} has no test"
        );
    }
}

/// The sweep's decisions, spelled out: scikit-learn calls [1, 1, 1, 1 + k
/// eps] constant up to k = 9 (scale 1) and variable from k = 10, and so do
/// we, at magnitude 1 and at 2^-665.
#[tokio::test]
async fn the_sweep_decisions_are_scikit_learns() {
    let app = spawn_app().await;
    for name in [
        "one_ulp_sweep_standardized",
        "one_ulp_sweep_times_2_pow_minus_665_standardized",
    ] {
        let case = case(name);
        let mut body = case["input"].clone();
        body["standardize"] = json!(true);
        let (status, _, ours) = app.post_json("/v1/pca", &body).await;
        assert_eq!(status, 200, "{name}: {ours}");
        let ours_constant: Vec<bool> = floats(&ours["scale"]).iter().map(|&s| s == 1.0).collect();
        let stats = case
            .get("sklearn_on_base")
            .unwrap_or(&case["sklearn_on_input"]);
        let theirs: Vec<bool> = stats["scaler"]["constant"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_bool().unwrap())
            .collect();
        assert_eq!(ours_constant, theirs, "{name}");
        assert_eq!(
            theirs,
            [
                false, true, true, true, true, true, false, false, false, false
            ],
            "{name}: the fixture's flip moved"
        );
    }
}
