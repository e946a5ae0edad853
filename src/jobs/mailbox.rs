//! Polling a mailbox of answers (N6, `--imap-url`): each message is handled like one piped
//! to `palier mail receive`, then moved to the `Processed` or `Rejected` folder. IDLE waits
//! for new mail when the server offers it; otherwise the mailbox is checked every minute.
//! A message whose handling failed for a temporary reason stays for the next turn.

use std::time::Duration;

use tokio::sync::watch;

use crate::domain::Context;
use crate::domain::mail_in::{self, Outcome};
use crate::mail::imap::{ImapClient, ImapError, ImapUrl};

pub const PROCESSED: &str = "Processed";
pub const REJECTED: &str = "Rejected";
const POLL_EVERY: Duration = Duration::from_secs(60);
/// IDLE is renewed before servers drop it (RFC 2177 asks for less than 29 minutes).
const IDLE_FOR: Duration = Duration::from_secs(25 * 60);
const RETRY_AFTER: Duration = Duration::from_secs(30);

/// Handles every message waiting in the selected mailbox; returns how many were moved.
pub async fn poll_once(state: &Context, client: &mut ImapClient) -> Result<usize, ImapError> {
    let mut moved = 0;
    for uid in client.uids().await? {
        let Some(raw) = client.fetch(uid).await? else {
            continue;
        };
        match mail_in::receive(state, &raw).await {
            Ok(outcome) => {
                let folder = if matches!(outcome, Outcome::Refused(_)) {
                    REJECTED
                } else {
                    PROCESSED
                };
                client.move_to(uid, folder).await?;
                moved += 1;
                tracing::info!(uid, outcome = %outcome.summary(), "mailbox message handled");
            }
            Err(e) => {
                tracing::warn!(uid, error = %e, "mailbox message left for a later try");
            }
        }
    }
    Ok(moved)
}

async fn session(
    state: &Context,
    url: &ImapUrl,
    shutdown: &mut watch::Receiver<bool>,
) -> Result<(), ImapError> {
    let mut client = ImapClient::connect(url).await?;
    client.ensure_mailbox(PROCESSED).await?;
    client.ensure_mailbox(REJECTED).await?;
    client.select(&url.mailbox).await?;
    let idle = client.has("IDLE");
    loop {
        poll_once(state, &mut client).await?;
        if *shutdown.borrow() {
            client.logout().await;
            return Ok(());
        }
        if idle {
            tokio::select! {
                r = client.idle(IDLE_FOR) => r?,
                _ = shutdown.changed() => return Ok(()),
            }
        } else {
            tokio::select! {
                _ = tokio::time::sleep(POLL_EVERY) => {
                    // Some servers only show new messages after a NOOP.
                    client.command("NOOP").await?;
                }
                _ = shutdown.changed() => return Ok(()),
            }
        }
    }
}

/// Runs until `shutdown`: a lost connection is opened again after a pause.
pub async fn run(state: Context, url: ImapUrl, mut shutdown: watch::Receiver<bool>) {
    tracing::info!(mailbox = ?url, "polling the mailbox of answers");
    loop {
        if *shutdown.borrow() {
            return;
        }
        match session(&state, &url, &mut shutdown).await {
            Ok(()) => return,
            Err(e) => tracing::warn!(error = %e, "mailbox connection lost, trying again"),
        }
        tokio::select! {
            _ = tokio::time::sleep(RETRY_AFTER) => {}
            _ = shutdown.changed() => return,
        }
    }
}
