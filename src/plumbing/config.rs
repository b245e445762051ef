//! Configuration, read once from the environment at start-up. An invalid
//! value stops the service with a message naming the variable, rather than
//! running with a default the operator did not ask for.

use std::fmt;
use std::time::Duration;

use crate::analysis::pca::impute::MAX_ITER_LIMIT;

/// Every variable the service reads, with its default and meaning; printed by
/// `obscaling --help` and kept in one place so the two cannot drift.
#[rustfmt::skip]
pub const VARIABLES: &[(&str, &str, &str)] = &[
    ("HOST", "0.0.0.0", "address to listen on"),
    ("PORT", "8080", "TCP port to listen on (0 picks a free port)"),
    ("WORKERS", "number of CPUs", "HTTP worker threads"),
    ("MAX_BODY_BYTES", "33554432 (32 MiB)", "largest request body (after decompression); larger get 413 payload_too_large"),
    ("MAX_CELLS", "10000000", "most score cells in one request; more get 413 too_many_cells"),
    ("MAX_ITERATIONS", "100000", "most iterations a request may ask of an iterative method (1 to 100000)"),
    ("MAX_RESAMPLES", "10000", "most bootstrap resamples or parallel-analysis iterations in one request"),
    ("COMPUTE_DEADLINE_MS", "30000", "time budget of one request's computation; past it, 503 deadline_exceeded"),
    ("BODY_TIMEOUT_MS", "30000", "time a request body may take to arrive, from its first byte awaited; past it, 408 body_timeout and the connection is closed"),
    ("CORS_ALLOWED_ORIGINS", "(none)", "comma-separated origins allowed cross-origin access, or *; unset: none"),
    ("LOG_FORMAT", "json", "log lines as json or text"),
    ("RUST_LOG", "info", "log filter (tracing EnvFilter syntax)"),
];

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LogFormat {
    #[default]
    Json,
    Text,
}

/// The service's settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    pub host: String,
    pub port: u16,
    pub workers: usize,
    pub max_body_bytes: usize,
    pub max_cells: usize,
    pub max_iterations: usize,
    pub compute_deadline: Duration,
    /// How long a request body may take to arrive.
    pub body_timeout: Duration,
    pub max_resamples: usize,
    /// Origins allowed cross-origin access (empty: CORS stays off).
    pub cors_allowed_origins: Vec<String>,
    pub log_format: LogFormat,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub variable: &'static str,
    pub value: String,
    pub expected: &'static str,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid {}={:?}: expected {}",
            self.variable, self.value, self.expected
        )
    }
}

impl std::error::Error for ConfigError {}

impl Default for Config {
    fn default() -> Self {
        Self {
            host: "0.0.0.0".into(),
            port: 8080,
            workers: std::thread::available_parallelism().map_or(1, |n| n.get()),
            max_body_bytes: 32 * 1024 * 1024,
            max_cells: 10_000_000,
            max_iterations: MAX_ITER_LIMIT,
            compute_deadline: Duration::from_secs(30),
            body_timeout: Duration::from_secs(30),
            max_resamples: 10_000,
            cors_allowed_origins: Vec::new(),
            log_format: LogFormat::Json,
        }
    }
}

impl Config {
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads settings through `lookup`, so tests need not touch the process environment.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let mut config = Self::default();
        if let Some(host) = lookup("HOST") {
            if host.trim().is_empty() {
                return Err(invalid("HOST", host, "a host name or IP address"));
            }
            config.host = host;
        }
        if let Some(port) = lookup("PORT") {
            config.port = port
                .trim()
                .parse()
                .map_err(|_| invalid("PORT", port, "an integer from 0 to 65535"))?;
        }
        if let Some(v) = lookup("WORKERS") {
            config.workers = positive("WORKERS", v, "a positive integer")?;
        }
        if let Some(v) = lookup("MAX_BODY_BYTES") {
            config.max_body_bytes = positive("MAX_BODY_BYTES", v, "a positive number of bytes")?;
        }
        if let Some(v) = lookup("MAX_CELLS") {
            config.max_cells = positive("MAX_CELLS", v, "a positive number of cells")?;
        }
        if let Some(v) = lookup("MAX_ITERATIONS") {
            let expected = "an integer from 1 to 100000";
            config.max_iterations = match positive("MAX_ITERATIONS", v.clone(), expected) {
                Ok(n) if n <= MAX_ITER_LIMIT => n,
                _ => return Err(invalid("MAX_ITERATIONS", v, expected)),
            };
        }
        if let Some(v) = lookup("MAX_RESAMPLES") {
            config.max_resamples = positive("MAX_RESAMPLES", v, "a positive integer")?;
        }
        if let Some(v) = lookup("COMPUTE_DEADLINE_MS") {
            let ms = positive(
                "COMPUTE_DEADLINE_MS",
                v,
                "a positive number of milliseconds",
            )?;
            config.compute_deadline = Duration::from_millis(ms as u64);
        }
        if let Some(v) = lookup("BODY_TIMEOUT_MS") {
            let ms = positive("BODY_TIMEOUT_MS", v, "a positive number of milliseconds")?;
            config.body_timeout = Duration::from_millis(ms as u64);
        }
        if let Some(v) = lookup("CORS_ALLOWED_ORIGINS") {
            config.cors_allowed_origins = parse_origins(&v)?;
        }
        if let Some(v) = lookup("LOG_FORMAT") {
            config.log_format = match v.trim() {
                "json" => LogFormat::Json,
                "text" => LogFormat::Text,
                _ => return Err(invalid("LOG_FORMAT", v, "json or text")),
            };
        }
        Ok(config)
    }

    /// The request limits handlers enforce.
    pub fn limits(&self) -> crate::api::body::Limits {
        crate::api::body::Limits {
            max_body_bytes: self.max_body_bytes,
            max_cells: self.max_cells,
            max_iterations: self.max_iterations,
            deadline: self.compute_deadline,
            max_resamples: self.max_resamples,
            body_timeout: self.body_timeout,
        }
    }

    /// The text of `obscaling --help`.
    pub fn help() -> String {
        let mut text = String::from(
            "obscaling: PCA and observational scaling laws over HTTP\n\n\
             Usage: obscaling [--help | --openapi | --healthcheck]\n\n\
             --openapi      print the OpenAPI 3.1 document and exit\n\
             --healthcheck  probe GET /healthz of the service on HOST:PORT; exit 0 if it answers 200\n\n\
             Configuration is read from the environment:\n",
        );
        for (name, default, meaning) in VARIABLES {
            text.push_str(&format!("  {name:<21} {meaning} (default: {default})\n"));
        }
        text
    }
}

