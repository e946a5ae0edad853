//! Abuse limits per client address (or per account): attempts are counted in the
//! database, so every server process shares them.
//!
//! Counting is atomic by construction: an attempt is recorded *before* it is checked, then
//! the attempts in the window are counted, the new one included. Concurrent attempts each
//! see the others, so no more than `max` get through; a refused or successful attempt is
//! taken back so it does not count as a failure.

use crate::db::{self, throttle as tdb};
use crate::domain::Context;
use crate::domain::{AppError, AppResult};

const MINUTE_MS: i64 = 60_000;
/// The longest window of the limits below.
const MAX_WINDOW_MS: i64 = 15 * MINUTE_MS;

/// At most `max` failed attempts per subject within `window_ms`.
#[derive(Debug, Clone, Copy)]
pub struct Limit {
    pub bucket: &'static str,
    pub max: i64,
    pub window_ms: i64,
    /// Translation key of the refusal message.
    pub key: &'static str,
}

/// Wrong building codes per client address: guessing a code needs many tries.
pub const WRONG_CODES: Limit = Limit {
    bucket: "wrong_code",
    max: 10,
    window_ms: 15 * MINUTE_MS,
    key: "error.too_many_codes",
};

/// Failed logins per client address, whatever the accounts tried.
pub const LOGIN_FAILURES: Limit = Limit {
    bucket: "login_failure",
    max: 20,
    window_ms: 15 * MINUTE_MS,
    key: "error.too_many_logins_from_address",
};

/// An attempt counted against a limit until [`Attempt::succeeded`] takes it back.
#[derive(Debug)]
pub struct Attempt {
    id: String,
}

/// Records an attempt by `subject`; refuses it (429 with Retry-After) when it would go over
/// the limit.
pub async fn attempt(state: &Context, limit: Limit, subject: &str) -> AppResult<Attempt> {
    let now = state.clock.now_ms();
    let since = now - limit.window_ms;
    // Attempts past every window are dead weight (indexed delete, usually of nothing).
    tdb::prune(&state.db.pool, now - MAX_WINDOW_MS).await?;
    let id = db::new_id();
    tdb::insert_hit(&state.db.pool, &id, limit.bucket, subject, now).await?;
    let (count, oldest) = tdb::hits_since(&state.db.pool, limit.bucket, subject, since).await?;
    if count > limit.max {
        tdb::delete_hit(&state.db.pool, &id).await?;
        let free_at = oldest.unwrap_or(now) + limit.window_ms;
        return Err(AppError::Throttled {
            key: limit.key,
            retry_after: u64::try_from((free_at - now + 999) / 1000).unwrap_or(1),
        });
    }
    Ok(Attempt { id })
}

impl Attempt {
    /// The attempt was legitimate (right password, existing code): it does not count.
    pub async fn succeeded(self, state: &Context) -> AppResult<()> {
        tdb::delete_hit(&state.db.pool, &self.id).await?;
        Ok(())
    }
}

/// The address a request came from: the peer, or for a configured trusted proxy the
/// nearest address it forwarded that is not itself a trusted proxy.
pub fn client_address(
    peer: std::net::IpAddr,
    forwarded_for: Option<&str>,
    trusted: &[std::net::IpAddr],
) -> std::net::IpAddr {
    if !trusted.contains(&peer) {
        return peer;
    }
    // Each proxy appends the address it saw: read from the right, skipping our proxies;
    // anything further left was written by the client and proves nothing.
    let mut client = peer;
    for hop in forwarded_for.unwrap_or_default().rsplit(',') {
        match hop.trim().parse::<std::net::IpAddr>() {
            Ok(ip) if trusted.contains(&ip) => client = ip,
            Ok(ip) => return ip,
            Err(_) => return client,
        }
    }
    client
}

#[cfg(test)]
mod tests {
    use super::client_address;
    use std::net::IpAddr;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn forwarded_for_is_believed_from_trusted_proxies_only() {
        let proxy = [ip("10.0.0.1")];
        let xff = Some("1.2.3.4, 5.6.7.8");
        // Anyone else's header is ignored: no posing as another address.
        assert_eq!(client_address(ip("9.9.9.9"), xff, &proxy), ip("9.9.9.9"));
        assert_eq!(client_address(ip("9.9.9.9"), xff, &[]), ip("9.9.9.9"));
        // Behind the proxy, the address it saw (the rightmost), not what the client wrote.
        assert_eq!(client_address(ip("10.0.0.1"), xff, &proxy), ip("5.6.7.8"));
        let two = [ip("10.0.0.1"), ip("10.0.0.2")];
        let chain = Some("6.6.6.6, 5.6.7.8, 10.0.0.2");
        assert_eq!(client_address(ip("10.0.0.1"), chain, &two), ip("5.6.7.8"));
        assert_eq!(client_address(ip("10.0.0.1"), None, &proxy), ip("10.0.0.1"));
        assert_eq!(
            client_address(ip("10.0.0.1"), Some("garbage"), &proxy),
            ip("10.0.0.1")
        );
    }
}
