//! Bootstrap intervals and parallel analysis over HTTP: the options, their
//! limits and the answer's shape (the simulations that check the intervals
//! themselves are in-process, in tests/core/uncertainty.rs).

fn paper_request() -> serde_json::Value {
    crate::helpers::reference_cases("pca_cases.json")[0]["input"].clone()
}

#[tokio::test]
async fn bootstrap_and_auto_components_over_http() {
    let app = crate::helpers::spawn_app_with(|c| c.max_resamples = 500).await;
    let mut request = paper_request();
    request["n_components"] = serde_json::json!("auto");
    request["standardize"] = serde_json::json!(true);
    request["bootstrap"] = serde_json::json!({"resamples": 300, "confidence": 0.9, "seed": 7});
    let (status, _, a) = app.post_json("/v1/pca", &request).await;
    assert_eq!(status, 200, "{a}");
    let pa = &a["parallel_analysis"];
    assert_eq!(a["n_components"], pa["n_retained"]);
    assert!(pa["n_retained"].as_u64().unwrap() >= 1);
    assert_eq!(pa["reference_eigenvalues"].as_array().unwrap().len(), 8);
    let ratio = crate::helpers::floats(&a["explained_variance_ratio"]);
    let lower = crate::helpers::floats(&a["bootstrap"]["explained_variance_ratio_lower"]);
    let upper = crate::helpers::floats(&a["bootstrap"]["explained_variance_ratio_upper"]);
    for c in 0..ratio.len() {
        assert!(
            lower[c] <= ratio[c] && ratio[c] <= upper[c],
            "component {c}: {} not in [{}, {}]",
            ratio[c],
            lower[c],
            upper[c]
        );
    }
    assert_eq!(a["bootstrap"]["method"], "percentile");
    // The same seed, the same intervals.
    let (_, _, b) = app.post_json("/v1/pca", &request).await;
    assert_eq!(a["bootstrap"], b["bootstrap"]);
    // Limits and ranges are coded, each message naming the field as sent.
    for (member, options, code, detail) in [
        (
            "bootstrap",
            serde_json::json!({"resamples": 1}),
            "invalid_bootstrap",
            "bootstrap.resamples must be a whole number between 2 and 500",
        ),
        (
            "bootstrap",
            serde_json::json!({"resamples": 501}),
            "invalid_bootstrap",
            "MAX_RESAMPLES",
        ),
        (
            "bootstrap",
            serde_json::json!({"resamples": 2.5}),
            "invalid_bootstrap",
            "got 2.5",
        ),
        (
            "bootstrap",
            serde_json::json!({"resamples": 100, "confidence": 1.0}),
            "invalid_bootstrap",
            "bootstrap.confidence must lie strictly between 0 and 1, got 1",
        ),
        (
            "bootstrap",
            serde_json::json!({"seed": -1}),
            "invalid_bootstrap",
            "bootstrap.seed",
        ),
        (
            "parallel_analysis",
            serde_json::json!({"iterations": 501}),
            "invalid_parallel_analysis",
            "parallel_analysis.iterations must be a whole number between 1 and 500",
        ),
        (
            "parallel_analysis",
            serde_json::json!({"quantile": 0}),
            "invalid_parallel_analysis",
            "parallel_analysis.quantile must lie strictly between 0 and 1, got 0",
        ),
        (
            "parallel_analysis",
            serde_json::json!({"seed": -3}),
            "invalid_parallel_analysis",
            "parallel_analysis.seed must be a whole number, at least 0, got -3",
        ),
    ] {
        let mut bad = request.clone();
        bad[member] = options;
        let (status, _, body) = app.post_json("/v1/pca", &bad).await;
        assert_eq!((status, body["code"].as_str()), (422, Some(code)), "{body}");
        assert!(body["detail"].as_str().unwrap().contains(detail), "{body}");
    }
}

#[tokio::test]
async fn parallel_analysis_warns_when_no_component_beats_noise() {
    let app = crate::helpers::spawn_app().await;
    // 9 x 7 independent uniform draws in [0, 1): every eigenvalue is below
    // its permutation reference (the core's unit test reads the same file).
    let noise: Vec<Vec<f64>> = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/noise_9x7.txt"),
    )
    .unwrap()
    .lines()
    .filter(|line| !line.starts_with('#'))
    .map(|line| {
        line.split_whitespace()
            .map(|v| v.parse().unwrap())
            .collect()
    })
    .collect();
    assert_eq!((noise.len(), noise[0].len()), (9, 7));
    let request = serde_json::json!({
        "models": (0..9).map(|i| format!("m{i}")).collect::<Vec<_>>(),
        "benchmarks": (0..7).map(|j| format!("b{j}")).collect::<Vec<_>>(),
        "scores": noise,
        "n_components": "auto",
    });
    let (status, _, answer) = app.post_json("/v1/pca", &request).await;
    assert_eq!(status, 200, "{answer}");
    let pa = &answer["parallel_analysis"];
    assert!(
        pa["observed_eigenvalues"][0].as_f64() <= pa["reference_eigenvalues"][0].as_f64(),
        "{pa}"
    );
    assert_eq!(pa["n_retained"], 1, "an answer keeps one component");
    assert_eq!(answer["n_components"], 1);
    let codes: Vec<&str> = answer["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["no_component_beats_noise"], "{answer}");

    // A board with a real component says nothing of the kind.
    let paper_auto = {
        let mut r = paper_request();
        r["n_components"] = serde_json::json!("auto");
        r
    };
    let (status, _, auto) = app.post_json("/v1/pca", &paper_auto).await;
    assert_eq!(status, 200, "{auto}");
    let pa = &auto["parallel_analysis"];
    assert!(
        pa["observed_eigenvalues"][0].as_f64() > pa["reference_eigenvalues"][0].as_f64(),
        "{pa}"
    );
    let warnings = auto["warnings"]
        .as_array()
        .map_or(&[][..], |w| w.as_slice());
    assert!(
        warnings
            .iter()
            .all(|w| w["code"] != "no_component_beats_noise"),
        "{auto}"
    );
}
