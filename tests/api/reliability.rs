//! Limits, deadlines and staying responsive: every request gets a coded
//! answer, and one heavy request does not hold up the others.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::helpers::{generated_matrix, spawn_app, spawn_app_with};

/// An n x p leaderboard with a missing cell in every tenth row, whose
/// iterative imputation (tol 0) runs exactly `max_iter` iterations.
pub fn heavy_request(n: usize, p: usize, max_iter: u64) -> Value {
    let mut scores: Vec<Vec<Value>> = generated_matrix(n, p, 3, 0.1, 99)
        .into_iter()
        .map(|row| row.into_iter().map(|v| json!(v)).collect())
        .collect();
    for (i, row) in scores.iter_mut().enumerate().step_by(10) {
        row[i % p] = Value::Null;
    }
    json!({
        "models": (0..n).map(|i| format!("m{i}")).collect::<Vec<_>>(),
        "benchmarks": (0..p).map(|j| format!("b{j}")).collect::<Vec<_>>(),
        "scores": scores,
        "imputation": {"max_iter": max_iter, "tol": 0},
        "n_components": 3,
    })
}

#[tokio::test]
async fn too_many_cells_is_a_413() {
    let app = spawn_app_with(|c| c.max_cells = 100).await;
    let (status, _, body) = app.post_json("/v1/pca", &heavy_request(20, 6, 1)).await;
    assert_eq!(status, 413, "{body}");
    assert_eq!(body["code"], "too_many_cells");
    assert!(body["detail"].as_str().unwrap().contains("120"));
    let (status, _, _) = app.post_json("/v1/pca", &heavy_request(10, 6, 1)).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn iterations_beyond_the_configured_limit_are_refused() {
    let app = spawn_app_with(|c| c.max_iterations = 50).await;
    let (status, _, body) = app.post_json("/v1/pca", &heavy_request(30, 5, 51)).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (422, Some("invalid_imputation")),
        "{body}"
    );
    assert!(body["detail"].as_str().unwrap().contains("MAX_ITERATIONS"));
    let (status, _, body) = app.post_json("/v1/pca", &heavy_request(30, 5, 50)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["imputation"]["iterations"], 50);
}

