//! Building and running the HTTP server. Tests use [`Application::build`] with
//! port 0 and talk to the real server over TCP.

use std::net::TcpListener;

use actix_cors::Cors;
use actix_web::dev::Server;
use actix_web::middleware::{Compress, Condition, from_fn};
use actix_web::{App, HttpServer, http, web};
use utoipa_actix_web::AppExt;
use utoipa_swagger_ui::SwaggerUi;

use super::config::Config;
use super::telemetry;
use crate::api::{self, RouteTable};

/// A bound, not yet running server.
pub struct Application {
    port: u16,
    server: Server,
}

impl Application {
    /// Binds `HOST:PORT` and prepares the server.
    pub fn build(config: &Config) -> std::io::Result<Self> {
        let listener = TcpListener::bind((config.host.as_str(), config.port))?;
        let port = listener.local_addr()?.port();
        let doc = api::openapi();
        let routes = web::Data::new(RouteTable::from_openapi(&doc));
        let limit = web::Data::new(config.limits());
        let origins = config.cors_allowed_origins.clone();
        let server = HttpServer::new(move || {
            let (app, _) = App::new()
                .into_utoipa_app()
                .app_data(limit.clone())
                .app_data(routes.clone())
                .configure(api::routes)
                .split_for_parts();
            // The dashboard page and its assets (not part of the JSON API).
            app.configure(api::dashboard::configure)
                .service(SwaggerUi::new("/docs/{_:.*}").url("/openapi.json", doc.clone()))
                // Swagger UI's relative asset paths need the trailing slash.
                .service(web::redirect("/docs", "/docs/"))
                .default_service(web::to(api::fallback))
                .wrap(Compress::default())
                .wrap(Condition::new(!origins.is_empty(), cors(&origins)))
                // Outermost: every response, errors and preflights included,
                // gets a request id, a log line and a count.
                .wrap(from_fn(telemetry::observe))
        })
        .workers(config.workers)
        .listen(listener)?
        .run();
        Ok(Self { port, server })
    }

    /// The port actually bound (useful with PORT=0).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves until SIGINT/SIGTERM, then drains in-flight requests.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}

/// Cross-origin access for the configured origins only (none when unset,
/// so browsers keep other sites' pages from calling the service).
fn cors(origins: &[String]) -> Cors {
    let cors = if origins.iter().any(|o| o == "*") {
        Cors::default().allow_any_origin()
    } else {
        origins
            .iter()
            .fold(Cors::default(), |cors, origin| cors.allowed_origin(origin))
    };
    cors.allowed_methods(["GET", "POST"])
        .allowed_headers([
            http::header::CONTENT_TYPE,
            http::header::ACCEPT,
            telemetry::REQUEST_ID,
        ])
        .expose_headers([telemetry::REQUEST_ID])
        .max_age(3600)
}
