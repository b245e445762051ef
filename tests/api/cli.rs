//! The binary's command line: --help, --openapi, --healthcheck, bad settings.

use std::process::Command;

use crate::helpers::spawn_app;

fn obscaling() -> Command {
    Command::new(env!("CARGO_BIN_EXE_obscaling"))
}

#[test]
fn help_lists_the_settings() {
    let out = obscaling().arg("--help").output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    for name in [
        "HOST",
        "PORT",
        "WORKERS",
        "MAX_BODY_BYTES",
        "--healthcheck",
        "--openapi",
    ] {
        assert!(text.contains(name), "--help lacks {name}");
    }
}

#[test]
fn invalid_settings_and_arguments_stop_start_up_with_a_message() {
    let out = obscaling().env("PORT", "eighty").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("PORT"));
    let out = obscaling().arg("--frobnicate").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn openapi_flag_prints_the_checked_in_spec() {
    let out = obscaling().arg("--openapi").output().unwrap();
    assert!(out.status.success());
    let printed: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let file = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/openapi.json")).unwrap();
    assert_eq!(
        printed,
        serde_json::from_slice::<serde_json::Value>(&file).unwrap()
    );
}

#[tokio::test]
async fn healthcheck_flag_probes_a_running_server() {
    let app = spawn_app().await;
    let port = app.base.rsplit(':').next().unwrap().to_owned();
    let status = tokio::task::spawn_blocking(move || {
        obscaling()
            .arg("--healthcheck")
            .env("HOST", "127.0.0.1")
            .env("PORT", port)
            .status()
    })
    .await
    .unwrap()
    .unwrap();
    assert!(status.success());
    // Nothing listening: unhealthy.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let status = obscaling()
        .arg("--healthcheck")
        .env("PORT", closed.to_string())
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(1));
}
