//! The ceiling of `scripts/bench-http.sh`'s load test: an actix-web server
//! with no middleware that reads each `POST /v1/pca` body whole and answers
//! it with one fixed response (the file `CANNED`, obscaling's own answer to
//! the benchmark's body), computing nothing. Under the same wrk, with the
//! same bytes in and out, it shows how many requests a second this machine
//! and harness allow any server before it does any work, and how much CPU
//! that leaves for the work at a given rate.
//!
//! Run: `PORT=8099 CANNED=answer.json cargo run --release --example canned_server`

use actix_web::{App, HttpResponse, HttpServer, web};

/// The service's allocator, so that the two differ only in the work done.
#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    let port: u16 = std::env::var("PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .expect("PORT: the port to listen on");
    let path = std::env::var("CANNED").expect("CANNED: the file to answer with");
    let canned = web::Bytes::from(std::fs::read(&path)?);
    let workers = std::env::var("WORKERS")
        .ok()
        .and_then(|w| w.parse().ok())
        .unwrap_or(2);
    HttpServer::new(move || {
        let canned = canned.clone();
        App::new()
            .route(
                "/healthz",
                web::get().to(|| async { HttpResponse::Ok().body("ok") }),
            )
            .route(
                "/v1/pca",
                // `Bytes` reads the whole body before the handler runs.
                web::post().to(move |_body: web::Bytes| {
                    let canned = canned.clone();
                    async move {
                        HttpResponse::Ok()
                            .content_type("application/json")
                            .body(canned)
                    }
                }),
            )
    })
    .workers(workers)
    .bind(("127.0.0.1", port))?
    .run()
    .await
}