#[tokio::test]
async fn a_computation_past_the_deadline_is_a_503_and_the_server_goes_on() {
    let app = spawn_app_with(|c| c.compute_deadline = Duration::from_millis(50)).await;
    // Far more work than 50 ms: 100000 imputation iterations.
    let (status, content_type, body) = app
        .post_json("/v1/pca", &heavy_request(200, 20, 100_000))
        .await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(content_type, "application/problem+json");
    assert_eq!(body["code"], "deadline_exceeded");
    let (status, _, _) = app.get("/healthz").await;
    assert_eq!(status, 200);
    let (status, _, _) = app.post_json("/v1/pca", &heavy_request(20, 5, 1)).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn health_and_small_requests_are_answered_while_large_ones_compute() {
    // The large requests run until the deadline, so they last as long in a
    // debug build as in a release one (the small ones start 100 ms in).
    let app = spawn_app_with(|c| {
        c.compute_deadline = Duration::from_millis(1500);
        c.max_resamples = 1_000_000;
    })
    .await;
    // Large enough (over 64 KiB) to run on the compute pool, and far more
    // than 1.5 s of work: 100 000 bootstrap refits of a 1000 x 30 matrix
    // (3 components: 9 million loadings kept, within MAX_BOOTSTRAP_VALUES).
    let mut large = heavy_request(1000, 30, 1);
    large["bootstrap"] = json!({"resamples": 100_000});
    let large = serde_json::to_vec(&large).unwrap();
    let started = Instant::now();
    let post_large = |body: Vec<u8>| {
        let app = &app;
        async move {
            let (status, _, _) = app
                .post_raw("/v1/pca", Some("application/json"), body)
                .await;
            (status, started.elapsed())
        }
    };
    let small = async {
        // Give the large requests a head start.
        tokio::time::sleep(Duration::from_millis(100)).await;
        let (health, _, _) = app.get("/healthz").await;
        let (pca, _, _) = app.post_json("/v1/pca", &heavy_request(10, 4, 5)).await;
        (health, pca, started.elapsed())
    };
    let ((s1, t1), (s2, t2), (health, pca, t_small)) =
        tokio::join!(post_large(large.clone()), post_large(large), small);
    assert_eq!((s1, s2, health, pca), (503, 503, 200, 200));
    assert!(
        t_small < t1.min(t2),
        "small requests ({t_small:?}) waited for the large ones ({t1:?}, {t2:?})"
    );
}

/// A client that keeps sending an oversized body still reads the 413.
#[tokio::test]
async fn an_oversized_body_still_being_sent_gets_its_413() {
    let app = spawn_app_with(|c| c.max_body_bytes = 100_000).await;
    let address = app.base.trim_start_matches("http://").to_owned();
    let response = tokio::task::spawn_blocking(move || {
        let mut stream = TcpStream::connect(&address).unwrap();
        stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let size = 20_000_000;
        let head = format!(
            "POST /v1/pca HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\nContent-Length: {size}\r\n\r\n"
        );
        let mut writer = stream.try_clone().unwrap();
        let sender = std::thread::spawn(move || {
            let _ = writer.write_all(head.as_bytes());
            let chunk = vec![b' '; 64 * 1024];
            let mut sent = 0;
            // The server may close its side once it has answered: stop then.
            while sent < size && writer.write_all(&chunk).is_ok() {
                sent += chunk.len();
            }
        });
        let mut response = Vec::new();
        let mut buf = [0u8; 4096];
        while let Ok(n) = stream.read(&mut buf) {
            if n == 0 {
                break;
            }
            response.extend_from_slice(&buf[..n]);
            if response.windows(17).any(|w| w == b"payload_too_large") {
                break;
            }
        }
        drop(stream);
        let _ = sender.join();
        String::from_utf8_lossy(&response).into_owned()
    })
    .await
    .unwrap();
    assert!(response.starts_with("HTTP/1.1 413"), "got {response:?}");
    assert!(response.contains("payload_too_large"));
}

/// Sends `head` and then `body` in `pieces` writes with pauses between them
/// (so the server reads them as separate chunks); the whole raw response.
fn send_in_pieces(address: &str, head: &str, body: &[u8], pieces: usize) -> String {
    let mut stream = TcpStream::connect(address).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream.set_nodelay(true).unwrap();
    stream.write_all(head.as_bytes()).unwrap();
    for piece in body.chunks(body.len().div_ceil(pieces)) {
        std::thread::sleep(Duration::from_millis(20));
        stream.write_all(piece).unwrap();
    }
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response);
    String::from_utf8_lossy(&response).into_owned()
}

/// The JSON after the head of a raw `Connection: close` response.
fn answer_of(raw: &str) -> Value {
    let (_, body) = raw.split_once("\r\n\r\n").expect("a response head");
    serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {raw}"))
}

