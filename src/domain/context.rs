//! What domain services work with: the database, file storage, the clock, the mail
//! queue's transport and wake-up, and the configuration. Built once by `app`; the web layer
//! shares it as its state, but nothing here knows about HTTP.

use std::sync::Arc;

use tokio::sync::Notify;

use crate::clock::Clock;
use crate::config::Config;
use crate::db::Db;
use crate::mail::Mailer;
use crate::storage::FileStore;

#[derive(Clone)]
pub struct Context {
    pub db: Db,
    pub config: Arc<Config>,
    pub mailer: Arc<Mailer>,
    pub clock: Clock,
    /// Uploaded files (photos, PDFs): a local folder by default.
    pub files: FileStore,
    /// Wakes the in-process worker when a job is queued, so e-mails leave at once.
    pub jobs_notify: Arc<Notify>,
    /// Bounds the memory and number of photo decodes running at once.
    pub photo_pool: Arc<crate::photos::DecodePool>,
}
