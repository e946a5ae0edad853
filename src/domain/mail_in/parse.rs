//! Reading one received message: who sent it, to which addresses, whether it is an
//! automatic answer or a bounce, its text without the quoted original, and its images.

use mail_parser::{MessageParser, MimeHeaders};

/// Images kept from one message (the rest are ignored, as a page would refuse them).
pub const MAX_IMAGES: usize = 5;
/// Parts looked at for images: a message with thousands of parts costs no more than this.
const MAX_PARTS_SCANNED: usize = 50;

/// What Palier needs from a message.
#[derive(Debug, Default)]
pub struct Incoming {
    pub message_id: Option<String>,
    /// The sender's address, lower-cased.
    pub from: Option<String>,
    pub subject: String,
    /// Every address it was delivered to (To, Cc, Delivered-To, X-Original-To), lower-cased.
    pub recipients: Vec<String>,
    /// An automatic answer or bulk mail (out-of-office, list, auto-reply).
    pub automatic: bool,
    /// A delivery status notification: the addresses that failed for good.
    pub bounce: Option<Vec<String>>,
    /// The new text, without the quoted original and the signature.
    pub text: String,
    pub images: Vec<Vec<u8>>,
}

pub fn read(raw: &[u8]) -> Option<Incoming> {
    let msg = MessageParser::default().parse(raw)?;
    // Something that is not a message at all (no header block) has neither of these.
    if msg.from().is_none() && msg.message_id().is_none() {
        return None;
    }
    let from = msg
        .from()
        .and_then(|a| a.first())
        .and_then(|a| a.address())
        .map(|a| a.trim().to_ascii_lowercase());
    let subject = msg.subject().unwrap_or_default().trim().to_string();
    let mut recipients: Vec<String> = msg
        .to()
        .into_iter()
        .chain(msg.cc())
        .flat_map(|a| a.iter())
        .filter_map(|a| a.address())
        .map(|a| a.trim().to_ascii_lowercase())
        .collect();
    for name in ["Delivered-To", "X-Original-To", "Envelope-To"] {
        if let Some(raw) = msg.header_raw(name) {
            recipients.push(
                raw.trim()
                    .trim_matches(['<', '>'])
                    .trim()
                    .to_ascii_lowercase(),
            );
        }
    }
    let header = |name: &str| {
        msg.header_raw(name)
            .map(|v| v.trim().to_ascii_lowercase())
            .unwrap_or_default()
    };
    let report_type = msg
        .content_type()
        .filter(|c| {
            c.ctype().eq_ignore_ascii_case("multipart")
                && c.subtype()
                    .is_some_and(|s| s.eq_ignore_ascii_case("report"))
        })
        .and_then(|c| c.attribute("report-type"))
        .map(str::to_ascii_lowercase);
    let bounce = (report_type.as_deref() == Some("delivery-status"))
        .then(|| failed_recipients(&String::from_utf8_lossy(raw)));
    let automatic = is_automatic(
        &header("Auto-Submitted"),
        &header("Precedence"),
        msg.header_raw("X-Autoreply").is_some() || msg.header_raw("X-Autorespond").is_some(),
        &header("X-Auto-Response-Suppress"),
        msg.header_raw("List-Id").is_some() || msg.header_raw("List-Unsubscribe").is_some(),
        &subject,
    );
    let body = msg.body_text(0).map(|t| t.into_owned()).unwrap_or_default();
    let images = msg
        .attachments()
        .take(MAX_PARTS_SCANNED)
        .filter(|p| {
            p.content_type()
                .is_some_and(|c| c.ctype().eq_ignore_ascii_case("image"))
        })
        .map(|p| p.contents().to_vec())
        .filter(|b| !b.is_empty())
        .take(MAX_IMAGES)
        .collect();
    Some(Incoming {
        message_id: msg
            .message_id()
            .map(|m| m.trim().to_string())
            .filter(|m| !m.is_empty()),
        from,
        subject,
        recipients,
        automatic,
        bounce,
        text: strip_quoted(&body),
        images,
    })
}

const AUTO_SUBJECTS: [&str; 12] = [
    "out of office",
    "automatic reply",
    "auto:",
    "autoreply",
    "auto-reply",
    "réponse automatique",
    "reponse automatique",
    "absence du bureau",
    "absent du bureau",
    "absente du bureau",
    "abwesenheit",
    "message d'absence",
];

fn is_automatic(
    auto_submitted: &str,
    precedence: &str,
    x_autoreply: bool,
    suppress: &str,
    list: bool,
    subject: &str,
) -> bool {
    let subject = subject.to_lowercase();
    (!auto_submitted.is_empty() && auto_submitted != "no")
        || matches!(precedence, "bulk" | "junk" | "list" | "auto_reply")
        || x_autoreply
        || suppress
            .split(',')
            .any(|v| matches!(v.trim(), "oof" | "all"))
        || list
        || AUTO_SUBJECTS.iter().any(|s| subject.starts_with(s))
}