/// A body that arrives in several reads, with a length or chunked, is the
/// same request as one sent whole; past the limit, chunked, it is a 413.
#[tokio::test]
async fn bodies_arriving_in_pieces_are_read_whole() {
    let app = spawn_app_with(|c| c.max_body_bytes = 50_000).await;
    let request = heavy_request(60, 6, 5);
    let (status, _, whole) = app.post_json("/v1/pca", &request).await;
    assert_eq!(status, 200, "{whole}");
    let body = serde_json::to_vec(&request).unwrap();
    assert!(body.len() < 50_000);
    let address = app.base.trim_start_matches("http://").to_owned();
    let (raw_length, raw_chunked, raw_too_large) = tokio::task::spawn_blocking(move || {
        let head = "POST /v1/pca HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\nConnection: close\r\n";
        let with_length = send_in_pieces(
            &address,
            &format!("{head}Content-Length: {}\r\n\r\n", body.len()),
            &body,
            4,
        );
        // Chunked framing: each piece of the body is one HTTP chunk.
        let chunked = |body: &[u8]| {
            let mut framed = Vec::new();
            for piece in body.chunks(body.len().div_ceil(5)) {
                framed.extend_from_slice(format!("{:x}\r\n", piece.len()).as_bytes());
                framed.extend_from_slice(piece);
                framed.extend_from_slice(b"\r\n");
            }
            framed.extend_from_slice(b"0\r\n\r\n");
            framed
        };
        let chunked_head = format!("{head}Transfer-Encoding: chunked\r\n\r\n");
        let with_chunks = send_in_pieces(&address, &chunked_head, &chunked(&body), 5);
        let mut large = body.clone();
        large.extend(std::iter::repeat_n(b' ', 60_000));
        let too_large = send_in_pieces(&address, &chunked_head, &chunked(&large), 5);
        (with_length, with_chunks, too_large)
    })
    .await
    .unwrap();
    for raw in [&raw_length, &raw_chunked] {
        assert!(raw.starts_with("HTTP/1.1 200"), "{raw}");
        assert_eq!(answer_of(raw), whole);
    }
    assert!(raw_too_large.starts_with("HTTP/1.1 413"), "{raw_too_large}");
    assert_eq!(answer_of(&raw_too_large)["code"], "payload_too_large");
}

/// Sends `request` raw and reads what comes back until the server closes
/// the connection or `wait` passes; the raw response.
fn raw_exchange(address: &str, request: &[u8], wait: Duration) -> String {
    let mut stream = TcpStream::connect(address).unwrap();
    stream.set_read_timeout(Some(wait)).unwrap();
    stream.write_all(request).unwrap();
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response);
    String::from_utf8_lossy(&response).into_owned()
}

/// A body that stops arriving is answered 408 `body_timeout` once
/// BODY_TIMEOUT_MS has passed, and its connection is closed.
#[tokio::test]
async fn a_body_that_drips_in_is_cut_at_the_body_timeout() {
    let app = spawn_app_with(|c| c.body_timeout = Duration::from_millis(300)).await;
    let address = app.base.trim_start_matches("http://").to_owned();
    let raw = tokio::task::spawn_blocking(move || {
        let head = "POST /v1/pca HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"models\"";
        // read_to_end returns when the server closes: well before 30 s.
        raw_exchange(&address, head.as_bytes(), Duration::from_secs(30))
    })
    .await
    .unwrap();
    assert!(raw.starts_with("HTTP/1.1 408"), "{raw}");
    assert!(
        raw.to_ascii_lowercase().contains("connection: close"),
        "{raw}"
    );
    let answer = answer_of(&raw);
    assert_eq!(answer["code"], "body_timeout", "{answer}");
    assert!(
        answer["detail"]
            .as_str()
            .unwrap()
            .contains("BODY_TIMEOUT_MS")
    );
}

