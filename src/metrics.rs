//! Process metrics in the Prometheus text format (`GET /metrics`), through the maintained
//! `prometheus-client` crate. Counters are per process; a scrape of each instance and worker
//! gives the whole picture, as Prometheus expects.

use std::sync::LazyLock;
use std::time::Duration;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::metrics::info::Info;
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: String,
    route: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    method: String,
    route: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct KindLabels {
    kind: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct PoolLabels {
    state: &'static str,
}

struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Family<RouteLabels, Histogram>,
    queue_depth: Family<KindLabels, Gauge>,
    job_failures: Family<KindLabels, Counter>,
    job_retries: Family<KindLabels, Counter>,
    emails_sent: Counter,
    emails_failed: Counter,
    pool: Family<PoolLabels, Gauge>,
}

static METRICS: LazyLock<Metrics> = LazyLock::new(|| {
    let mut registry = Registry::with_prefix("palier");
    let requests = Family::<RequestLabels, Counter>::default();
    registry.register(
        "http_requests",
        "HTTP requests by route template and status",
        requests.clone(),
    );
    // 1 ms to about 16 s: pages answer in milliseconds, uploads and PDFs take longer.
    let latency = Family::<RouteLabels, Histogram>::new_with_constructor(|| {
        Histogram::new(exponential_buckets(0.001, 2.0, 15))
    });
    registry.register(
        "http_request_duration_seconds",
        "HTTP request latency by route template",
        latency.clone(),
    );
    let queue_depth = Family::<KindLabels, Gauge>::default();
    registry.register(
        "job_queue_depth",
        "Jobs waiting to run, by kind (read at scrape time)",
        queue_depth.clone(),
    );
    let job_failures = Family::<KindLabels, Counter>::default();
    registry.register(
        "job_failures",
        "Job runs that failed, by kind",
        job_failures.clone(),
    );
    let job_retries = Family::<KindLabels, Counter>::default();
    registry.register(
        "job_retries",
        "Failed job runs scheduled to run again, by kind",
        job_retries.clone(),
    );
    let emails_sent = Counter::default();
    registry.register(
        "emails_sent",
        "E-mails handed to the transport",
        emails_sent.clone(),
    );
    let emails_failed = Counter::default();
    registry.register(
        "emails_failed",
        "E-mail deliveries that failed (retried or dead)",
        emails_failed.clone(),
    );
    let pool = Family::<PoolLabels, Gauge>::default();
    registry.register(
        "db_pool_connections",
        "Database pool connections by state (read at scrape time)",
        pool.clone(),
    );
    registry.register(
        "build",
        "Version of the running binary",
        Info::new(vec![("version", env!("CARGO_PKG_VERSION"))]),
    );
    Metrics {
        registry,
        requests,
        latency,
        queue_depth,
        job_failures,
        job_retries,
        emails_sent,
        emails_failed,
        pool,
    }
});

/// One answered HTTP request; `route` is the route template, never the raw path, so that
/// identifiers do not multiply the series.
pub fn http_request(method: &str, route: &str, status: u16, elapsed: Duration) {
    let m = &*METRICS;
    m.requests
        .get_or_create(&RequestLabels {
            method: method.to_string(),
            route: route.to_string(),
            status,
        })
        .inc();
    m.latency
        .get_or_create(&RouteLabels {
            method: method.to_string(),
            route: route.to_string(),
        })
        .observe(elapsed.as_secs_f64());
}

/// A job run failed; `retried` when it will run again.
pub fn job_failed(kind: &str, retried: bool) {
    let labels = KindLabels {
        kind: kind.to_string(),
    };
    METRICS.job_failures.get_or_create(&labels).inc();
    if retried {
        METRICS.job_retries.get_or_create(&labels).inc();
    }
}

pub fn email_sent() {
    METRICS.emails_sent.inc();
}

pub fn email_failed() {
    METRICS.emails_failed.inc();
}

/// Values read at scrape time.
pub struct Snapshot {
    pub queue_depth: Vec<(String, i64)>,
    pub pool_size: u32,
    pub pool_idle: u32,
}

/// The text exposition, with the scrape-time gauges set from `snapshot`.
pub fn render(snapshot: &Snapshot) -> String {
    let m = &*METRICS;
    m.queue_depth.clear();
    for (kind, depth) in &snapshot.queue_depth {
        m.queue_depth
            .get_or_create(&KindLabels { kind: kind.clone() })
            .set(*depth);
    }
    let idle = i64::from(snapshot.pool_idle);
    m.pool
        .get_or_create(&PoolLabels { state: "idle" })
        .set(idle);
    m.pool
        .get_or_create(&PoolLabels { state: "in_use" })
        .set(i64::from(snapshot.pool_size) - idle);
    let mut out = String::new();
    // Writing into a String cannot fail.
    let _ = prometheus_client::encoding::text::encode(&mut out, &m.registry);
    out
}
