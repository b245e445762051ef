//! Prometheus metrics, kept by hand: request counts by route and status,
//! request latency and analysed matrix sizes as histograms. A few mutexes
//! over small maps are all this needs; the text format is rendered on demand.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::{LazyLock, Mutex};

const LATENCY_BUCKETS: [f64; 14] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0, 30.0,
];
const CELL_BUCKETS: [f64; 8] = [10.0, 100.0, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8];

#[derive(Debug, Clone, Default)]
struct Histogram {
    counts: Vec<u64>,
    sum: f64,
    count: u64,
}

impl Histogram {
    fn observe(&mut self, bounds: &[f64], value: f64) {
        if self.counts.is_empty() {
            self.counts = vec![0; bounds.len()];
        }
        for (count, bound) in self.counts.iter_mut().zip(bounds) {
            if value <= *bound {
                *count += 1;
            }
        }
        self.sum += value;
        self.count += 1;
    }

    fn render(&self, out: &mut String, name: &str, labels: &str, bounds: &[f64]) {
        let sep = if labels.is_empty() { "" } else { "," };
        for (count, bound) in self.counts.iter().zip(bounds) {
            let _ = writeln!(out, "{name}_bucket{{{labels}{sep}le=\"{bound}\"}} {count}");
        }
        let _ = writeln!(
            out,
            "{name}_bucket{{{labels}{sep}le=\"+Inf\"}} {}",
            self.count
        );
        let braces = if labels.is_empty() {
            String::new()
        } else {
            format!("{{{labels}}}")
        };
        let _ = writeln!(out, "{name}_sum{braces} {}", self.sum);
        let _ = writeln!(out, "{name}_count{braces} {}", self.count);
    }
}

#[derive(Default)]
struct Registry {
    requests: BTreeMap<(String, String, u16), u64>,
    latency: BTreeMap<String, Histogram>,
    cells: Histogram,
}

static REGISTRY: LazyLock<Mutex<Registry>> = LazyLock::new(Mutex::default);

fn registry() -> std::sync::MutexGuard<'static, Registry> {
    // A panic while holding the lock leaves counts that are still usable.
    REGISTRY
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// One answered request. `route` is the matched route pattern (never the raw
/// path, which would let clients create unbounded label values).
pub fn record_request(route: &str, method: &str, status: u16, seconds: f64) {
    let mut r = registry();
    *r.requests
        .entry((route.to_owned(), method.to_owned(), status))
        .or_default() += 1;
    r.latency
        .entry(route.to_owned())
        .or_default()
        .observe(&LATENCY_BUCKETS, seconds);
}

/// The size (models x benchmarks, supplementary rows included) of an analysed leaderboard.
pub fn record_matrix(cells: usize) {
    registry().cells.observe(&CELL_BUCKETS, cells as f64);
}

/// The Prometheus text exposition of every metric.
pub fn render() -> String {
    let r = registry();
    let mut out = String::new();
    out.push_str(
        "# HELP obscaling_build_info The running version.\n# TYPE obscaling_build_info gauge\n",
    );
    let _ = writeln!(
        out,
        "obscaling_build_info{{version=\"{}\"}} 1",
        env!("CARGO_PKG_VERSION")
    );
    out.push_str(
        "# HELP obscaling_http_requests_total Requests answered, by route, method and status.\n",
    );
    out.push_str("# TYPE obscaling_http_requests_total counter\n");
    for ((route, method, status), count) in &r.requests {
        let _ = writeln!(
            out,
            "obscaling_http_requests_total{{route=\"{route}\",method=\"{method}\",status=\"{status}\"}} {count}"
        );
    }
    out.push_str(
        "# HELP obscaling_http_request_duration_seconds Time to answer a request, by route.\n",
    );
    out.push_str("# TYPE obscaling_http_request_duration_seconds histogram\n");
    for (route, histogram) in &r.latency {
        histogram.render(
            &mut out,
            "obscaling_http_request_duration_seconds",
            &format!("route=\"{route}\""),
            &LATENCY_BUCKETS,
        );
    }
    out.push_str("# HELP obscaling_matrix_cells Score cells per analysed leaderboard.\n");
    out.push_str("# TYPE obscaling_matrix_cells histogram\n");
    let mut cells = r.cells.clone();
    if cells.counts.is_empty() {
        cells.counts = vec![0; CELL_BUCKETS.len()];
    }
    cells.render(&mut out, "obscaling_matrix_cells", "", &CELL_BUCKETS);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counters_and_cumulative_histograms() {
        record_request("/test/metrics", "GET", 200, 0.003);
        record_request("/test/metrics", "GET", 200, 0.2);
        record_matrix(500);
        let text = render();
        assert!(text.contains(
            "obscaling_http_requests_total{route=\"/test/metrics\",method=\"GET\",status=\"200\"} 2"
        ));
        assert!(text.contains(
            "obscaling_http_request_duration_seconds_bucket{route=\"/test/metrics\",le=\"0.005\"} 1"
        ));
        assert!(text.contains(
            "obscaling_http_request_duration_seconds_bucket{route=\"/test/metrics\",le=\"+Inf\"} 2"
        ));
        assert!(text.contains("obscaling_matrix_cells_bucket{le=\"1000\"}"));
    }
}
