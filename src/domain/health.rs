//! Readiness and the figures read at scrape time, for operators (`/readyz`, `/metrics`).

use super::Context;

/// Whether the parts a request needs answer.
pub struct Readiness {
    pub database: bool,
    pub storage: bool,
}

impl Readiness {
    pub fn ready(&self) -> bool {
        self.database && self.storage
    }
}

pub async fn readiness(ctx: &Context) -> Readiness {
    let (database, storage) = tokio::join!(ctx.db.ping(), ctx.files.ping());
    Readiness { database, storage }
}

/// Gauges for `/metrics`: the job queue depth per kind (empty when the database does not
/// answer: the scrape still shows the counters) and the pool's connections.
pub async fn metrics_snapshot(ctx: &Context) -> crate::metrics::Snapshot {
    let queue_depth = crate::db::jobs::pending_by_kind(&ctx.db.pool)
        .await
        .unwrap_or_default();
    crate::metrics::Snapshot {
        queue_depth,
        pool_size: ctx.db.pool.size(),
        pool_idle: u32::try_from(ctx.db.pool.num_idle()).unwrap_or(u32::MAX),
    }
}
