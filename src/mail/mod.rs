//! E-mail: messages are rendered from embedded templates, queued as jobs in the same
//! transaction as the change that caused them, and sent by the worker (`crate::jobs`).

pub mod messages;
pub mod transport;

use serde::{Deserialize, Serialize};
use sqlx::{Any, Executor};

pub use transport::Mailer;

/// Job kind of an outgoing e-mail.
pub const JOB_KIND: &str = "email";

/// A rendered e-mail, as stored in the queue.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct OutgoingEmail {
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
}

pub async fn enqueue<'c>(
    ex: impl Executor<'c, Database = Any>,
    email: &OutgoingEmail,
    now: i64,
) -> sqlx::Result<String> {
    let payload = serde_json::to_string(email).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    crate::db::jobs::enqueue(ex, JOB_KIND, &payload, now, now).await
}
