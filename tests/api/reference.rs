//! POST /v1/pca against scikit-learn.
//!
//! Expected numbers: tests/fixtures/reference/pca_cases.json, written by
//! tests/fixtures/reference/make_pca_reference.py with scikit-learn 1.9.1 /
//! numpy 2.4.6 (`PCA(svd_solver="full")`, float64, `StandardScaler` for the
//! standardised cases); the paper cases use the complete rows of
//! tests/fixtures/data/paper_set_77.csv. Tolerances are the core issue's:
//! 1e-9 on ratios, 1e-7 on components and projections.

use serde_json::{Value, json};

use crate::helpers::{
    TestApp, floats, generated_matrix, matrix, reference_case, reference_cases, spawn_app,
};

const RATIO_TOL: f64 = 1e-9;
const VECTOR_TOL: f64 = 1e-7;
/// Singular values and variances, relative to the largest.
const VALUE_REL_TOL: f64 = 1e-9;

fn cases() -> Vec<Value> {
    reference_cases("pca_cases.json")
}

fn case(name: &str) -> Value {
    reference_case("pca_cases.json", name)
}

/// The request body of a case: its stored input, or its regenerated matrix
/// (checked against the stored checksum first).
fn request_for(case: &Value, sign: &str) -> Value {
    let input = if let Some(input) = case.get("input") {
        input.clone()
    } else {
        let g = &case["generated"];
        let (n, p) = (
            g["n"].as_u64().unwrap() as usize,
            g["p"].as_u64().unwrap() as usize,
        );
        let x = generated_matrix(
            n,
            p,
            g["rank"].as_u64().unwrap() as usize,
            g["noise"].as_f64().unwrap(),
            g["seed"].as_u64().unwrap(),
        );
        let sum: f64 = x.iter().flatten().fold(0.0, |acc, v| acc + v);
        assert_eq!(
            sum,
            case["checksum"]["sum"].as_f64().unwrap(),
            "generator drifted"
        );
        assert_eq!(x[0][..5].to_vec(), floats(&case["checksum"]["first_row"]));
        json!({
            "models": (0..n).map(|i| format!("m{i}")).collect::<Vec<_>>(),
            "benchmarks": (0..p).map(|j| format!("b{j}")).collect::<Vec<_>>(),
            "scores": x,
        })
    };
    let mut body = input;
    body["n_components"] = case["n_components"].clone();
    body["standardize"] = case["standardize"].clone();
    body["sign"] = json!(sign);
    body
}

fn assert_close(ours: &[f64], theirs: &[f64], tol: f64, what: &str) {
    assert_eq!(ours.len(), theirs.len(), "{what}: lengths differ");
    for (i, (a, b)) in ours.iter().zip(theirs).enumerate() {
        assert!(
            (a - b).abs() <= tol,
            "{what}[{i}]: ours {a}, scikit-learn {b}, tolerance {tol}"
        );
    }
}

/// A component is determined (up to sign) when its singular value is clearly
/// non-zero and separated from its neighbours; otherwise any orthonormal
/// completion is as right as scikit-learn's and only orthonormality is checked.
fn determined(all_s: &[f64], i: usize) -> bool {
    let top = all_s[0];
    let s = all_s[i];
    let separated = |j: usize| (s - all_s[j]).abs() > 1e-6 * top;
    s > 1e-9 * top && (i == 0 || separated(i - 1)) && (i + 1 >= all_s.len() || separated(i + 1))
}

