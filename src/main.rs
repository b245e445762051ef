//! The `obscaling` binary: read configuration, start the server (or print
//! the spec, or probe a running server).

use std::process::ExitCode;

use obscaling::plumbing::config::Config;
use obscaling::plumbing::healthcheck;
use obscaling::plumbing::startup::Application;

#[actix_web::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--help" || a == "-h") {
        print!("{}", Config::help());
        return ExitCode::SUCCESS;
    }
    if args.iter().any(|a| a == "--openapi") {
        println!("{}", obscaling::api::openapi_json());
        return ExitCode::SUCCESS;
    }
    let healthcheck = args.iter().any(|a| a == "--healthcheck");
    if let Some(unknown) = args.iter().find(|a| *a != "--healthcheck") {
        eprintln!(
            "obscaling: unknown argument {unknown:?}\n\n{}",
            Config::help()
        );
        return ExitCode::from(2);
    }
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(err) => {
            eprintln!("obscaling: {err}");
            return ExitCode::from(2);
        }
    };
    obscaling::plumbing::telemetry::init(config.log_format);
    if healthcheck {
        return match healthcheck::probe(&config) {
            Ok(()) => ExitCode::SUCCESS,
            Err(err) => {
                eprintln!("obscaling: unhealthy: {err}");
                ExitCode::from(1)
            }
        };
    }
    let app = match Application::build(&config) {
        Ok(app) => app,
        Err(err) => {
            eprintln!(
                "obscaling: cannot listen on {}:{}: {err}",
                config.host, config.port
            );
            return ExitCode::from(1);
        }
    };
    tracing::info!(host = %config.host, port = app.port(), workers = config.workers, "listening");
    match app.run_until_stopped().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("obscaling: {err}");
            ExitCode::from(1)
        }
    }
}