fn invalid(variable: &'static str, value: String, expected: &'static str) -> ConfigError {
    ConfigError {
        variable,
        value,
        expected,
    }
}

fn positive(
    variable: &'static str,
    value: String,
    expected: &'static str,
) -> Result<usize, ConfigError> {
    match value.trim().parse::<usize>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(invalid(variable, value, expected)),
    }
}

/// `https://a.example,https://b.example`, or `*` for any origin.
fn parse_origins(value: &str) -> Result<Vec<String>, ConfigError> {
    let origins: Vec<String> = value
        .split(',')
        .map(str::trim)
        .filter(|o| !o.is_empty())
        .map(str::to_owned)
        .collect();
    let valid = |o: &String| {
        o == "*"
            || o.split_once("://").is_some_and(|(scheme, host)| {
                (scheme == "http" || scheme == "https") && !host.is_empty() && !host.contains('/')
            })
    };
    if origins.iter().all(valid) {
        Ok(origins)
    } else {
        Err(invalid(
            "CORS_ALLOWED_ORIGINS",
            value.to_owned(),
            "comma-separated origins such as https://dash.example.com (scheme and host, no path), or *",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lookup<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn defaults_apply_when_nothing_is_set() {
        let config = Config::from_lookup(lookup(&[])).unwrap();
        assert_eq!(config.host, "0.0.0.0");
        assert_eq!(config.port, 8080);
        assert_eq!(config.max_body_bytes, 32 * 1024 * 1024);
        assert_eq!(config.max_cells, 10_000_000);
        assert_eq!(config.compute_deadline, Duration::from_secs(30));
        assert_eq!(config.body_timeout, Duration::from_secs(30));
        assert!(config.cors_allowed_origins.is_empty());
        assert_eq!(config.log_format, LogFormat::Json);
    }

    #[test]
    fn invalid_values_name_the_variable() {
        for (name, value) in [
            ("PORT", "80a"),
            ("PORT", "70000"),
            ("WORKERS", "0"),
            ("MAX_BODY_BYTES", "-1"),
            ("MAX_CELLS", "0"),
            ("MAX_ITERATIONS", "100001"),
            ("MAX_RESAMPLES", "0"),
            ("COMPUTE_DEADLINE_MS", "soon"),
            ("BODY_TIMEOUT_MS", "0"),
            ("LOG_FORMAT", "xml"),
            ("CORS_ALLOWED_ORIGINS", "dash.example.com"),
            ("CORS_ALLOWED_ORIGINS", "https://dash.example.com/app"),
        ] {
            let err = Config::from_lookup(lookup(&[(name, value)])).unwrap_err();
            assert_eq!(err.variable, name);
            assert!(err.to_string().contains(name));
        }
        let ok = Config::from_lookup(lookup(&[
            ("PORT", "0"),
            ("MAX_BODY_BYTES", "1024"),
            (
                "CORS_ALLOWED_ORIGINS",
                "https://a.example, http://localhost:3000",
            ),
            ("LOG_FORMAT", "text"),
        ]))
        .unwrap();
        assert_eq!((ok.port, ok.max_body_bytes), (0, 1024));
        assert_eq!(
            ok.cors_allowed_origins,
            ["https://a.example", "http://localhost:3000"]
        );
        assert_eq!(ok.log_format, LogFormat::Text);
    }

    #[test]
    fn help_lists_every_variable() {
        let help = Config::help();
        for (name, _, _) in VARIABLES {
            assert!(help.contains(name), "{name} missing from --help");
        }
    }
}
