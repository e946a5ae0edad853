//! A claim's attachments (quotes, invoices, photos, expert reports, notes), checked by
//! content like report photos and work-order PDFs: a PDF must parse as one; anything else
//! must be an image, which is re-encoded and stripped of its metadata.

use crate::auth::Actor;
use crate::db::claims::{self as cdb, AttachmentRow};
use crate::domain::{AppError, AppResult, Context};

use super::views::Attachment;

/// Largest file accepted (photos have the same limit).
pub const MAX_BYTES: usize = crate::photos::MAX_UPLOAD_BYTES;
/// Files on one claim.
pub const MAX_FILES: usize = 40;
pub const KINDS: [&str; 5] = ["quote", "invoice", "photo", "expert_report", "note"];

pub fn kind(raw: &str) -> AppResult<&'static str> {
    KINDS
        .iter()
        .find(|k| **k == raw.trim())
        .copied()
        .ok_or(AppError::invalid("kind", "error.claim_file_kind"))
}

/// A file name safe to show and to send back in a header.
fn clean_name(raw: &str, fallback: &str) -> String {
    let name: String = raw
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or_default()
        .chars()
        .filter(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | '_' | ' '))
        .take(80)
        .collect();
    let name = name.trim().to_string();
    if name.is_empty() {
        fallback.to_string()
    } else {
        name
    }
}

/// A checked file, stored, not yet recorded.
pub struct Stored {
    pub row: AttachmentRow,
}

/// Checks and stores one file for `claim_id`; the caller records `row` in its transaction
/// (and calls [`discard`] if that fails).
pub async fn store(
    cx: &Context,
    claim_id: &str,
    kind_raw: &str,
    filename: &str,
    bytes: Vec<u8>,
    from_insurer: bool,
) -> AppResult<Stored> {
    let kind = kind(kind_raw)?;
    if bytes.len() > MAX_BYTES {
        return Err(AppError::TooLarge);
    }
    if cdb::attachments_of(&cx.db.pool, claim_id).await?.len() >= MAX_FILES {
        return Err(AppError::invalid("file", "error.claim_too_many_files"));
    }
    let id = crate::db::new_id();
    let (format, key, stored, name) = if kind != "photo" && crate::pdf::is_pdf(&bytes) {
        let name = clean_name(filename, "document.pdf");
        let name = if name.to_lowercase().ends_with(".pdf") {
            name
        } else {
            format!("{name}.pdf")
        };
        ("pdf", format!("claims/{claim_id}/{id}.pdf"), bytes, name)
    } else {
        let photo = cx.photo_pool.process(bytes).await.map_err(|e| match e {
            crate::photos::PhotoError::Busy => AppError::Busy,
            crate::photos::PhotoError::TooLarge => AppError::TooLarge,
            crate::photos::PhotoError::Encode(_) => AppError::Internal(e.to_string()),
            // Neither a PDF nor an image we can read (a "PDF" that does not parse).
            crate::photos::PhotoError::NotAnImage => {
                AppError::invalid("file", "error.claim_file_type")
            }
            other => AppError::invalid("file", other.message_key()),
        })?;
        let stem = clean_name(filename, "photo");
        let stem = stem.rsplit_once('.').map(|(s, _)| s).unwrap_or(&stem);
        (
            "photo",
            format!("claims/{claim_id}/{id}.jpg"),
            photo.full,
            format!("{stem}.jpg"),
        )
    };
    let size = stored.len() as i64;
    cx.files
        .put(&key, stored.into())
        .await
        .map_err(|e| AppError::Internal(format!("storage: {e}")))?;
    Ok(Stored {
        row: AttachmentRow {
            id,
            claim_id: claim_id.to_string(),
            kind: kind.to_string(),
            format: format.to_string(),
            filename: name,
            object_key: key,
            size,
            message_id: None,
            from_insurer: i64::from(from_insurer),
            created_at: cx.clock.now_ms(),
        },
    })
}

/// Removes a stored file whose row could not be recorded.
pub async fn discard(cx: &Context, stored: &Stored) {
    let _ = cx.files.delete(&stored.row.object_key).await;
}

/// The manager adds a file to a claim.
pub async fn add(
    cx: &Context,
    actor: &Actor,
    claim_id: &str,
    kind: &str,
    filename: &str,
    bytes: Vec<u8>,
) -> AppResult<Attachment> {
    let claim = super::load(cx, actor, claim_id).await?;
    let stored = store(cx, &claim.id, kind, filename, bytes, false).await?;
    let now = cx.clock.now_ms();
    let recorded = async {
        let mut tx = cx.db.begin().await?;
        cdb::insert_attachment(&mut *tx, &stored.row).await?;
        cdb::insert_event(
            &mut *tx,
            &claim.id,
            "attachment_added",
            Some(&actor.person_id),
            &stored.row.filename,
            now,
        )
        .await?;
        tx.commit().await?;
        Ok::<(), AppError>(())
    }
    .await;
    if let Err(e) = recorded {
        discard(cx, &stored).await;
        return Err(e);
    }
    Ok(stored.row.into())
}

/// A file's bytes: (attachment, bytes).
pub async fn read(
    cx: &Context,
    claim_id: &str,
    attachment_id: &str,
) -> AppResult<(Attachment, Vec<u8>)> {
    let att: Attachment = cdb::attachment(&cx.db.pool, claim_id, attachment_id)
        .await?
        .ok_or(AppError::NotFound)?
        .into();
    let bytes = cx.files.get(&att.object_key).await.map_err(|e| match e {
        crate::storage::StorageError::NotFound => AppError::NotFound,
        other => AppError::Internal(format!("storage: {other}")),
    })?;
    Ok((att, bytes.to_vec()))
}

/// A file of the claim, for its managers.
pub async fn get(
    cx: &Context,
    actor: &Actor,
    claim_id: &str,
    attachment_id: &str,
) -> AppResult<(Attachment, Vec<u8>)> {
    let claim = super::load(cx, actor, claim_id).await?;
    read(cx, &claim.id, attachment_id).await
}