/// Framing errors: a chunked body whose chunk size is not a number reaches
/// the service, which answers 400 `malformed_body`; those actix refuses
/// before any service runs (docs/api.md lists them) get its bare answer.
#[tokio::test]
async fn framing_errors_are_answered() {
    let app = spawn_app().await;
    let address = app.base.trim_start_matches("http://").to_owned();
    let body = r#"{"models":["a","b","c"],"benchmarks":["x","y"],"scores":[[0.1,0.2],[0.3,0.5],[0.2,0.2]]}"#;
    let head = "POST /v1/pca HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\nConnection: close\r\n";
    let len = body.len();
    let headers: String = (0..100).map(|i| format!("X-H{i}: v\r\n")).collect();
    let cases = [
        (
            format!("{head}Transfer-Encoding: chunked\r\n\r\nzz\r\n{body}\r\n0\r\n\r\n"),
            "HTTP/1.1 400",
            Some("malformed_body"),
        ),
        (
            format!("{head}Content-Length: {len}\r\nContent-Length: {len}\r\n\r\n{body}"),
            "HTTP/1.1 400",
            None,
        ),
        (
            format!("{head}Content-Length: {len}\r\nTransfer-Encoding: chunked\r\n\r\n{body}"),
            "HTTP/1.1 400",
            None,
        ),
        (
            format!("{head}{headers}Content-Length: {len}\r\n\r\n{body}"),
            "HTTP/1.1 431",
            None,
        ),
        (
            format!("{head}X-Request-Id: a\u{1}b\r\nContent-Length: {len}\r\n\r\n{body}"),
            "HTTP/1.1 400",
            None,
        ),
    ];
    for (request, status, code) in cases {
        let address = address.clone();
        let raw = tokio::task::spawn_blocking(move || {
            raw_exchange(&address, request.as_bytes(), Duration::from_secs(10))
        })
        .await
        .unwrap();
        assert!(raw.starts_with(status), "{raw}");
        if let Some(code) = code {
            assert!(
                raw.contains("application/problem+json"),
                "not a problem: {raw}"
            );
            assert_eq!(answer_of(&raw)["code"], code, "{raw}");
        }
    }
    // A request id that is not plain is replaced by a made one, and the
    // request is answered as usual.
    let response = app
        .client
        .post(format!("{}/v1/pca", app.base))
        .header("content-type", "application/json")
        .header("x-request-id", "has space; and \"quotes\"")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let id = response.headers()["x-request-id"].to_str().unwrap();
    assert!(uuid_like(id), "{id}");
}

fn uuid_like(id: &str) -> bool {
    id.len() == 36 && id.chars().filter(|&c| c == '-').count() == 4
}

/// Whatever a request's body size, its analysis runs on the compute pool:
/// two small bodies (under 64 KiB, which once ran on the HTTP workers) that
/// compute until their deadline hold no worker, and the probes answer while
/// both are provably still in flight. Each probe must be answered within
/// 50 ms at least once in five tries (on a shared machine one try may be
/// slow for reasons of its own; a probe stuck behind the computation waits
/// seconds every time).
#[tokio::test]
async fn probes_answer_at_once_while_small_heavy_requests_compute() {
    let app = spawn_app_with(|c| c.compute_deadline = Duration::from_secs(6)).await;
    let heavy = serde_json::to_vec(&heavy_request(150, 15, 100_000)).unwrap();
    assert!(heavy.len() < 64 * 1024, "{} bytes", heavy.len());
    let post = |body: Vec<u8>| {
        let (client, url) = (app.client.clone(), format!("{}/v1/pca", app.base));
        tokio::spawn(async move {
            let response = client
                .post(url)
                .header("content-type", "application/json")
                .body(body)
                .send()
                .await
                .unwrap();
            response.status().as_u16()
        })
    };
    // One per HTTP worker (the test server has two).
    let first = post(heavy.clone());
    let second = post(heavy);
    tokio::time::sleep(Duration::from_millis(500)).await;
    for path in ["/healthz", "/readyz", "/metrics"] {
        let mut fastest = Duration::MAX;
        for _ in 0..5 {
            // A new connection each time, so that it may land on either worker.
            let client = reqwest::Client::new();
            let started = Instant::now();
            let status = client
                .get(format!("{}{path}", app.base))
                .send()
                .await
                .unwrap()
                .status();
            fastest = fastest.min(started.elapsed());
            assert_eq!(status.as_u16(), 200, "{path}");
        }
        assert!(
            !first.is_finished() && !second.is_finished(),
            "the heavy requests ended before the probes: they prove nothing"
        );
        assert!(
            fastest < Duration::from_millis(50),
            "{path}: the fastest of five probes took {fastest:?}"
        );
    }
    assert_eq!((first.await.unwrap(), second.await.unwrap()), (503, 503));
}
