//! `/metrics` in the Prometheus text format: request counts and timings per route, and how
//! long analysing the inventory took. Counts and timings only: no user, no record key, no
//! path parameter ever becomes a label, so it can be scraped without a session.

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Upper bounds of the latency histogram's buckets, in seconds.
const BUCKETS: [f64; 10] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0, 5.0];

#[derive(Default)]
struct Route {
    count: u64,
    sum: f64,
    /// Cumulative counts per bucket of `BUCKETS`.
    buckets: [u64; BUCKETS.len()],
}

#[derive(Default)]
pub struct Metrics {
    routes: Mutex<BTreeMap<(String, String, u16), Route>>,
    views: Mutex<(u64, f64)>,
}

impl Metrics {
    fn observe(&self, method: &str, route: &str, status: u16, took: Duration) {
        let secs = took.as_secs_f64();
        if let Ok(mut routes) = self.routes.lock() {
            let r = routes.entry((method.to_string(), route.to_string(), status)).or_default();
            r.count += 1;
            r.sum += secs;
            for (i, le) in BUCKETS.iter().enumerate() {
                if secs <= *le {
                    r.buckets[i] += 1;
                }
            }
        }
    }

    pub fn view_built(&self, took: Duration) {
        if let Ok(mut v) = self.views.lock() {
            v.0 += 1;
            v.1 += took.as_secs_f64();
        }
    }

    pub fn render(&self) -> String {
        let mut out = String::new();
        out.push_str("# HELP handover_http_requests_total HTTP requests by route and status.\n");
        out.push_str("# TYPE handover_http_requests_total counter\n");
        let routes = self.routes.lock().map(|r| r.iter().map(|(k, v)| (k.clone(), v.count, v.sum, v.buckets)).collect::<Vec<_>>());
        let routes = routes.unwrap_or_default();
        for ((method, route, status), count, _, _) in &routes {
            let _ = writeln!(out, "handover_http_requests_total{{method=\"{method}\",route=\"{route}\",status=\"{status}\"}} {count}");
        }
        out.push_str("# HELP handover_http_request_duration_seconds Time to answer, by route.\n");
        out.push_str("# TYPE handover_http_request_duration_seconds histogram\n");
        for ((method, route, status), count, sum, buckets) in &routes {
            let labels = format!("method=\"{method}\",route=\"{route}\",status=\"{status}\"");
            for (le, n) in BUCKETS.iter().zip(buckets) {
                let _ = writeln!(out, "handover_http_request_duration_seconds_bucket{{{labels},le=\"{le}\"}} {n}");
            }
            let _ = writeln!(out, "handover_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {count}");
            let _ = writeln!(out, "handover_http_request_duration_seconds_sum{{{labels}}} {sum}");
            let _ = writeln!(out, "handover_http_request_duration_seconds_count{{{labels}}} {count}");
        }
        let (n, secs) = self.views.lock().map(|v| *v).unwrap_or_default();
        out.push_str("# HELP handover_analysis_runs_total Times the inventory was loaded and analysed (after each change).\n");
        out.push_str("# TYPE handover_analysis_runs_total counter\n");
        let _ = writeln!(out, "handover_analysis_runs_total {n}");
        out.push_str("# HELP handover_analysis_seconds_total Time spent analysing the inventory.\n");
        out.push_str("# TYPE handover_analysis_seconds_total counter\n");
        let _ = writeln!(out, "handover_analysis_seconds_total {secs}");
        out
    }
}

/// Middleware: times every request under its route pattern (`/people/{key}`, never the key).
pub async fn track(State(state): State<Arc<crate::state::AppState>>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().as_str().to_string();
    let route = req.extensions().get::<MatchedPath>().map_or_else(|| "unmatched".to_string(), |p| p.as_str().to_string());
    let response = next.run(req).await;
    state.metrics.observe(&method, &route, response.status().as_u16(), started.elapsed());
    response
}
