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
/// purging waits for the next allocation); and blocks of 1 MiB or more (a
/// large request's body, its scores, its answer) come from one arena shared
/// by all threads (jemalloc's "oversize" arena), so that the next large
/// request reuses them whichever threads serve it. With an arena per thread,
/// back-to-back large requests left their blocks in the arenas of whichever
/// threads served them, and the resident memory grew to about six bodies
/// until the decay ran. [`keep_large_blocks_for_reuse`] makes that arena keep
/// freed pages for the same second as the others. The environment variable
/// `_RJEM_MALLOC_CONF` overrides these options at run time.
#[cfg(not(target_env = "msvc"))]
#[unsafe(export_name = "_rjem_malloc_conf")]
static JEMALLOC_OPTIONS: Option<&'static u8> = Some(
    &b"background_thread:true,dirty_decay_ms:1000,muzzy_decay_ms:0,oversize_threshold:1048576\0"[0],
);

/// jemalloc purges freed blocks over `oversize_threshold` at once, in every
/// arena, and starts its arena for them with no decay at all: each large
/// request would then fault its body and score buffers in afresh (about
/// 10 ms of a 5000 x 200 request). This gives that arena the decay times of
/// the others (`opt.dirty_decay_ms`, `opt.muzzy_decay_ms`) and no eager
/// purge. The arena is created by the first large allocation, so one is made
/// here and looked up. Does nothing when the options turn the arena off
/// (`oversize_threshold:0`).
#[cfg(not(target_env = "msvc"))]
fn keep_large_blocks_for_reuse() {
    use std::ffi::{CStr, CString, c_void};
    use tikv_jemalloc_sys::mallctl;

    fn read<T: Default>(name: &CStr) -> Option<T> {
        let mut value = T::default();
        let mut len = size_of::<T>();
        // SAFETY: `value` is a T of `len` bytes, the type jemalloc documents for `name`.
        let rc = unsafe {
            mallctl(
                name.as_ptr(),
                (&raw mut value).cast(),
                &mut len,
                std::ptr::null_mut(),
                0,
            )
        };
        (rc == 0).then_some(value)
    }
    fn write<T>(name: &str, mut value: T) {
        let name = CString::new(name).expect("no NUL in a mallctl name");
        // SAFETY: `value` is of the type jemalloc documents for `name`.
        unsafe {
            mallctl(
                name.as_ptr(),
                std::ptr::null_mut(),
                std::ptr::null_mut(),
                (&raw mut value).cast(),
                size_of::<T>(),
            )
        };
    }
    let (Some(threshold), Some(dirty), Some(muzzy)) = (
        read::<usize>(c"opt.oversize_threshold"),
        read::<isize>(c"opt.dirty_decay_ms"),
        read::<isize>(c"opt.muzzy_decay_ms"),
    ) else {
        return;
    };
    if threshold == 0 {
        return;
    }
    let probe: Vec<u8> = Vec::with_capacity(threshold);
    let mut ptr = probe.as_ptr().cast::<c_void>();
    let mut arena = 0u32;
    let mut len = size_of::<u32>();
    // SAFETY: `arenas.lookup` takes a pointer jemalloc allocated (void *)
    // and answers its arena's index (unsigned).
    let rc = unsafe {
        mallctl(
            c"arenas.lookup".as_ptr(),
            (&raw mut arena).cast(),
            &mut len,
            (&raw mut ptr).cast(),
            size_of::<*const c_void>(),
        )
    };
    drop(probe);
    if rc != 0 {
        return;
    }
    write(&format!("arena.{arena}.oversize_threshold"), usize::MAX);
    write(&format!("arena.{arena}.dirty_decay_ms"), dirty);
    write(&format!("arena.{arena}.muzzy_decay_ms"), muzzy);
}

#[actix_web::main]
async fn main() -> ExitCode {
    #[cfg(not(target_env = "msvc"))]
    keep_large_blocks_for_reuse();
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
