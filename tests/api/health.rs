use crate::helpers::spawn_app;

#[tokio::test]
async fn healthz_answers_ok() {
    let app = spawn_app().await;
    let (status, _, body) = app.get("/healthz").await;
    assert_eq!(status, 200);
    assert_eq!(body["status"], "ok");
}

#[tokio::test]
async fn readyz_answers_ready() {
    let app = spawn_app().await;
    let (status, _, body) = app.get("/readyz").await;
    assert_eq!(status, 200);
    assert_eq!(body["status"], "ready");
}
