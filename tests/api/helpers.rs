//! Starting the service and talking to it.

use obscaling::plumbing::config::Config;
use obscaling::plumbing::startup::Application;
use serde_json::Value;

pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
}

/// The real server on 127.0.0.1 and a free port, with the default settings
/// except those `tweak` changes.
pub async fn spawn_app_with(tweak: impl FnOnce(&mut Config)) -> TestApp {
    let mut config = Config {
        host: "127.0.0.1".into(),
        port: 0,
        workers: 2,
        ..Config::default()
    };
    tweak(&mut config);
    let app = Application::build(&config).expect("server binds");
    let base = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped());
    TestApp {
        base,
        client: reqwest::Client::new(),
    }
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

impl TestApp {
    /// POSTs raw bytes with a content type; returns status, content type and the body as JSON.
    pub async fn post_raw(
        &self,
        path: &str,
        content_type: Option<&str>,
        body: Vec<u8>,
    ) -> (u16, String, Value) {
        let mut request = self.client.post(format!("{}{path}", self.base)).body(body);
        if let Some(ct) = content_type {
            request = request.header("content-type", ct);
        }
        read(request.send().await.expect("request sent")).await
    }

    pub async fn post_json(&self, path: &str, body: &Value) -> (u16, String, Value) {
        self.post_raw(
            path,
            Some("application/json"),
            serde_json::to_vec(body).unwrap(),
        )
        .await
    }

    /// The status of a GET, whatever the body.
    pub async fn get_status(&self, path: &str) -> u16 {
        let url = format!("{}{path}", self.base);
        self.client.get(url).send().await.unwrap().status().as_u16()
    }

    pub async fn get(&self, path: &str) -> (u16, String, Value) {
        read(
            self.client
                .get(format!("{}{path}", self.base))
                .send()
                .await
                .unwrap(),
        )
        .await
    }
}

async fn read(response: reqwest::Response) -> (u16, String, Value) {
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let bytes = response.bytes().await.expect("body read");
    let json = serde_json::from_slice(&bytes).unwrap_or_else(|_| {
        panic!(
            "status {status}: body is not JSON: {}",
            String::from_utf8_lossy(&bytes)
        )
    });
    (status, content_type, json)
}

/// A JSON array of numbers as a Vec.
pub fn floats(value: &Value) -> Vec<f64> {
    value
        .as_array()
        .unwrap_or_else(|| panic!("not an array: {value}"))
        .iter()
        .map(|v| v.as_f64().unwrap_or_else(|| panic!("not a number: {v}")))
        .collect()
}

/// A JSON array of arrays of numbers as rows.
pub fn matrix(value: &Value) -> Vec<Vec<f64>> {
    value.as_array().unwrap().iter().map(floats).collect()
}

#[path = "../../benches/common/matgen.rs"]
mod matgen;

/// The matrix generator of the reference cases (benches/common/matgen.rs),
/// as rows for a JSON body.
pub fn generated_matrix(n: usize, p: usize, rank: usize, noise: f64, seed: u64) -> Vec<Vec<f64>> {
    matgen::generated_matrix(n, p, rank, noise, seed)
        .outer_iter()
        .map(|row| row.to_vec())
        .collect()
}

/// The cases of a reference file in tests/fixtures/reference/ (its `cases`
/// array), each with its `name`.
pub fn reference_cases(file: &str) -> Vec<Value> {
    let path = format!(
        "{}/tests/fixtures/reference/{file}",
        env!("CARGO_MANIFEST_DIR")
    );
    let file: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    file["cases"].as_array().unwrap().clone()
}

/// The case called `name` of a reference file.
pub fn reference_case(file: &str, name: &str) -> Value {
    reference_cases(file)
        .into_iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no case {name} in {file}"))
}
