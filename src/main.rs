//! The `obscaling` binary: read configuration, start the server (or print
//! the spec, or probe a running server).

use std::process::ExitCode;

use obscaling::plumbing::config::Config;
use obscaling::plumbing::healthcheck;
use obscaling::plumbing::startup::Application;

/// jemalloc rather than the C library's malloc: under a mix of large and
/// small requests spread over threads, glibc's per-thread arenas kept freed
/// memory resident (the load test's RSS stayed up to 120 MiB above its
/// baseline), and musl's malloc, in the static container binary, is slow.
#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// jemalloc's options, read before `main`: a background thread hands freed
/// pages back to the system after about a second, so an idle service returns
/// to its resting memory instead of keeping a burst's peak (without it,
/// purging waits for the next allocation); and no separate "oversize" arena
/// for blocks over 8 MiB, whose immediate purging made every large request
/// fault its body and score buffers in afresh (about 10 ms of a 5000 x 200
/// request). The environment variable `_RJEM_MALLOC_CONF` overrides these at
/// run time.
#[cfg(not(target_env = "msvc"))]
#[unsafe(export_name = "_rjem_malloc_conf")]
static JEMALLOC_OPTIONS: Option<&'static u8> =
    Some(&b"background_thread:true,dirty_decay_ms:1000,muzzy_decay_ms:0,oversize_threshold:0\0"[0]);

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
    // Held to the end of `main`, so queued log lines are written on exit.
    let _logs = obscaling::plumbing::telemetry::init(config.log_format);
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
