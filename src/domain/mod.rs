//! Domain types and services. Input is parsed into these types before it reaches SQL;
//! services return [`AppError`], which the web layer maps once to HTTP.

pub mod account_settings;
pub mod accounts;
pub mod agencies;
pub mod announcements;
pub mod approval;
pub mod buildings;
pub mod calendar;
pub mod claims;
pub mod context;
pub mod dashboard;
pub mod dashboard_csv;
pub mod erasure;
pub mod health;
pub mod idempotency;
pub mod inbox;
pub mod invitations;
pub mod landlords;
pub mod lots;
pub mod mail_in;
pub mod memberships;
pub mod moving_out;
pub mod news;
pub mod notifications;
pub mod personal_data;
pub mod polls;
pub mod portfolio;
pub mod reports;
pub mod service_levels;
pub mod stats;
pub mod throttle;
pub mod types;
pub mod work_orders;

pub use context::Context;

use crate::db::DbError;

/// A rejected input: which field, and the translation key of the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    pub field: &'static str,
    pub key: &'static str,
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    #[error("forbidden")]
    Forbidden,
    /// Not logged in, or bad credentials; the key says which message to show.
    #[error("unauthorized: {0}")]
    Unauthorized(&'static str),
    #[error("invalid {}: {}", .0.field, .0.key)]
    Invalid(Invalid),
    #[error("conflict: {0}")]
    Conflict(&'static str),
    /// Malformed request (unreadable JSON, wrong content type); the key names the message.
    #[error("bad request: {0}")]
    BadRequest(&'static str),
    /// A link that existed but no longer works (expired or revoked).
    #[error("gone: {0}")]
    Gone(&'static str),
    #[error("request body too large")]
    TooLarge,
    #[error("too many requests")]
    TooManyRequests,
    /// Over an abuse limit: the key names the message, `retry_after` is in seconds.
    #[error("throttled: {key}")]
    Throttled { key: &'static str, retry_after: u64 },
    /// Saturated for a moment (e.g. every photo decoder busy): try again shortly.
    #[error("busy")]
    Busy,
    /// The file store (local disk or S3 bucket) did not answer: the request is refused
    /// whole, with nothing recorded, and may be retried.
    #[error("file storage unavailable: {0}")]
    StorageUnavailable(String),
    #[error(transparent)]
    Db(#[from] DbError),
    #[error("internal error: {0}")]
    Internal(String),
}

impl AppError {
    pub fn invalid(field: &'static str, key: &'static str) -> AppError {
        AppError::Invalid(Invalid { field, key })
    }
}

impl From<crate::storage::StorageError> for AppError {
    fn from(e: crate::storage::StorageError) -> AppError {
        use crate::storage::StorageError;
        match e {
            StorageError::NotFound => AppError::NotFound,
            StorageError::BadKey => AppError::Internal(e.to_string()),
            StorageError::Backend(detail) => AppError::StorageUnavailable(detail),
        }
    }
}

impl From<Invalid> for AppError {
    fn from(value: Invalid) -> Self {
        AppError::Invalid(value)
    }
}

impl From<crate::auth::Denied> for AppError {
    fn from(value: crate::auth::Denied) -> Self {
        match value {
            crate::auth::Denied::NotFound => AppError::NotFound,
            crate::auth::Denied::Forbidden => AppError::Forbidden,
            crate::auth::Denied::AgencyRequired => {
                AppError::invalid("agency_id", "error.agency_required")
            }
        }
    }
}

impl From<crate::auth::password::HashError> for AppError {
    fn from(value: crate::auth::password::HashError) -> Self {
        AppError::Internal(value.to_string())
    }
}

impl From<crate::mail::transport::MailError> for AppError {
    fn from(value: crate::mail::transport::MailError) -> Self {
        AppError::Internal(value.to_string())
    }
}

impl From<sqlx::Error> for AppError {
    fn from(value: sqlx::Error) -> Self {
        AppError::Db(DbError::Sqlx(value))
    }
}

/// Unique-constraint violations are a user-facing conflict, not a server fault.
pub fn is_unique_violation(err: &AppError) -> bool {
    matches!(err, AppError::Db(DbError::Sqlx(sqlx::Error::Database(e))) if e.is_unique_violation())
}

pub type AppResult<T> = Result<T, AppError>;