/// The `Final-Recipient` of each failed delivery in a DSN (RFC 3464).
fn failed_recipients(raw: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut recipient: Option<String> = None;
    for line in raw.lines() {
        let lower = line.trim().to_ascii_lowercase();
        if let Some(v) = lower.strip_prefix("final-recipient:") {
            recipient = v
                .rsplit(';')
                .next()
                .map(|a| a.trim().trim_matches(['<', '>']).to_string())
                .filter(|a| a.contains('@'));
        } else if let Some(v) = lower.strip_prefix("action:")
            && v.trim() == "failed"
            && let Some(r) = recipient.take()
            && !out.contains(&r)
        {
            out.push(r);
        }
    }
    out
}

fn is_attribution(line: &str) -> bool {
    let l = line.trim();
    let lower = l.to_lowercase();
    (lower.starts_with("le ") && (lower.ends_with("a écrit :") || lower.ends_with("a écrit:")))
        || (lower.starts_with("on ") && lower.ends_with("wrote:"))
}

fn is_separator(line: &str) -> bool {
    let l = line.trim();
    let lower = l.to_lowercase();
    l == "--"
        || (l.len() >= 5
            && (l.starts_with("-----") || l.starts_with("_____"))
            && (lower.contains("original")
                || lower.contains("origine")
                || lower.contains("forwarded")
                || lower.contains("transféré")
                || l.chars().all(|c| c == '_')))
}

/// The new text of a reply: stops at the quoted original ("Le … a écrit :", "On … wrote:",
/// possibly wrapped over two lines), Outlook's separator or header block, a forwarded
/// message, or the signature (`-- `); drops `>` lines.
pub fn strip_quoted(body: &str) -> String {
    let lines: Vec<&str> = body.lines().collect();
    let mut kept: Vec<&str> = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let next = lines.get(i + 1).copied().unwrap_or_default();
        let wrapped = format!("{} {}", line.trim(), next.trim());
        let outlook_headers = {
            let l = line.trim_start().to_lowercase();
            let n = next.trim_start().to_lowercase();
            (l.starts_with("de :") || l.starts_with("from:"))
                && (n.starts_with("envoyé :") || n.starts_with("sent:") || n.starts_with("date:"))
        };
        if is_separator(line)
            || is_attribution(line)
            || (!next.is_empty() && is_attribution(&wrapped))
            || outlook_headers
        {
            break;
        }
        if line.trim_start().starts_with('>') {
            continue;
        }
        kept.push(line.trim_end());
    }
    kept.join("\n").trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_originals_and_signatures_are_cut() {
        let fr = "Merci, je serai là.\n\nLe lun. 30 nov. 2026 à 10:00, Palier <r@x> a écrit :\n> Bonjour\n";
        assert_eq!(strip_quoted(fr), "Merci, je serai là.");
        let wrapped = "Oui.\nLe lun. 30 nov. 2026 à 10:00, Palier <reponse+abc@x> a\nécrit :\n> x";
        assert_eq!(strip_quoted(wrapped), "Oui.");
        let en = "Fine\nOn Mon, Nov 30, 2026 at 10:00 AM Palier <r@x> wrote:\n> hi";
        assert_eq!(strip_quoted(en), "Fine");
        let sig = "Top\n> old\nstill mine\n-- \nJean Dupont\n06 00 00 00 00";
        assert_eq!(strip_quoted(sig), "Top\nstill mine");
        let outlook = "Reçu.\n\n-----Original Message-----\nFrom: Palier\nSent: Monday";
        assert_eq!(strip_quoted(outlook), "Reçu.");
        let outlook_fr = "D'accord\n________________________________\nDe : Palier\nEnvoyé : lundi";
        assert_eq!(strip_quoted(outlook_fr), "D'accord");
        let headers = "Vu\nDe : Palier <r@x>\nEnvoyé : lundi 30 novembre\nÀ : moi";
        assert_eq!(strip_quoted(headers), "Vu");
        let fwd = "Pour info\n---------- Forwarded message ---------\nFrom: Palier";
        assert_eq!(strip_quoted(fwd), "Pour info");
    }

    #[test]
    fn automatic_answers_are_recognised() {
        assert!(is_automatic("auto-replied", "", false, "", false, "Re: x"));
        assert!(!is_automatic("no", "", false, "", false, "Re: x"));
        assert!(is_automatic("", "bulk", false, "", false, "Re: x"));
        assert!(is_automatic("", "", true, "", false, "Re: x"));
        assert!(is_automatic("", "", false, "oof", false, "Re: x"));
        assert!(is_automatic("", "", false, "", true, "Re: x"));
        assert!(is_automatic(
            "",
            "",
            false,
            "",
            false,
            "Réponse automatique : absent"
        ));
        assert!(is_automatic(
            "",
            "",
            false,
            "",
            false,
            "Out of Office: away"
        ));
        assert!(!is_automatic("", "", false, "", false, "Re: Fuite au 3e"));
        assert!(!is_automatic(
            "",
            "",
            false,
            "",
            false,
            "Absence de lumière"
        ));
    }

    #[test]
    fn bounces_name_the_failed_recipients() {
        let dsn = "Reporting-MTA: dns; mx\n\nFinal-Recipient: rfc822; Gone@Example.test\nAction: failed\nStatus: 5.1.1\n\nFinal-Recipient: rfc822; later@example.test\nAction: delayed\n";
        assert_eq!(
            failed_recipients(dsn),
            vec!["gone@example.test".to_string()]
        );
    }
}
