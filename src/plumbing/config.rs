//! Configuration, read once from the environment at start-up. An invalid
//! value stops the service with a message naming the variable, rather than
//! running with a default the operator did not ask for.

use std::fmt;

/// Every variable the service reads, with its default and meaning; printed by
/// `obscaling --help` and kept in one place so the two cannot drift.
pub const VARIABLES: &[(&str, &str, &str)] = &[
    ("HOST", "0.0.0.0", "address to listen on"),
    (
        "PORT",
        "8080",
        "TCP port to listen on (0 picks a free port)",
    ),
    ("WORKERS", "number of CPUs", "HTTP worker threads"),
    (
        "MAX_BODY_BYTES",
        "33554432 (32 MiB)",
        "largest accepted request body; larger ones get 413",
    ),
];

/// The service's settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    pub host: String,
    pub port: u16,
    pub workers: usize,
    pub max_body_bytes: usize,
    pub max_cells: usize,
    pub max_iterations: usize,
    pub compute_deadline: std::time::Duration,
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
            max_iterations: crate::analysis::impute::MAX_ITER_LIMIT,
            compute_deadline: std::time::Duration::from_secs(30),
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
        if let Some(workers) = lookup("WORKERS") {
            config.workers = parse_positive("WORKERS", workers, "a positive integer")?;
        }
        if let Some(max) = lookup("MAX_BODY_BYTES") {
            config.max_body_bytes =
                parse_positive("MAX_BODY_BYTES", max, "a positive number of bytes")?;
        }
        if let Some(cells) = lookup("MAX_CELLS") {
            config.max_cells = parse_positive("MAX_CELLS", cells, "a positive number of cells")?;
        }
        if let Some(iterations) = lookup("MAX_ITERATIONS") {
            config.max_iterations = match parse_positive("MAX_ITERATIONS", iterations.clone(), "") {
                Ok(n) if n <= crate::analysis::impute::MAX_ITER_LIMIT => n,
                _ => {
                    return Err(invalid(
                        "MAX_ITERATIONS",
                        iterations,
                        "an integer from 1 to 100000",
                    ));
                }
            };
        }
        if let Some(ms) = lookup("COMPUTE_DEADLINE_MS") {
            let ms = parse_positive(
                "COMPUTE_DEADLINE_MS",
                ms,
                "a positive number of milliseconds",
            )?;
            config.compute_deadline = std::time::Duration::from_millis(ms as u64);
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
            text.push_str(&format!("  {name:<16} {meaning} (default: {default})\n"));
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

fn parse_positive(
    variable: &'static str,
    value: String,
    expected: &'static str,
) -> Result<usize, ConfigError> {
    match value.trim().parse::<usize>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(invalid(variable, value, expected)),
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
    }

    #[test]
    fn invalid_values_name_the_variable() {
        for (name, value) in [
            ("PORT", "80a"),
            ("PORT", "70000"),
            ("WORKERS", "0"),
            ("MAX_BODY_BYTES", "-1"),
        ] {
            let err = Config::from_lookup(lookup(&[(name, value)])).unwrap_err();
            assert_eq!(err.variable, name);
            assert!(err.to_string().contains(name));
        }
        let ok = Config::from_lookup(lookup(&[("PORT", "0"), ("MAX_BODY_BYTES", "1024")])).unwrap();
        assert_eq!((ok.port, ok.max_body_bytes), (0, 1024));
    }

    #[test]
    fn help_lists_every_variable() {
        let help = Config::help();
        for (name, _, _) in VARIABLES {
            assert!(help.contains(name), "{name} missing from --help");
        }
    }
}
