//! Photo uploads: checked by content, re-encoded, stripped of location data, served only
//! to the report's readers.

use crate::fixtures::{
    GPS_LATITUDE_ENTRY, contains_bytes, jpeg_truncated_claiming, jpeg_with_gps_exif,
    png_header_only, small_png,
};
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

use crate::helpers::*;
use crate::reports::create_report;

pub async fn upload(
    app: &TestApp,
    token: &str,
    report: &str,
    name: &str,
    bytes: Vec<u8>,
) -> (StatusCode, Value) {
    let form = Form::new().part(
        "photo",
        Part::bytes(bytes)
            .file_name(name.to_string())
            .mime_str("image/jpeg")
            .expect("mime"),
    );
    let resp = app
        .client
        .post(app.url(&format!("/api/v1/reports/{report}/photos")))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .expect("send");
    let status = resp.status();
    (status, resp.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn photos_lose_their_gps_data_and_are_served_to_readers_only() {
    let app = spawn_app().await;
    let tenant = app.token(TENANT).await;
    let id = create_report(
        &app,
        &tenant,
        &app.tilleuls,
        json!({"category": "plomberie", "title": "Fuite"}),
    )
    .await["id"]
        .as_str()
        .expect("id")
        .to_string();

    let original = jpeg_with_gps_exif();
    assert!(
        contains_bytes(&original, b"Exif") && contains_bytes(&original, &GPS_LATITUDE_ENTRY),
        "the fixture carries GPS EXIF"
    );
    let (status, created) = upload(&app, &tenant, &id, "IMG_0001.jpg", original).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let url = created["photos"][0]["url"]
        .as_str()
        .expect("url")
        .to_string();

    let resp = app
        .client
        .get(app.url(&url))
        .bearer_auth(&tenant)
        .send()
        .await
        .expect("get");
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.headers()["content-type"], "image/jpeg");
    let stored = resp.bytes().await.expect("bytes");
    assert!(stored.starts_with(&[0xFF, 0xD8]), "a JPEG");
    assert!(
        !contains_bytes(&stored, b"Exif") && !contains_bytes(&stored, &GPS_LATITUDE_ENTRY),
        "no EXIF, no GPS left"
    );
    let thumb = app
        .client
        .get(app.url(&format!("{url}/thumb")))
        .bearer_auth(&tenant)
        .send()
        .await
        .expect("get");
    assert_eq!(thumb.status(), StatusCode::OK);

    let voisin = app.token(NEIGHBOUR).await;
    assert_eq!(
        app.client
            .get(app.url(&url))
            .bearer_auth(&voisin)
            .send()
            .await
            .expect("get")
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.client
            .get(app.url(&url))
            .send()
            .await
            .expect("get")
            .status(),
        StatusCode::UNAUTHORIZED
    );
    let (_, report) = app
        .get_json(&format!("/api/v1/reports/{id}"), Some(&tenant))
        .await;
    assert_eq!(report["photo_count"], 1);
}

#[tokio::test]
async fn photos_are_judged_by_content_not_by_name() {
    let app = spawn_app().await;
    let tenant = app.token(TENANT).await;
    let id = create_report(
        &app,
        &tenant,
        &app.tilleuls,
        json!({"category": "plomberie", "title": "Fuite"}),
    )
    .await["id"]
        .as_str()
        .expect("id")
        .to_string();

    let (status, _) = upload(&app, &tenant, &id, "renamed.jpg", small_png(64, 48)).await;
    assert_eq!(
        status,
        StatusCode::CREATED,
        "a PNG named .jpg is still a picture"
    );
    let (status, err) = upload(
        &app,
        &tenant,
        &id,
        "notes.jpg",
        b"hello, this is text".to_vec(),
    )
    .await;
    assert_eq!(
        (status, err["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("photo"))
    );
    assert!(
        err["error"]
            .as_str()
            .unwrap_or_default()
            .contains("pas une photo")
    );
    let (status, err) = upload(
        &app,
        &tenant,
        &id,
        "bomb.png",
        png_header_only(30_000, 30_000),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
    let (status, _) = upload(
        &app,
        &tenant,
        &id,
        "huge.jpg",
        vec![0u8; 10 * 1024 * 1024 + 1],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    let (_, report) = app
        .get_json(&format!("/api/v1/reports/{id}"), Some(&tenant))
        .await;
    assert_eq!(report["photo_count"], 1, "rejected files stored nothing");
    let owner = app.token(OWNER).await;
    let (status, _) = upload(&app, &owner, &id, "x.png", small_png(8, 8)).await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "only the author and staff add photos"
    );
}

#[tokio::test]
async fn truncated_and_many_megapixel_images_are_refused_before_decoding() {
    let app = spawn_app().await;
    let tenant = app.token(TENANT).await;
    let id = create_report(
        &app,
        &tenant,
        &app.tilleuls,
        json!({"category": "plomberie", "title": "Fuite"}),
    )
    .await["id"]
        .as_str()
        .expect("id")
        .to_string();
    // A 600-byte JPEG claiming 36 MP, its scan cut short: was stored as a grey picture.
    let (status, err) = upload(
        &app,
        &tenant,
        &id,
        "cut.jpg",
        jpeg_truncated_claiming(6_000, 6_000),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
    assert_eq!(err["field"], "photo");
    // 56 MP, each side under 12,000 px.
    let (status, err) = upload(
        &app,
        &tenant,
        &id,
        "wide.png",
        png_header_only(8_000, 7_000),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
    assert!(
        err["error"].as_str().unwrap_or_default().contains("50"),
        "{err}"
    );
    let (_, report) = app
        .get_json(&format!("/api/v1/reports/{id}"), Some(&tenant))
        .await;
    assert_eq!(report["photo_count"], 0);
}
