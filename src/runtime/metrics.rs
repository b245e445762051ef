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

/// What is kept per route: answers by method and status (a handful, so a
/// list), and the latency histogram.
#[derive(Default)]
struct RouteStats {
    counts: Vec<(String, u16, u64)>,
    latency: Histogram,
}

#[derive(Default)]
struct Registry {
    routes: BTreeMap<String, RouteStats>,
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
/// path, which would let clients create unbounded label values). Looked up by
/// reference: only a route's or method's first request allocates.
pub fn record_request(route: &str, method: &str, status: u16, seconds: f64) {
    let mut r = registry();
    if !r.routes.contains_key(route) {
        r.routes.insert(route.to_owned(), RouteStats::default());
    }
    let stats = r.routes.get_mut(route).expect("inserted above");
    match stats
        .counts
        .iter_mut()
        .find(|(m, s, _)| m == method && *s == status)
    {
        Some((_, _, count)) => *count += 1,
        None => stats.counts.push((method.to_owned(), status, 1)),
    }
    stats.latency.observe(&LATENCY_BUCKETS, seconds);
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
    for (route, stats) in &r.routes {
        let mut counts: Vec<_> = stats.counts.iter().collect();
        counts.sort();
        for (method, status, count) in counts {
            let _ = writeln!(
                out,
                "obscaling_http_requests_total{{route=\"{route}\",method=\"{method}\",status=\"{status}\"}} {count}"
            );
        }
    }
    out.push_str(
        "# HELP obscaling_http_request_duration_seconds Time to answer a request, by route.\n",
    );
    out.push_str("# TYPE obscaling_http_request_duration_seconds histogram\n");
    for (route, stats) in &r.routes {
        stats.latency.render(
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
        record_request("/test/metrics", "POST", 422, 0.01);
        record_request("/test/metrics", "GET", 404, 0.01);
        record_matrix(500);
        let text = render();
        assert!(text.contains(
            "obscaling_http_requests_total{route=\"/test/metrics\",method=\"GET\",status=\"200\"} 2"
        ));
        assert!(text.contains(
            "obscaling_http_request_duration_seconds_bucket{route=\"/test/metrics\",le=\"0.005\"} 1"
        ));
        assert!(text.contains(
            "obscaling_http_request_duration_seconds_bucket{route=\"/test/metrics\",le=\"+Inf\"} 4"
        ));
        assert!(text.contains("obscaling_matrix_cells_bucket{le=\"1000\"}"));
        // Counters in (route, method, status) order, whatever the arrival order.
        let lines: Vec<&str> = text
            .lines()
            .filter(|l| l.starts_with("obscaling_http_requests_total{route=\"/test/metrics\""))
            .collect();
        assert_eq!(lines.len(), 3, "{lines:?}");
        assert!(lines[0].contains("method=\"GET\",status=\"200\"} 2"));
        assert!(lines[1].contains("method=\"GET\",status=\"404\"} 1"));
        assert!(lines[2].contains("method=\"POST\",status=\"422\"} 1"));
        assert!(
            text.contains(
                "obscaling_http_request_duration_seconds_count{route=\"/test/metrics\"} 4"
            )
        );
    }
}
