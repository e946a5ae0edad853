//! E-mail: messages are rendered from embedded templates, queued as jobs in the same
//! transaction as the change that caused them, and sent by the worker (`crate::jobs`).

pub mod imap;
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
    /// Stable `Message-ID` (without angle brackets), so a retried send is recognisable.
    #[serde(default)]
    pub message_id: Option<String>,
    /// Id of the thread (a report) for `In-Reply-To`/`References`, so mail clients group it.
    #[serde(default)]
    pub thread_id: Option<String>,
    /// Address of the notification settings, for the `List-Unsubscribe` header.
    #[serde(default)]
    pub unsubscribe: Option<String>,
    /// Files attached (a work order's PDF, a calendar file).
    #[serde(default)]
    pub attachments: Vec<Attachment>,
    /// Who answers go to when it is not the sender (the manager behind a work order).
    #[serde(default)]
    pub reply_to: Option<String>,
    /// An automatic answer (N6): sent with `Auto-Submitted: auto-replied`, so that other
    /// systems do not answer it in turn.
    #[serde(default)]
    pub auto_submitted: bool,
}

/// An attachment, by reference to stored file or as inline text, resolved at send time.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Attachment {
    pub filename: String,
    pub content_type: String,
    #[serde(default)]
    pub file_key: Option<String>,
    #[serde(default)]
    pub text: Option<String>,
}

impl OutgoingEmail {
    /// What is kept of a sent e-mail past the retention period: recipient, subject, ids
    /// and attachment names, without the text, the HTML or inline attachments.
    pub fn summary(&self) -> OutgoingEmail {
        OutgoingEmail {
            text: String::new(),
            html: String::new(),
            attachments: self
                .attachments
                .iter()
                .map(|a| Attachment {
                    text: None,
                    ..a.clone()
                })
                .collect(),
            ..self.clone()
        }
    }
}

pub async fn enqueue<'c>(
    ex: impl Executor<'c, Database = Any>,
    email: &OutgoingEmail,
    now: i64,
) -> sqlx::Result<String> {
    let payload = serde_json::to_string(email).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    crate::db::jobs::enqueue(ex, JOB_KIND, &payload, now, now).await
}
