//! The e-mails Palier sends, each a plain-text + HTML pair rendered from embedded templates.

use askama::Template;

use super::OutgoingEmail;
use crate::domain::AppError;
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

fn render(t: &impl Template) -> Result<String, AppError> {
    t.render()
        .map_err(|e| AppError::Internal(format!("mail template: {e}")))
}

pub fn password_reset(
    lang: Lang,
    to: &str,
    name: &str,
    link: &str,
) -> Result<OutgoingEmail, AppError> {
    Ok(OutgoingEmail {
        to: to.to_string(),
        subject: lang.t("mail.reset.subject").to_string(),
        text: render(&ResetText { lang, name, link })?,
        html: render(&ResetHtml { lang, name, link })?,
    })
}

pub fn welcome(
    lang: Lang,
    to: &str,
    name: &str,
    building: &str,
    link: &str,
) -> Result<OutgoingEmail, AppError> {
    let intro = lang.tf("mail.welcome.intro", &[("building", building)]);
    let intro = intro.as_str();
    Ok(OutgoingEmail {
        to: to.to_string(),
        subject: lang.tf("mail.welcome.subject", &[("building", building)]),
        text: render(&WelcomeText {
            lang,
            name,
            intro,
            link,
        })?,
        html: render(&WelcomeHtml {
            lang,
            name,
            intro,
            link,
        })?,
    })
}
