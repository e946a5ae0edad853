//! The e-mails Palier sends, each a plain-text + HTML pair rendered from embedded templates.

use askama::Template;

use super::OutgoingEmail;
use super::transport::MailError;
use crate::i18n::Lang;

#[derive(Template)]
#[template(path = "mail/password_reset.txt")]
struct ResetText<'a> {
    lang: Lang,
    name: &'a str,
    link: &'a str,
}

#[derive(Template)]
#[template(path = "mail/password_reset.html")]
struct ResetHtml<'a> {
    lang: Lang,
    name: &'a str,
    link: &'a str,
}

#[derive(Template)]
#[template(path = "mail/login_unlock.txt")]
struct UnlockText<'a> {
    lang: Lang,
    name: &'a str,
    link: &'a str,
}

#[derive(Template)]
#[template(path = "mail/login_unlock.html")]
struct UnlockHtml<'a> {
    lang: Lang,
    name: &'a str,
    link: &'a str,
}

#[derive(Template)]
#[template(path = "mail/welcome.txt")]
struct WelcomeText<'a> {
    lang: Lang,
    name: &'a str,
    intro: &'a str,
    link: &'a str,
}

#[derive(Template)]
#[template(path = "mail/welcome.html")]
struct WelcomeHtml<'a> {
    lang: Lang,
    name: &'a str,
    intro: &'a str,
    link: &'a str,
}

#[derive(Template)]
#[template(path = "mail/plain.txt")]
struct PlainText<'a> {
    text: &'a str,
}

/// The text split into lines of words, so the HTML keeps line breaks and links addresses.
#[derive(Template)]
#[template(path = "mail/plain.html")]
struct PlainHtml<'a> {
    lines: Vec<Vec<&'a str>>,
}

/// An e-mail whose body is one translated text (the messages to providers): the HTML part
/// is that text, escaped by the template, with line breaks kept and addresses clickable.
pub fn plain(to: &str, subject: String, text: String) -> Result<OutgoingEmail, MailError> {
    let lines = text.split('\n').map(|l| l.split(' ').collect()).collect();
    let html = render(&PlainHtml { lines })?;
    let text = render(&PlainText { text: &text })?
        .trim_end_matches('\n')
        .to_string();
    Ok(message(to, subject, text, html))
}

/// A one-off message (no thread, no unsubscribe, no attachment).
fn message(to: &str, subject: String, text: String, html: String) -> OutgoingEmail {
    OutgoingEmail {
        to: to.to_string(),
        subject,
        text,
        html,
        message_id: None,
        thread_id: None,
        unsubscribe: None,
        attachments: Vec::new(),
        reply_to: None,
        auto_submitted: false,
    }
}

fn render(t: &impl Template) -> Result<String, MailError> {
    t.render()
        .map_err(|e| MailError::Build(format!("template: {e}")))
}

pub fn password_reset(
    lang: Lang,
    to: &str,
    name: &str,
    link: &str,
) -> Result<OutgoingEmail, MailError> {
    Ok(message(
        to,
        lang.t("mail.reset.subject").to_string(),
        render(&ResetText { lang, name, link })?,
        render(&ResetHtml { lang, name, link })?,
    ))
}

/// After repeated failed logins: a link that lets the owner back in.
pub fn login_unlock(
    lang: Lang,
    to: &str,
    name: &str,
    link: &str,
) -> Result<OutgoingEmail, MailError> {
    Ok(message(
        to,
        lang.t("mail.unlock.subject").to_string(),
        render(&UnlockText { lang, name, link })?,
        render(&UnlockHtml { lang, name, link })?,
    ))
}

pub fn welcome(
    lang: Lang,
    to: &str,
    name: &str,
    building: &str,
    link: &str,
) -> Result<OutgoingEmail, MailError> {
    let intro = lang.tf("mail.welcome.intro", &[("building", building)]);
    let intro = intro.as_str();
    Ok(message(
        to,
        lang.tf("mail.welcome.subject", &[("building", building)]),
        render(&WelcomeText {
            lang,
            name,
            intro,
            link,
        })?,
        render(&WelcomeHtml {
            lang,
            name,
            intro,
            link,
        })?,
    ))
}

#[derive(Template)]
#[template(path = "mail/event.txt")]
struct EventText<'a> {
    lang: Lang,
    name: &'a str,
    headline: &'a str,
    reply_note: &'a str,
    comment: Option<&'a str>,
    facts: &'a [(String, String)],
    photos: &'a [String],
    link: &'a str,
    settings: &'a str,
}

#[derive(Template)]
#[template(path = "mail/event.html")]
struct EventHtml<'a> {
    lang: Lang,
    name: &'a str,
    headline: &'a str,
    reply_note: &'a str,
    comment: Option<&'a str>,
    facts: &'a [(String, String)],
    photos: &'a [String],
    link: &'a str,
    settings: &'a str,
}

