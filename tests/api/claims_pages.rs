//! Claim pages for managers, without JavaScript: declare from a report, read the claim with
//! its IRSI hint, attach a file, transmit; other roles are kept out.

use palier::clock::Clock;
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use serde_json::json;

use crate::claims_support::{a_pdf, insure};
use crate::helpers::*;
use crate::reports::create_report;
use crate::work_orders::ts;

#[tokio::test]
async fn the_manager_declares_and_transmits_from_the_pages() {
    let app = spawn_app_with(Clock::fixed(ts("2026-11-23T09:00:00Z"))).await;
    let manager = app.token(MANAGER).await;
    let tenant = app.token(TENANT).await;
    let report = create_report(
        &app,
        &tenant,
        &app.tilleuls,
        json!({"category": "plomberie", "title": "Fuite au plafond du palier"}),
    )
    .await;
    let rid = report["id"].as_str().expect("id");
    let list = format!("/buildings/{}/claims?report_id={rid}", app.tilleuls);
    let action = format!("/buildings/{}/claims", app.tilleuls);

    let browser = app.browser(Some(MANAGER)).await;
    let (_, html) = browser.get_text(&format!("/reports/{rid}")).await;
    assert!(
        html.contains(&format!(
            "/buildings/{}/claims?report_id={rid}",
            app.tilleuls
        )),
        "the report page leads to the declaration"
    );
    let (status, html) = browser.get_text(&list).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains(&format!("value=\"{rid}\"")),
        "the report is carried in the form"
    );
    let mut form = vec![
        ("report_id", rid),
        ("kind", "degat-des-eaux"),
        ("occurred_at", "2026-12-20"),
        ("discovered_at", "2026-11-21"),
        ("description", "Fuite"),
        ("damages", "Plafond"),
        ("estimate", "2 400,50"),
    ];
    let resp = browser.submit(&list, &action, &form).await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        resp.text()
            .await
            .unwrap_or_default()
            .contains("Cette date est dans le futur.")
    );
    form[2] = ("occurred_at", "2026-11-20");
    let resp = browser.submit(&list, &action, &form).await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let page = location(&resp);
    let (status, html) = browser.get_text(&page).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("Fuite au plafond du palier") && html.contains("2 400,50 €"),
        "{html}"
    );
    assert!(html.contains("IRSI tranche 2"), "the IRSI hint");

    // A quote through the form, then the transmission (409 page until insured).
    let csrf = browser.csrf(&page).await;
    let form = Form::new().text("kind", "quote").part(
        "file",
        Part::bytes(a_pdf(&app, &manager).await).file_name("devis.pdf"),
    );
    let resp = browser
        .client
        .post(format!("{}{page}/attachments?csrf={csrf}", app.address))
        .multipart(form)
        .send()
        .await
        .expect("send");
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let resp = browser
        .submit(&page, &format!("{page}/transmit"), &[])
        .await;
    assert_eq!(resp.status(), StatusCode::CONFLICT);
    assert!(
        resp.text()
            .await
            .unwrap_or_default()
            .contains("numéro de contrat")
    );
    insure(&app, &manager, &app.tilleuls, "POL-PAGES").await;
    let resp = browser
        .submit(&page, &format!("{page}/transmit"), &[])
        .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let (_, html) = browser.get_text(&page).await;
    assert!(html.contains("Transmis à l’assureur") && html.contains("devis.pdf"));
    let pdf = browser.get(&format!("{page}/pdf")).await;
    assert_eq!(pdf.headers()["content-type"], "application/pdf");

    // Residents and other agencies do not open the pages.
    for (who, expected) in [
        (TENANT, StatusCode::FORBIDDEN),
        (REFERENT, StatusCode::FORBIDDEN),
        (OTHER_MANAGER, StatusCode::NOT_FOUND),
    ] {
        let b = app.browser(Some(who)).await;
        assert_eq!(b.get(&page).await.status(), expected, "{who}");
        assert_eq!(
            b.get(&format!("/buildings/{}/claims", app.tilleuls))
                .await
                .status(),
            expected,
            "{who}"
        );
    }
}
