//! What operators rely on: metrics, request ids, compression, CORS and a
//! graceful stop on SIGTERM.

use std::io::Write;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app, spawn_app_with};

fn small_request() -> Value {
    json!({
        "models": ["a", "b", "c"],
        "benchmarks": ["x", "y"],
        "scores": [[0.1, 0.2], [0.3, 0.5], [0.2, 0.2]],
    })
}

/// `GET /metrics`: a 200 in Prometheus's text format.
async fn metrics_text(app: &TestApp) -> String {
    let response = app
        .client
        .get(format!("{}/metrics", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    response.text().await.unwrap()
}

#[tokio::test]
async fn metrics_count_requests_by_route_and_status() {
    let app = spawn_app().await;
    app.post_json("/v1/pca", &small_request()).await;
    let mut bad = small_request();
    bad["models"][1] = json!("a");
    app.post_json("/v1/pca", &bad).await;
    let text = metrics_text(&app).await;
    for needle in [
        "obscaling_http_requests_total{route=\"/v1/pca\",method=\"POST\",status=\"200\"}",
        "obscaling_http_requests_total{route=\"/v1/pca\",method=\"POST\",status=\"422\"}",
        "obscaling_http_request_duration_seconds_bucket{route=\"/v1/pca\",le=\"+Inf\"}",
        "obscaling_matrix_cells_count",
        "obscaling_build_info{version=",
    ] {
        assert!(text.contains(needle), "metrics lack {needle}:\n{text}");
    }
    // Unknown paths share one label instead of one per path.
    app.get_status("/no/such/path/123").await;
    let text = metrics_text(&app).await;
    assert!(!text.contains("/no/such/path/123"));
    assert!(text.contains("route=\"unmatched\""));
    // Methods outside HTTP's standard ones share one label too.
    for name in ["FROB1", "FROB2"] {
        let method = reqwest::Method::from_bytes(name.as_bytes()).unwrap();
        let response = app
            .client
            .request(method, format!("{}/v1/pca", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 405);
    }
    let text = metrics_text(&app).await;
    assert!(!text.contains("FROB"), "{text}");
    assert!(
        text.contains("route=\"/v1/pca\",method=\"OTHER\",status=\"405\""),
        "{text}"
    );
}

#[tokio::test]
async fn request_ids_are_honoured_or_made() {
    let app = spawn_app().await;
    let sent = app
        .client
        .get(format!("{}/healthz", app.base))
        .header("x-request-id", "dash-42.a")
        .send()
        .await
        .unwrap();
    assert_eq!(sent.headers()["x-request-id"], "dash-42.a");
    let made = app
        .client
        .get(format!("{}/v1/nope", app.base))
        .send()
        .await
        .unwrap();
    let id = made.headers()["x-request-id"].to_str().unwrap().to_owned();
    assert_eq!(id.len(), 36, "a uuid: {id}");
    let unsafe_id = app
        .client
        .get(format!("{}/healthz", app.base))
        .header("x-request-id", "x\"; drop")
        .send()
        .await
        .unwrap();
    assert_ne!(unsafe_id.headers()["x-request-id"], "x\"; drop");
}

#[tokio::test]
async fn responses_are_compressed_on_request_and_compressed_bodies_accepted() {
    let app = spawn_app().await;
    let body = serde_json::to_vec(&small_request()).unwrap();
    for encoding in ["gzip", "br", "zstd"] {
        let response = app
            .client
            .post(format!("{}/v1/pca", app.base))
            .header("content-type", "application/json")
            .header("accept-encoding", encoding)
            .body(body.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 200);
        assert_eq!(response.headers()["content-encoding"], encoding);
    }
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&body).unwrap();
    let response = app
        .client
        .post(format!("{}/v1/pca", app.base))
        .header("content-type", "application/json")
        .header("content-encoding", "gzip")
        .body(gz.finish().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let json: Value = response.json().await.unwrap();
    assert_eq!(json["models"], json!(["a", "b", "c"]));
}

#[tokio::test]
async fn cross_origin_access_only_for_configured_origins() {
    let preflight = |app: &crate::helpers::TestApp, origin: &'static str| {
        app.client
            .request(reqwest::Method::OPTIONS, format!("{}/v1/pca", app.base))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "content-type")
            .send()
    };
    let closed = spawn_app().await;
    let response = preflight(&closed, "https://dash.example").await.unwrap();
    assert!(
        response
            .headers()
            .get("access-control-allow-origin")
            .is_none()
    );

    let open =
        spawn_app_with(|c| c.cors_allowed_origins = vec!["https://dash.example".into()]).await;
    let response = preflight(&open, "https://dash.example").await.unwrap();
    assert_eq!(
        response.headers()["access-control-allow-origin"],
        "https://dash.example"
    );
    let other = preflight(&open, "https://evil.example").await.unwrap();
    assert!(other.headers().get("access-control-allow-origin").is_none());
}

/// The binary on a free port with the given LOG_FORMAT, once it answers.
async fn spawn_binary(log_format: &str, stdout: Stdio) -> (Child, String) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_obscaling"))
        .env("HOST", "127.0.0.1")
        .env("PORT", port.to_string())
        .env("LOG_FORMAT", log_format)
        .env("RUST_LOG", "info")
        .stdout(stdout)
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    for _ in 0..100 {
        if client.get(format!("{base}/healthz")).send().await.is_ok() {
            return (child, base);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("the server did not start");
}

fn terminate(child: &Child) {
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
}

/// The access log: one JSON line per answered request with its id, method,
/// path, route, status and latency, the id being the one the client got.
#[tokio::test]
async fn every_request_is_logged_as_one_json_line_with_its_id() {
    let (child, base) = spawn_binary("json", Stdio::piped()).await;
    let client = reqwest::Client::new();
    let posted = client
        .post(format!("{base}/v1/pca"))
        .header("x-request-id", "log-test.1")
        .json(&small_request())
        .send()
        .await
        .unwrap();
    assert_eq!(posted.status(), 200);
    let missing = client
        .get(format!("{base}/no/such/path"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
    let made_id = missing.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    terminate(&child);
    let out = tokio::task::spawn_blocking(move || child.wait_with_output())
        .await
        .unwrap()
        .unwrap();
    let lines: Vec<Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
        .collect();
    let logged = |id: &str| {
        let found: Vec<&Value> = lines
            .iter()
            .filter(|l| l["message"] == "answered" && l["request_id"] == id)
            .collect();
        assert_eq!(found.len(), 1, "one line for {id} in {lines:#?}");
        found[0].clone()
    };
    let post = logged("log-test.1");
    assert_eq!(post["level"], "INFO");
    assert_eq!(post["method"], "POST");
    assert_eq!(post["path"], "/v1/pca");
    assert_eq!(post["route"], "/v1/pca");
    assert_eq!(post["status"], 200);
    assert!(
        post["latency_ms"].as_f64().is_some_and(|ms| ms >= 0.0),
        "{post}"
    );
    assert!(
        post["timestamp"].as_str().is_some_and(|t| t.ends_with('Z')),
        "{post}"
    );
    let get = logged(&made_id);
    assert_eq!(get["method"], "GET");
    assert_eq!(get["path"], "/no/such/path");
    assert_eq!(get["route"], "unmatched");
    assert_eq!(get["status"], 404);
}

/// SIGTERM: the process stops accepting, finishes what it was doing, exits 0.
#[tokio::test]
async fn sigterm_drains_in_flight_requests_and_exits_zero() {
    let (mut child, base) = spawn_binary("text", Stdio::null()).await;
    let client = reqwest::Client::new();
    // A request that computes for a while: many imputation iterations.
    let mut slow = crate::reliability::heavy_request(400, 20, 3000);
    slow["imputation"]["tol"] = json!(0);
    let in_flight = tokio::spawn({
        let client = client.clone();
        let url = format!("{base}/v1/pca");
        async move {
            client
                .post(url)
                .json(&slow)
                .send()
                .await
                .map(|r| r.status().as_u16())
        }
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    terminate(&child);
    let status = in_flight
        .await
        .unwrap()
        .expect("the in-flight request was answered");
    assert_eq!(status, 200);
    let exit = tokio::task::spawn_blocking(move || child.wait())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(exit.code(), Some(0));
    assert!(client.get(format!("{base}/healthz")).send().await.is_err());
}