/// One event about a report, for one recipient.
pub struct EventMail<'a> {
    pub lang: Lang,
    pub to: &'a str,
    pub name: &'a str,
    pub subject: String,
    pub headline: &'a str,
    pub comment: Option<&'a str>,
    /// Labelled facts (an urgent report's building, place, description…), in order.
    pub facts: &'a [(String, String)],
    /// Links to photos the recipient can open.
    pub photos: &'a [String],
    pub link: &'a str,
    /// Empty for someone without an account (the on-call contact): no settings link.
    pub settings: &'a str,
    pub message_id: String,
    pub thread_id: Option<String>,
    /// A reply address (N6): answers become comments; without it the e-mail says replies
    /// are not read.
    pub reply_to: Option<String>,
}

pub fn event(m: EventMail<'_>) -> Result<OutgoingEmail, MailError> {
    let (lang, name, headline, comment, link, settings) =
        (m.lang, m.name, m.headline, m.comment, m.link, m.settings);
    let (facts, photos) = (m.facts, m.photos);
    let reply_note = lang.t(if m.reply_to.is_some() {
        "mail.reply.by_mail"
    } else {
        "mail.reply.not_read"
    });
    Ok(OutgoingEmail {
        to: m.to.to_string(),
        subject: m.subject,
        text: render(&EventText {
            lang,
            name,
            headline,
            reply_note,
            comment,
            facts,
            photos,
            link,
            settings,
        })?,
        html: render(&EventHtml {
            lang,
            name,
            headline,
            reply_note,
            comment,
            facts,
            photos,
            link,
            settings,
        })?,
        message_id: Some(m.message_id),
        thread_id: m.thread_id,
        unsubscribe: (!settings.is_empty()).then(|| settings.to_string()),
        attachments: Vec::new(),
        reply_to: m.reply_to,
        auto_submitted: false,
    })
}

pub struct DigestLine {
    pub urgent: bool,
    pub building: String,
    pub title: String,
    pub what: String,
    pub when: String,
    pub link: String,
}

#[derive(Template)]
#[template(path = "mail/digest.txt")]
struct DigestText<'a> {
    lang: Lang,
    name: &'a str,
    lines: &'a [DigestLine],
    overdue: &'a [DigestLine],
    settings: &'a str,
}

#[derive(Template)]
#[template(path = "mail/digest.html")]
struct DigestHtml<'a> {
    lang: Lang,
    name: &'a str,
    lines: &'a [DigestLine],
    overdue: &'a [DigestLine],
    settings: &'a str,
}

#[allow(clippy::too_many_arguments)]
pub fn digest(
    lang: Lang,
    to: &str,
    name: &str,
    date: &str,
    lines: &[DigestLine],
    overdue: &[DigestLine],
    settings: &str,
    message_id: String,
) -> Result<OutgoingEmail, MailError> {
    Ok(OutgoingEmail {
        to: to.to_string(),
        subject: lang.tf(
            "mail.digest.subject",
            &[
                ("date", date),
                ("count", &(lines.len() + overdue.len()).to_string()),
            ],
        ),
        text: render(&DigestText {
            lang,
            name,
            lines,
            overdue,
            settings,
        })?,
        html: render(&DigestHtml {
            lang,
            name,
            lines,
            overdue,
            settings,
        })?,
        message_id: Some(message_id),
        thread_id: None,
        unsubscribe: Some(settings.to_string()),
        attachments: Vec::new(),
        reply_to: None,
        auto_submitted: false,
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn plain_emails_escape_text_and_link_addresses() {
        let e = super::plain(
            "a@b.test",
            "S".into(),
            "Bonjour <b>\nhttps://x.test/p/1?a=1&b=2 fin".into(),
        )
        .expect("render");
        assert!(e.html.contains("Bonjour &#60;b&#62;<br>"), "{}", e.html);
        assert!(
            e.html.contains(
                "<a href=\"https://x.test/p/1?a=1&#38;b=2\">https://x.test/p/1?a=1&#38;b=2</a> fin"
            ),
            "{}",
            e.html
        );
        assert_eq!(e.text, "Bonjour <b>\nhttps://x.test/p/1?a=1&b=2 fin");
    }
}

#[derive(Template)]
#[template(path = "mail/invitation.txt")]
struct InvitationText<'a> {
    lang: Lang,
    name: &'a str,
    intro: &'a str,
    link: &'a str,
}

#[derive(Template)]
#[template(path = "mail/invitation.html")]
struct InvitationHtml<'a> {
    lang: Lang,
    name: &'a str,
    intro: &'a str,
    link: &'a str,
}

/// An invitation to a building: a single-use link to choose a password and accept the
/// charter (no password is ever sent).
pub fn invitation(
    lang: Lang,
    to: &str,
    name: &str,
    building: &str,
    link: &str,
) -> Result<OutgoingEmail, MailError> {
    let intro = lang.tf("mail.invitation.intro", &[("building", building)]);
    let intro = intro.as_str();
    Ok(message(
        to,
        lang.tf("mail.invitation.subject", &[("building", building)]),
        render(&InvitationText {
            lang,
            name,
            intro,
            link,
        })?,
        render(&InvitationHtml {
            lang,
            name,
            intro,
            link,
        })?,
    ))
}
