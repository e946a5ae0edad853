//! Attachments of an announcement: photos re-encoded through the report photos' checks
//! (size, format, pixels; metadata removed), and PDFs checked to be PDFs.

use crate::auth::Actor;
use crate::auth::authz::{self, Action};
use crate::db::announcements::{self as adb, AttachmentRow};
use crate::domain::{AppError, AppResult, Context};

use super::Attachment;

/// Largest attachment accepted (photos have the same limit in `photos`).
pub const MAX_BYTES: usize = crate::photos::MAX_UPLOAD_BYTES;
/// Attachments per announcement.
pub const MAX_FILES: usize = 10;

fn view(a: AttachmentRow) -> Attachment {
    Attachment {
        url: format!(
            "/api/v1/announcements/{}/attachments/{}",
            a.announcement_id, a.id
        ),
        id: a.id,
        kind: a.kind,
        filename: a.filename,
        size: a.size,
    }
}

pub async fn list(cx: &Context, announcement_id: &str) -> AppResult<Vec<Attachment>> {
    Ok(adb::attachments(&cx.db.pool, announcement_id)
        .await?
        .into_iter()
        .map(view)
        .collect())
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

/// Adds one file (staff of the building); returns it as listed.
pub async fn add(
    cx: &Context,
    actor: &Actor,
    announcement_id: &str,
    filename: &str,
    bytes: Vec<u8>,
) -> AppResult<Attachment> {
    let (row, building, _) = super::load(cx, actor, announcement_id).await?;
    authz::check(actor, Action::PublishNews, &building.reference())?;
    if bytes.len() > MAX_BYTES {
        return Err(AppError::TooLarge);
    }
    if adb::attachments(&cx.db.pool, &row.id).await?.len() >= MAX_FILES {
        return Err(AppError::invalid("file", "error.news_too_many_files"));
    }
    let id = crate::db::new_id();
    let (kind, key, stored, name) = if crate::pdf::is_pdf(&bytes) {
        let key = format!("announcements/{}/{id}.pdf", row.id);
        let name = clean_name(filename, "document.pdf");
        ("pdf", key, bytes, name)
    } else {
        let photo = cx.photo_pool.process(bytes).await.map_err(|e| match e {
            crate::photos::PhotoError::Busy => AppError::Busy,
            crate::photos::PhotoError::TooLarge => AppError::TooLarge,
            crate::photos::PhotoError::Encode(_) => AppError::Internal(e.to_string()),
            // Neither a PDF nor an image we can read.
            crate::photos::PhotoError::NotAnImage => {
                AppError::invalid("file", "error.news_file_type")
            }
            other => AppError::invalid("file", other.message_key()),
        })?;
        let key = format!("announcements/{}/{id}.jpg", row.id);
        let stem = clean_name(filename, "photo");
        let stem = stem.rsplit_once('.').map(|(s, _)| s).unwrap_or(&stem);
        ("photo", key, photo.full, format!("{stem}.jpg"))
    };
    let size = stored.len() as i64;
    cx.files
        .put(&key, stored.into())
        .await
        .map_err(AppError::from)?;
    let att = AttachmentRow {
        id,
        announcement_id: row.id.clone(),
        kind: kind.to_string(),
        object_key: key.clone(),
        filename: name,
        size,
    };
    if let Err(e) = adb::insert_attachment(&cx.db.pool, &att, cx.clock.now_ms()).await {
        // The file without its row is invisible; remove it rather than keep it.
        let _ = cx.files.delete(&key).await;
        return Err(e.into());
    }
    Ok(view(att))
}

/// A file for a reader of its announcement: (content type, file name, bytes).
pub async fn get(
    cx: &Context,
    actor: &Actor,
    announcement_id: &str,
    attachment_id: &str,
) -> AppResult<(&'static str, String, Vec<u8>)> {
    let att = adb::attachment(&cx.db.pool, attachment_id)
        .await?
        .filter(|a| a.announcement_id == announcement_id)
        .ok_or(AppError::NotFound)?;
    super::load(cx, actor, announcement_id).await?;
    let bytes = cx
        .files
        .get(&att.object_key)
        .await
        .map_err(AppError::from)?;
    let content_type = if att.kind == "pdf" {
        "application/pdf"
    } else {
        "image/jpeg"
    };
    Ok((content_type, att.filename, bytes.to_vec()))
}

/// The printable A4 notice for the hall (staff): the announcement in large type, the
/// building's name and the QR code of its registration poster. (file name, PDF bytes)
pub async fn notice_pdf(cx: &Context, actor: &Actor, id: &str) -> AppResult<(String, Vec<u8>)> {
    let (row, building, _) = super::load(cx, actor, id).await?;
    authz::check(actor, Action::PublishNews, &building.reference())?;
    let lang = crate::domain::buildings::agency_lang(cx, &building.agency_id).await?;
    let url = format!(
        "{}/register?code={}",
        cx.config.base_url.trim_end_matches('/'),
        building.code
    );
    let date = crate::i18n::local_date_in(lang, row.publish_at);
    let footer = lang.tf(
        "news.pdf.footer",
        &[("building", &building.name), ("code", &building.code)],
    );
    let doc = crate::pdf::NoticeDoc {
        building_name: &building.name,
        date: &date,
        title: &row.title,
        body: &row.body,
        register_url: &url,
        qr_caption: lang.t("news.pdf.qr_caption"),
        footer: &footer,
    };
    let bytes = crate::pdf::notice(&doc).map_err(|e| AppError::Internal(format!("pdf: {e}")))?;
    Ok((format!("info-{}", row.id), bytes))
}
