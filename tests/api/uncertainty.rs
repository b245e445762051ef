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