/// Compares a response made with `sign = "max_abs_positive"` (scikit-learn's
/// own convention, so determined components must agree in sign too).
fn check_against_reference(name: &str, ours: &Value, expected: &Value) {
    let k = expected["n_components"].as_u64().unwrap() as usize;
    assert_eq!(
        ours["n_components"].as_u64().unwrap() as usize,
        k,
        "{name}: n_components"
    );
    let all_s = floats(&expected["all_singular_values"]);
    let top = all_s[0];
    let top_var = floats(&expected["explained_variance"])[0];

    assert_close(
        &floats(&ours["explained_variance_ratio"]),
        &floats(&expected["explained_variance_ratio"]),
        RATIO_TOL,
        &format!("{name} ratio"),
    );
    assert_close(
        &floats(&ours["singular_values"]),
        &floats(&expected["singular_values"]),
        VALUE_REL_TOL * top,
        &format!("{name} singular_values"),
    );
    assert_close(
        &floats(&ours["explained_variance"]),
        &floats(&expected["explained_variance"]),
        VALUE_REL_TOL * top_var,
        &format!("{name} explained_variance"),
    );
    assert_close(
        &[ours["total_variance"].as_f64().unwrap()],
        &[expected["total_variance"].as_f64().unwrap()],
        VALUE_REL_TOL * top_var,
        &format!("{name} total_variance"),
    );
    assert_close(
        &floats(&ours["mean"]),
        &floats(&expected["mean"]),
        1e-12,
        &format!("{name} mean"),
    );
    match expected["scale"].as_array() {
        Some(_) => assert_close(
            &floats(&ours["scale"]),
            &floats(&expected["scale"]),
            1e-12,
            &format!("{name} scale"),
        ),
        None => assert!(
            ours["scale"].is_null(),
            "{name}: scale must be null without standardising"
        ),
    }
    let cumulative = floats(&ours["cumulative_explained_variance_ratio"]);
    let ratio = floats(&ours["explained_variance_ratio"]);
    let mut acc = 0.0;
    for (c, r) in cumulative.iter().zip(&ratio) {
        acc += r;
        assert!(
            (c - acc).abs() < 1e-12,
            "{name}: cumulative ratio is not the running sum"
        );
    }

    let comps = matrix(&ours["components"]);
    let ref_comps = matrix(&expected["components"]);
    assert_eq!(comps.len(), k);
    for a in 0..k {
        for b in 0..k {
            let dot: f64 = comps[a].iter().zip(&comps[b]).map(|(x, y)| x * y).sum();
            let want = if a == b { 1.0 } else { 0.0 };
            assert!(
                (dot - want).abs() < 1e-10,
                "{name}: components {a} and {b} not orthonormal ({dot})"
            );
        }
    }

    let proj = matrix(&ours["projections"]);
    let ref_proj = matrix(&expected["projections"]);
    let rows: Vec<usize> = match expected.get("projection_rows") {
        Some(rows) => rows
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r.as_u64().unwrap() as usize)
            .collect(),
        None => (0..proj.len()).collect(),
    };
    assert_eq!(rows.len(), ref_proj.len());
    for i in 0..k {
        let column =
            |m: &[Vec<f64>], rows: &[usize]| rows.iter().map(|&r| m[r][i]).collect::<Vec<_>>();
        let ours_col = column(&proj, &rows);
        let theirs_col: Vec<f64> = ref_proj.iter().map(|r| r[i]).collect();
        if determined(&all_s, i) {
            assert_close(
                &comps[i],
                &ref_comps[i],
                VECTOR_TOL,
                &format!("{name} component {i}"),
            );
            assert_close(
                &ours_col,
                &theirs_col,
                VECTOR_TOL,
                &format!("{name} projection column {i}"),
            );
        } else if all_s[i] <= 1e-9 * top {
            // Directions of zero variance: every model projects to ~0 on them.
            assert_close(
                &ours_col,
                &theirs_col,
                VECTOR_TOL,
                &format!("{name} null projection column {i}"),
            );
        }
    }
}

async fn run_case(app: &TestApp, name: &str) {
    let case = case(name);
    let (status, _, body) = app
        .post_json("/v1/pca", &request_for(&case, "max_abs_positive"))
        .await;
    assert_eq!(status, 200, "{name}: {body}");
    check_against_reference(name, &body, &case["expected"]);
    // The labels come back in request order.
    if let Some(input) = case.get("input") {
        assert_eq!(body["models"], input["models"]);
        assert_eq!(body["benchmarks"], input["benchmarks"]);
    }
}

macro_rules! reference_tests {
    ($($test:ident => $case:literal,)*) => {$(
        #[tokio::test]
        async fn $test() {
            let app = spawn_app().await;
            run_case(&app, $case).await;
        }
    )*};
}

