//! Insurance claims end to end (issue 11): the ceiling-leak report turned into a
//! water-damage claim with a photo and a quote, its PDF read back, the transmission to the
//! building's insurer, the insurer's link (reference, expert's visit, message), the
//! manager notified and answering, and what the report's readers see.

use palier::clock::{Clock, DAY_MS};
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use serde_json::json;

use crate::claims_support::*;
use crate::fixtures::jpeg_with_exif;
use crate::helpers::*;
use crate::photos::upload;
use crate::reports::create_report;
use crate::work_orders::{pdf_text, ts};

#[tokio::test]
async fn a_ceiling_leak_becomes_a_claim_the_insurer_follows_through_their_link() {
    let clock = Clock::fixed(ts("2026-11-23T09:00:00Z"));
    let app = spawn_app_with(clock.clone()).await;
    let manager = app.token(MANAGER).await;
    let tenant = app.token(TENANT).await;
    let report = create_report(&app, &tenant, &app.tilleuls, json!({"category": "plomberie", "location": "escalier A, 3e étage", "title": "Fuite au plafond du palier", "description": "De l'eau coule du plafond."})).await;
    let rid = report["id"].as_str().expect("id").to_string();
    let (status, photo) = upload(
        &app,
        &tenant,
        &rid,
        "plafond.jpg",
        jpeg_with_exif(64, 48, 1),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{photo}");
    let lot = a_lot(&app, &manager, &app.tilleuls).await;

    // The manager declares it: the report's title, place and photo come along.
    let path = format!("/api/v1/buildings/{}/claims", app.tilleuls);
    let body = json!({
        "report_id": rid, "kind": "degat-des-eaux",
        "occurred_at": "2026-11-20T22:00", "discovered_at": "2026-11-21",
        "description": "Fuite sur la colonne d'eau chaude <b>au 4e</b>",
        "damages": "Plafond du palier taché, peinture cloquée",
        "estimated_amount_cents": 125000, "lots_concerned": [lot],
        "third_parties": "Occupant du 4e étage"
    });
    for who in [REFERENT, TENANT] {
        let (status, _) = app
            .post_json(&path, Some(&app.token(who).await), &body)
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{who}");
    }
    let (status, _) = app
        .post_json(&path, Some(&app.token(OTHER_MANAGER).await), &body)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, claim) = app.post_json(&path, Some(&manager), &body).await;
    assert_eq!(status, StatusCode::CREATED, "{claim}");
    assert_eq!(claim["status"], "draft");
    assert_eq!(claim["reference"], "SIN-2026-0001");
    assert_eq!(claim["title"], "Fuite au plafond du palier");
    assert_eq!(claim["place"], "escalier A, 3e étage");
    assert_eq!(claim["irsi_band"], "up_to_1600");
    assert_eq!(claim["lots"][0]["id"], lot.as_str());
    assert_eq!(claim["attachments"][0]["kind"], "photo");
    let cid = claim["id"].as_str().expect("id").to_string();

    // A quote: a real PDF is accepted, a fake one is not.
    let pdf = a_pdf(&app, &manager).await;
    let (status, quote) = attach(&app, &manager, &cid, "quote", "devis plombier.pdf", pdf).await;
    assert_eq!(status, StatusCode::CREATED, "{quote}");
    assert_eq!(
        (quote["format"].as_str(), quote["kind"].as_str()),
        (Some("pdf"), Some("quote"))
    );
    let (status, err) = attach(
        &app,
        &manager,
        &cid,
        "quote",
        "devis.pdf",
        b"%PDF-1.4 fake %%EOF".to_vec(),
    )
    .await;
    assert_eq!(
        (status, err["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("file"))
    );

    // No insurer yet: a clear 409.
    let transmit = format!("/api/v1/claims/{cid}/transmit");
    let (status, err) = app.post_json(&transmit, Some(&manager), &json!({})).await;
    assert_eq!(status, StatusCode::CONFLICT, "{err}");
    assert!(
        err["error"]
            .as_str()
            .unwrap_or_default()
            .contains("assureur"),
        "{err}"
    );

    insure(&app, &manager, &app.tilleuls, "POL-778-2231").await;

    // The PDF, read back by a real parser.
    let resp = app
        .client
        .get(app.url(&format!("/api/v1/claims/{cid}/pdf")))
        .bearer_auth(&manager)
        .send()
        .await
        .expect("pdf");
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.headers()["content-type"], "application/pdf");
    let bytes = resp.bytes().await.expect("bytes").to_vec();
    if let Ok(out) = std::env::var("CLAIM_PDF_OUT") {
        std::fs::write(out, &bytes).expect("write the PDF");
    }
    let text = pdf_text(&bytes);
    for needle in [
        "POL-778-2231",
        "dégât des eaux",
        "20/11/2026",
        "21/11/2026",
        "Assurances Mutuelles",
        "Syndicat des copropriétaires",
        "représenté par son syndic",
        "devis plombier.pdf",
        "<b>au 4e</b>",
        "1 250,00 €",
        "IRSI",
    ] {
        assert!(text.contains(needle), "{needle:?} not in the PDF:\n{text}");
    }

    // Transmission: the insurer gets the PDF, the files and a private link.
    let (status, sent) = app.post_json(&transmit, Some(&manager), &json!({})).await;
    assert_eq!(status, StatusCode::OK, "{sent}");
    assert_eq!(sent["status"], "transmitted");
    assert_eq!(sent["link_active"], true);
    let (status, _) = app.post_json(&transmit, Some(&manager), &json!({})).await;
    assert_eq!(status, StatusCode::CONFLICT);
    let token = insurer_token(&app, "SIN-2026-0001").await;
    let names = attachment_names(&app, INSURER_EMAIL, "SIN-2026-0001");
    assert!(names.iter().any(|n| n == "SIN-2026-0001.pdf"), "{names:?}");
    assert!(names.iter().any(|n| n == "devis plombier.pdf"), "{names:?}");

    // The insurer's page, on the link: escaped, with the files.
    let insurer = app.browser(None).await;
    let (status, html) = insurer.get_text(&format!("/i/{token}")).await;
    assert_eq!(status, StatusCode::OK, "{token}: {html}");
    assert!(
        html.contains("&#60;b&#62;au 4e") && !html.contains("<b>au 4e"),
        "escaped"
    );
    assert!(html.contains("POL-778-2231") && html.contains("devis plombier.pdf"));
    let quote_id = quote["id"].as_str().expect("id");
    let resp = insurer
        .get(&format!("/i/{token}/attachments/{quote_id}"))
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.headers()["content-type"], "application/pdf");

    // A reference, then the expert's visit, then a message with a file.
    let page = format!("/i/{token}");
    let resp = insurer
        .submit(
            &page,
            &format!("/i/{token}/reference"),
            &[("reference", "MUT-2026-99812")],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let (_, c) = app
        .get_json(&format!("/api/v1/claims/{cid}"), Some(&manager))
        .await;
    assert_eq!(
        (c["status"].as_str(), c["insurer_reference"].as_str()),
        (Some("acknowledged"), Some("MUT-2026-99812"))
    );
    app.wait_for_mail(MANAGER, "l’assureur a répondu").await;

    clock.set(ts("2026-11-24T10:00:00Z"));
    let resp = insurer
        .submit(
            &page,
            &format!("/i/{token}/visit"),
            &[("date", "2026-12-02T14:30")],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let ics = insurer.get_text(&format!("/i/{token}/visit.ics")).await.1;
    assert!(ics.contains("DTSTART:20261202T133000Z"), "{ics}");
    let csrf = insurer.csrf(&page).await;
    let form = Form::new()
        .text(
            "body",
            "L'expert passera avec le plombier. Merci de prévenir l'occupant du 4e.",
        )
        .text("kind", "expert_report")
        .part(
            "file",
            Part::bytes(a_pdf(&app, &manager).await).file_name("convocation.pdf"),
        );
    let resp = insurer
        .client
        .post(app.url(&format!("/i/{token}/messages?csrf={csrf}")))
        .multipart(form)
        .send()
        .await
        .expect("send");
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let (_, c) = app
        .get_json(&format!("/api/v1/claims/{cid}"), Some(&manager))
        .await;
    assert_eq!(c["status"], "expert_visit_planned");
    assert_eq!(c["messages"][0]["author"], "insurer");
    assert!(
        c["attachments"]
            .as_array()
            .expect("files")
            .iter()
            .any(|a| a["filename"] == "convocation.pdf" && a["from_insurer"] == true)
    );
    let history = kinds(&c["history"]);
    for step in [
        "declared",
        "attachment_added",
        "transmitted",
        "insurer_reference",
        "expert_visit",
        "insurer_message",
    ] {
        assert!(history.iter().any(|k| k == step), "{step} in {history:?}");
    }
    // The manager is notified of the message, and answers.
    let mail = app.wait_for_mail(MANAGER, "l’assureur a répondu").await;
    assert!(!mail.is_empty());
    eventually("message notice", || async {
        app.mails_to(MANAGER)
            .iter()
            .any(|m| m.contains("prévenir l'occupant"))
    })
    .await;
    let (status, c) = app
        .post_json(
            &format!("/api/v1/claims/{cid}/messages"),
            Some(&manager),
            &json!({"body": "C'est noté, l'occupant est prévenu."}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{c}");
    app.wait_for_mail(INSURER_EMAIL, "nouveau message").await;
    let (_, html) = insurer.get_text(&page).await;
    assert!(
        html.contains("l&#39;occupant est prévenu"),
        "the insurer reads the answer"
    );

    // What the report's readers see: the tenant only that a claim was declared.
    let (_, seen) = app
        .get_json(&format!("/api/v1/reports/{rid}"), Some(&tenant))
        .await;
    let tenant_sees = kinds(&seen["history"]);
    assert!(
        tenant_sees.iter().any(|k| k == "claim_declared"),
        "{tenant_sees:?}"
    );
    assert!(
        !tenant_sees.iter().any(|k| k == "claim_status_changed"),
        "{tenant_sees:?}"
    );
    assert!(!seen.to_string().contains("125000") && !seen.to_string().contains("MUT-2026"));
    let (_, seen) = app
        .get_json(
            &format!("/api/v1/reports/{rid}"),
            Some(&app.token(REFERENT).await),
        )
        .await;
    let statuses: Vec<&str> = seen["history"]
        .as_array()
        .expect("history")
        .iter()
        .filter(|e| e["kind"] == "claim_status_changed")
        .filter_map(|e| e["detail"].as_str())
        .collect();
    assert!(statuses.contains(&"Expertise planifiée"), "{statuses:?}");
    // The claim itself is for managers.
    for who in [TENANT, REFERENT] {
        let (status, _) = app
            .get_json(
                &format!("/api/v1/claims/{cid}"),
                Some(&app.token(who).await),
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{who}");
    }
    let (status, _) = app
        .get_json(
            &format!("/api/v1/claims/{cid}"),
            Some(&app.token(OTHER_MANAGER).await),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Settled with an amount; then the link can be revoked (410).
    let (status, c) = app
        .post_json(
            &format!("/api/v1/claims/{cid}/status"),
            Some(&manager),
            &json!({"status": "settled", "amount_cents": 118000}),
        )
        .await;
    assert_eq!(
        (status, c["status"].as_str()),
        (StatusCode::OK, Some("settled")),
        "{c}"
    );
    let (status, _) = app
        .post_json(
            &format!("/api/v1/claims/{cid}/revoke"),
            Some(&manager),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(insurer.get(&page).await.status(), StatusCode::GONE);
    clock.set(ts("2026-11-24T10:00:00Z") + 400 * DAY_MS);
    assert_eq!(insurer.get(&page).await.status(), StatusCode::GONE);
}
