//! `obscaling --healthcheck`: probes the running service's /healthz from the
//! same binary, so a `scratch` container (no shell, no curl) can check itself
//! (Docker `HEALTHCHECK`, the container check script).

use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

use super::config::Config;

const TIMEOUT: Duration = Duration::from_secs(2);

/// Ok when `GET /healthz` on the configured port answers 200.
pub fn probe(config: &Config) -> Result<(), String> {
    // A wildcard listen address is reached through loopback.
    let host = match config.host.as_str() {
        "0.0.0.0" | "::" | "[::]" => "127.0.0.1",
        other => other,
    };
    let address = (host, config.port)
        .to_socket_addrs()
        .map_err(|err| format!("cannot resolve {host}:{}: {err}", config.port))?
        .next()
        .ok_or_else(|| format!("{host}:{} resolves to nothing", config.port))?;
    let mut stream = TcpStream::connect_timeout(&address, TIMEOUT)
        .map_err(|err| format!("cannot connect to {address}: {err}"))?;
    stream.set_read_timeout(Some(TIMEOUT)).ok();
    stream.set_write_timeout(Some(TIMEOUT)).ok();
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        .map_err(|err| format!("cannot send the probe: {err}"))?;
    let mut head = [0u8; 64];
    let read = stream
        .read(&mut head)
        .map_err(|err| format!("no answer from {address}: {err}"))?;
    let status_line = String::from_utf8_lossy(&head[..read]);
    let status_line = status_line.lines().next().unwrap_or_default();
    if status_line.starts_with("HTTP/1.1 200") || status_line.starts_with("HTTP/1.0 200") {
        Ok(())
    } else {
        Err(format!("/healthz answered {status_line:?}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_closed_port_is_unhealthy() {
        // Bind then drop, so the port is very likely closed.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let config = Config {
            host: "127.0.0.1".into(),
            port,
            ..Config::default()
        };
        assert!(probe(&config).is_err());
    }
}
