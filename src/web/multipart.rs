//! Multipart forms (photo and PDF uploads): their files and text fields.

use axum::extract::Multipart;

use crate::domain::AppError;

/// The text fields of a multipart form.
#[derive(Debug, Default)]
pub struct FormFields(Vec<(String, String)>);

impl FormFields {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The field's text, empty when absent.
    pub fn text(&self, name: &str) -> String {
        self.get(name).unwrap_or_default().to_string()
    }
}

/// Reads a multipart body: its files (non-empty file parts, or fields `photo`, `photos`,
/// `file`) and its text fields.
pub async fn read_files(multipart: &mut Multipart) -> Result<(Vec<Vec<u8>>, FormFields), AppError> {
    let mut files = Vec::new();
    let mut fields = Vec::new();
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|_| AppError::BadRequest("error.multipart"))?
    {
        let name = field.name().unwrap_or_default().to_string();
        let is_file =
            field.file_name().is_some() || matches!(name.as_str(), "photo" | "photos" | "file");
        let bytes = field.bytes().await.map_err(|_| AppError::TooLarge)?;
        if is_file {
            // Browsers send an empty part for an empty file input.
            if !bytes.is_empty() {
                files.push(bytes.to_vec());
            }
        } else {
            fields.push((name, String::from_utf8_lossy(&bytes).into_owned()));
        }
    }
    Ok((files, FormFields(fields)))
}

/// Reads a multipart body whose one file keeps its name (an announcement's attachment):
/// the first non-empty file part, and the text fields.
pub async fn read_named_file(
    multipart: &mut Multipart,
) -> Result<(Option<(String, Vec<u8>)>, FormFields), AppError> {
    let mut file = None;
    let mut fields = Vec::new();
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|_| AppError::BadRequest("error.multipart"))?
    {
        let name = field.name().unwrap_or_default().to_string();
        let file_name = field.file_name().map(str::to_string);
        let bytes = field.bytes().await.map_err(|_| AppError::TooLarge)?;
        if name == "file" || file_name.is_some() {
            if !bytes.is_empty() && file.is_none() {
                file = Some((file_name.unwrap_or_default(), bytes.to_vec()));
            }
        } else {
            fields.push((name, String::from_utf8_lossy(&bytes).into_owned()));
        }
    }
    Ok((file, FormFields(fields)))
}