reference_tests! {
    paper77_complete_rows_centred => "paper77_complete_centred",
    paper77_complete_rows_standardized_k3 => "paper77_complete_standardized_k3",
    paper77_complete_rows_fraction_095 => "paper77_complete_fraction_095",
    wide_matrix_with_fewer_models_than_benchmarks => "wide_n_lt_p",
    duplicate_benchmark_column => "duplicate_benchmark",
    linearly_dependent_benchmarks => "linearly_dependent",
    low_rank_12x20_with_5_components => "low_rank_12x20_k5",
    low_rank_12x20_standardized => "low_rank_12x20_k5_standardized",
    constant_benchmark_standardized => "constant_column_standardized",
    two_models => "two_models",
    square_matrix_fraction_099 => "square_fraction_099",
    big_5000x200_with_10_components => "big_5000x200_k10",
}

#[tokio::test]
async fn every_reference_case_is_covered() {
    let names: Vec<String> = cases()
        .iter()
        .map(|c| c["name"].as_str().unwrap().to_owned())
        .collect();
    let source = include_str!("reference.rs");
    for name in names {
        assert!(
            source.contains(&format!("=> \"{name}\"")),
            "reference case {name} has no test"
        );
    }
}

#[tokio::test]
async fn default_sign_makes_every_loading_sum_positive() {
    let app = spawn_app().await;
    let mut request = request_for(&case("paper77_complete_centred"), "positive_sum");
    request.as_object_mut().unwrap().remove("sign");
    let (status, _, body) = app.post_json("/v1/pca", &request).await;
    assert_eq!(status, 200);
    let comps = matrix(&body["components"]);
    for (i, row) in comps.iter().enumerate() {
        assert!(
            row.iter().sum::<f64>() > 0.0,
            "component {i} sums to a negative number"
        );
    }
    // On real leaderboards PC1 is a general-capability axis: all loadings positive.
    assert!(
        comps[0].iter().all(|&l| l > 0.0),
        "PC1 loadings {:?}",
        comps[0]
    );
    // Flipping a component flips its projections: they stay consistent.
    let proj = matrix(&body["projections"]);
    let reference = &case("paper77_complete_centred")["expected"];
    let ref_comps = matrix(&reference["components"]);
    let ref_proj = matrix(&reference["projections"]);
    for i in 0..comps.len() {
        let sign = if comps[i][0] * ref_comps[i][0] > 0.0 {
            1.0
        } else {
            -1.0
        };
        let ours: Vec<f64> = proj.iter().map(|r| r[i] * sign).collect();
        let theirs: Vec<f64> = ref_proj.iter().map(|r| r[i]).collect();
        assert_close(
            &ours,
            &theirs,
            VECTOR_TOL,
            &format!("projection column {i}"),
        );
    }
}

#[tokio::test]
async fn row_order_does_not_change_the_decomposition() {
    let app = spawn_app().await;
    let case = case("paper77_complete_centred");
    let request = request_for(&case, "positive_sum");
    let mut reversed = request.clone();
    for key in ["models", "scores"] {
        let mut items = reversed[key].as_array().unwrap().clone();
        items.reverse();
        reversed[key] = json!(items);
    }
    let (_, _, a) = app.post_json("/v1/pca", &request).await;
    let (_, _, b) = app.post_json("/v1/pca", &reversed).await;
    assert_close(
        &floats(&a["explained_variance_ratio"]),
        &floats(&b["explained_variance_ratio"]),
        1e-12,
        "ratio",
    );
    let (ca, cb) = (matrix(&a["components"]), matrix(&b["components"]));
    for i in 0..ca.len() {
        assert_close(&ca[i], &cb[i], 1e-9, &format!("component {i}"));
    }
    let (pa, pb) = (matrix(&a["projections"]), matrix(&b["projections"]));
    let n = pa.len();
    for r in 0..n {
        assert_close(&pa[r], &pb[n - 1 - r], 1e-9, &format!("projection row {r}"));
    }
}
