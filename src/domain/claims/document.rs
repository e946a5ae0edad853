//! The claim declaration as a PDF (C2), in the agency's language, with the same PDF module
//! and fonts as work orders.

use crate::auth::Actor;
use crate::db::{buildings as bdb, people as pdb};
use crate::domain::{AppError, AppResult, Context};
use crate::i18n::Lang;

use super::ClaimDetail;

/// An amount of cents as people write it: "1 250,00 €" / "€1,250.00".
pub fn money(lang: Lang, cents: i64) -> String {
    let euros = cents / 100;
    let rest = cents % 100;
    let digits = euros.to_string();
    let sep = if lang == Lang::En { ',' } else { ' ' };
    let mut grouped = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(sep);
        }
        grouped.push(ch);
    }
    match lang {
        Lang::En => format!("€{grouped}.{rest:02}"),
        _ => format!("{grouped},{rest:02} €"),
    }
}

/// A claim's date as people write it: the day alone when given as a day (midnight, Paris).
pub fn when(lang: Lang, ms: i64) -> String {
    let midnight = jiff::Timestamp::from_millisecond(ms)
        .ok()
        .and_then(|t| t.in_tz("Europe/Paris").ok())
        .is_some_and(|z| z.hour() == 0 && z.minute() == 0);
    if midnight {
        crate::i18n::local_date_in(lang, ms)
    } else {
        crate::i18n::local_datetime_in(lang, ms)
    }
}

/// Renders the declaration of a loaded claim.
pub async fn render(cx: &Context, d: &ClaimDetail) -> AppResult<Vec<u8>> {
    let c = &d.claim;
    let pool = &cx.db.pool;
    let lang = crate::domain::buildings::agency_lang(cx, &c.agency_id).await?;
    let agency = bdb::agency_name(pool, &c.agency_id)
        .await?
        .unwrap_or_default();
    let manager = pdb::by_id(pool, &c.created_by).await?;
    let (insurer, policy) = match c.insurer_id.as_deref() {
        // Transmitted: what it was sent under.
        Some(id) => {
            let i = crate::db::claims::insurer(pool, id).await?;
            (i, c.policy_number.clone())
        }
        // A draft: the building's current settings.
        None => match crate::db::claims::insurance(pool, &c.building_id).await? {
            Some((i, p)) => (Some(i), p),
            None => (None, String::new()),
        },
    };
    let (insurer_name, insurer_contact) = insurer
        .map(|i| {
            let reach: Vec<String> = [i.claims_email, i.phone]
                .into_iter()
                .filter(|s| !s.trim().is_empty())
                .collect();
            (i.name, reach.join("\n"))
        })
        .unwrap_or_default();
    let policyholder_name = lang.tf("claim.pdf.syndicate", &[("building", &d.building_name)]);
    let policyholder = format!(
        "{}\n{}",
        d.building_address,
        lang.tf("claim.pdf.represented_by", &[("agency", &agency)])
    );
    let place = [d.building_address.as_str(), c.place.as_str()]
        .into_iter()
        .filter(|s| !s.trim().is_empty())
        .collect::<Vec<_>>()
        .join("\n");
    let estimate = c
        .estimated_amount_cents
        .map(|a| money(lang, a))
        .unwrap_or_default();
    let estimate_note = c
        .irsi_band()
        .map(|b| lang.t(&format!("claim.irsi.{b}")).to_string())
        .unwrap_or_default();
    // "Lot 12" for a bare number, the label as the agency wrote it otherwise.
    let lots = d
        .lots
        .iter()
        .map(|(_, label)| {
            if label.chars().all(|c| c.is_ascii_digit()) {
                format!("{} {label}", lang.t("claim.pdf.lot"))
            } else {
                label.clone()
            }
        })
        .collect::<Vec<_>>()
        .join(", ");
    let attachments = d
        .attachments
        .iter()
        .map(|a| {
            format!(
                "{} — {}",
                lang.t(&format!("claim.file.{}", a.kind)),
                a.filename
            )
        })
        .collect::<Vec<_>>()
        .join("\n");
    let manager_contact = manager
        .map(|m| {
            let reach: Vec<&str> = [m.email.as_str(), m.phone.as_str()]
                .into_iter()
                .filter(|s| !s.trim().is_empty())
                .collect();
            format!("{}\n{}", m.name, reach.join(" · "))
        })
        .unwrap_or_default();
    let mut photos = Vec::new();
    for a in d.attachments.iter().filter(|a| a.format == "photo").take(8) {
        if let Ok(b) = cx.files.get(&a.object_key).await {
            photos.push(b.to_vec());
        }
    }
    let labels = crate::pdf::ClaimLabels {
        title: lang.t("claim.pdf.title"),
        reference: lang.t("claim.pdf.reference"),
        issued_on: lang.t("claim.pdf.issued_on"),
        policyholder: lang.t("claim.pdf.policyholder"),
        insurer: lang.t("claim.pdf.insurer"),
        policy_number: lang.t("claim.pdf.policy_number"),
        kind: lang.t("claim.pdf.kind"),
        insurer_reference: lang.t("claim.pdf.insurer_reference"),
        occurred_at: lang.t("claim.pdf.occurred_at"),
        discovered_at: lang.t("claim.pdf.discovered_at"),
        place: lang.t("claim.pdf.place"),
        circumstances: lang.t("claim.pdf.circumstances"),
        damages: lang.t("claim.pdf.damages"),
        estimate: lang.t("claim.pdf.estimate"),
        lots: lang.t("claim.pdf.lots"),
        third_parties: lang.t("claim.pdf.third_parties"),
        attachments: lang.t("claim.pdf.attachments"),
        manager: lang.t("claim.pdf.manager"),
        photos: lang.t("claim.pdf.photos"),
    };
    let issued = crate::i18n::local_date_in(lang, cx.clock.now_ms());
    let occurred = when(lang, c.occurred_at);
    let discovered = when(lang, c.discovered_at);
    let title = if c.title.trim().is_empty() {
        lang.t(&format!("claim.kind.{}", c.kind)).to_string()
    } else {
        c.title.clone()
    };
    let doc = crate::pdf::ClaimDoc {
        agency_name: &agency,
        reference: &c.reference,
        issued_on: &issued,
        title: &title,
        policyholder_name: &policyholder_name,
        policyholder: &policyholder,
        policy_number: &policy,
        insurer_name: &insurer_name,
        insurer_contact: &insurer_contact,
        insurer_reference: &c.insurer_reference,
        kind: lang.t(&format!("claim.kind.{}", c.kind)),
        occurred_at: &occurred,
        discovered_at: &discovered,
        place: &place,
        circumstances: &c.description,
        damages: &c.damages,
        estimate: &estimate,
        estimate_note: &estimate_note,
        lots: &lots,
        third_parties: &c.third_parties,
        attachments: &attachments,
        manager_contact: &manager_contact,
        photos: &photos,
        labels: &labels,
    };
    crate::pdf::claim(&doc).map_err(|e| AppError::Internal(format!("pdf: {e}")))
}

/// The declaration of a claim, for its managers: (file name, PDF bytes).
pub async fn pdf(cx: &Context, actor: &Actor, id: &str) -> AppResult<(String, Vec<u8>)> {
    let d = super::get(cx, actor, id).await?;
    let bytes = render(cx, &d).await?;
    Ok((d.claim.reference.clone(), bytes))
}
