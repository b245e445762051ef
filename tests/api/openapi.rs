//! The OpenAPI contract: generated from the code, checked in, served, browsable offline.

use serde_json::Value;

use crate::helpers::spawn_app;

const REGENERATE: &str = "cargo run -- --openapi > openapi/openapi.json";

fn checked_in() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/openapi.json"))
        .expect("openapi/openapi.json is checked in")
}

#[test]
fn checked_in_spec_is_what_the_code_generates() {
    let generated = obscaling::api::openapi_json();
    assert!(
        checked_in().trim_end() == generated.trim_end(),
        "openapi/openapi.json is stale: regenerate it with `{REGENERATE}` and review the diff"
    );
}

#[tokio::test]
async fn served_spec_is_the_checked_in_one() {
    let app = spawn_app().await;
    let (status, _, served) = app.get("/openapi.json").await;
    assert_eq!(status, 200);
    let file: Value = serde_json::from_str(&checked_in()).unwrap();
    assert_eq!(served, file);
    assert_eq!(served["openapi"], "3.1.0");
}

#[test]
fn spec_lists_every_error_code_and_documents_every_route() {
    let spec: Value = serde_json::from_str(&checked_in()).unwrap();
    let codes: Vec<&str> = spec["components"]["schemas"]["ErrorCode"]["enum"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    for code in obscaling::api::error::ErrorCode::ALL {
        assert!(
            codes.contains(&code.as_str()),
            "{code} missing from the spec"
        );
    }
    let pca = &spec["paths"]["/v1/pca"]["post"];
    // Every 422 code is documented on an operation that can answer it.
    let text_422: String = spec["paths"]
        .as_object()
        .unwrap()
        .values()
        .filter_map(|item| item["post"]["responses"]["422"]["description"].as_str())
        .collect();
    for code in obscaling::api::error::ErrorCode::ALL {
        if code.status().as_u16() == 422 {
            assert!(
                text_422.contains(&format!("`{code}`")),
                "no 422 description lists {code}"
            );
        }
    }
    for status in ["200", "400", "413", "415", "422", "500"] {
        assert!(
            pca["responses"][status].is_object(),
            "POST /v1/pca lacks {status}"
        );
    }
    assert!(pca["requestBody"]["content"]["text/csv"].is_object());
    assert!(pca["requestBody"]["content"]["application/json"].is_object());
    for path in ["/healthz", "/readyz"] {
        assert!(
            spec["paths"][path]["get"].is_object(),
            "{path} undocumented"
        );
    }
}

#[tokio::test]
async fn docs_page_is_served_without_any_external_asset() {
    let app = spawn_app().await;
    let redirect = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(format!("{}/docs", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(redirect.status().as_u16(), 307);
    assert_eq!(redirect.headers()["location"], "/docs/");
    let page = app
        .client
        .get(format!("{}/docs/", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status().as_u16(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("swagger"), "not the Swagger UI page");
    for attr in [
        "src=\"http",
        "href=\"http",
        "src='http",
        "href='http",
        "//cdn",
        "unpkg",
    ] {
        assert!(
            !html.contains(attr),
            "the docs page loads an external asset ({attr})"
        );
    }
    // The page's scripts and styles come from the binary.
    for asset in [
        "swagger-ui-bundle.js",
        "swagger-ui.css",
        "swagger-initializer.js",
    ] {
        let response = app
            .client
            .get(format!("{}/docs/{asset}", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 200, "{asset}");
        let body = response.text().await.unwrap();
        assert!(body.len() > 100, "{asset} is empty");
        if asset == "swagger-initializer.js" {
            assert!(
                body.contains("/openapi.json"),
                "the UI does not load our spec"
            );
        }
    }
}
