//! What the claims tests share: an insured building, files, the insurer's link from the e-mail.

use mail_parser::MimeHeaders;
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

use crate::helpers::*;

pub const INSURER_EMAIL: &str = "sinistres@assurances-mutuelles.test";

/// A lot id of the building.
pub async fn a_lot(app: &TestApp, token: &str, building: &str) -> String {
    let (_, lots) = app
        .get_json(&format!("/api/v1/buildings/{building}/lots"), Some(token))
        .await;
    lots["lots"][0]["id"]
        .as_str()
        .expect("the demo building has lots")
        .to_string()
}

/// The agency's insurer, set on the building with a policy number.
pub async fn insure(app: &TestApp, manager: &str, building: &str, policy: &str) -> String {
    let (status, insurer) = app
        .post_json(
            "/api/v1/insurers",
            Some(manager),
            &json!({"name": "Assurances Mutuelles", "claims_email": INSURER_EMAIL, "phone": "01 02 03 04 05"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{insurer}");
    let id = insurer["id"].as_str().expect("id").to_string();
    let (status, set) = app
        .send_json(
            reqwest::Method::PUT,
            &format!("/api/v1/buildings/{building}/insurance"),
            Some(manager),
            &json!({"insurer_id": id, "policy_number": policy}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{set}");
    assert_eq!(set["policy_number"], policy);
    id
}

/// Posts one file to a claim.
pub async fn attach(
    app: &TestApp,
    token: &str,
    claim: &str,
    kind: &str,
    name: &str,
    bytes: Vec<u8>,
) -> (StatusCode, Value) {
    let form = Form::new()
        .text("kind", kind.to_string())
        .part("file", Part::bytes(bytes).file_name(name.to_string()));
    let resp = app
        .client
        .post(app.url(&format!("/api/v1/claims/{claim}/attachments")))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .expect("send");
    let status = resp.status();
    (status, resp.json().await.unwrap_or(Value::Null))
}

/// A real PDF to stand for a quote: the building's poster.
pub async fn a_pdf(app: &TestApp, manager: &str) -> Vec<u8> {
    app.client
        .get(app.url(&format!("/api/v1/buildings/{}/poster.pdf", app.tilleuls)))
        .bearer_auth(manager)
        .send()
        .await
        .expect("poster")
        .bytes()
        .await
        .expect("bytes")
        .to_vec()
}

/// The insurer's token, from the link in the e-mail they received.
pub async fn insurer_token(app: &TestApp, reference: &str) -> String {
    let text = app.wait_for_mail(INSURER_EMAIL, reference).await;
    let link = text
        .split_whitespace()
        .find(|w| w.contains("/i/"))
        .expect("link in the e-mail");
    let after = link.split("/i/").nth(1).unwrap_or_default();
    after.split('/').next().unwrap_or_default().to_string()
}

/// File names attached to the e-mails to `to` whose subject holds `subject`.
pub fn attachment_names(app: &TestApp, to: &str, subject: &str) -> Vec<String> {
    let mut names = Vec::new();
    for entry in std::fs::read_dir(app.mail_dir())
        .expect("mail dir")
        .flatten()
    {
        let raw = std::fs::read(entry.path()).expect("read");
        let Some(msg) = mail_parser::MessageParser::default().parse(&raw) else {
            continue;
        };
        let ok = msg
            .to()
            .and_then(|a| a.first())
            .and_then(|a| a.address())
            .is_some_and(|a| a == to)
            && msg.subject().is_some_and(|s| s.contains(subject));
        if ok {
            names.extend(
                msg.attachments()
                    .filter_map(|a| a.attachment_name().map(str::to_string)),
            );
        }
    }
    names
}

pub fn kinds(history: &Value) -> Vec<String> {
    history
        .as_array()
        .map(|h| {
            h.iter()
                .filter_map(|e| e["kind"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}
