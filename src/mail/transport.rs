//! Delivery: `.eml` files under `<data-dir>/mail/` by default, SMTP when configured.

use std::path::PathBuf;

use lettre::message::header::ContentType;
use lettre::message::header::{Header, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use super::OutgoingEmail;

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("invalid address: {0}")]
    Address(String),
    #[error("could not build message: {0}")]
    Build(String),
    #[error("delivery failed: {0}")]
    Delivery(String),
    #[error("transport configuration: {0}")]
    Config(String),
}

enum Transport {
    Files(AsyncFileTransport<Tokio1Executor>),
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
}

pub struct Mailer {
    from: Mailbox,
    transport: Transport,
}

impl Mailer {
    pub fn new(from: &str, smtp_url: Option<&str>, mail_dir: PathBuf) -> Result<Mailer, MailError> {
        let from: Mailbox = from
            .parse()
            .map_err(|e| MailError::Config(format!("sender {from}: {e}")))?;
        let transport = match smtp_url {
            Some(url) => Transport::Smtp(
                AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .map_err(|e| MailError::Config(e.to_string()))?
                    .build(),
            ),
            None => {
                std::fs::create_dir_all(&mail_dir)
                    .map_err(|e| MailError::Config(format!("{}: {e}", mail_dir.display())))?;
                Transport::Files(AsyncFileTransport::new(mail_dir))
            }
        };
        Ok(Mailer { from, transport })
    }

    pub fn build(
        &self,
        email: &OutgoingEmail,
        files: &[(String, String, Vec<u8>)],
    ) -> Result<Message, MailError> {
        let to: Mailbox = email
            .to
            .parse()
            .map_err(|_| MailError::Address(email.to.clone()))?;
        let mut builder = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(email.subject.clone());
        // Every e-mail has a Message-ID: the one given (threads, idempotent retries) or a
        // fresh one at the sender's domain.
        let id = match &email.message_id {
            Some(id) => id.clone(),
            None => format!(
                "{}@{}",
                uuid::Uuid::new_v4().simple(),
                self.from.email.domain()
            ),
        };
        builder = builder.message_id(Some(format!("<{id}>")));
        if let Some(thread) = &email.thread_id {
            builder = builder
                .in_reply_to(format!("<{thread}>"))
                .references(format!("<{thread}>"));
        }
        // An address that does not parse is left out rather than failing the send.
        if let Some(reply_to) = email.reply_to.as_deref().and_then(|r| r.parse().ok()) {
            builder = builder.reply_to(reply_to);
        }
        if let Some(url) = &email.unsubscribe {
            builder = builder.header(ListUnsubscribe(format!("<{url}>")));
        }
        if email.auto_submitted {
            builder = builder.header(AutoSubmitted("auto-replied".into()));
        }
        let body = MultiPart::alternative_plain_html(email.text.clone(), email.html.clone());
        if files.is_empty() {
            return builder
                .multipart(body)
                .map_err(|e| MailError::Build(e.to_string()));
        }
        let mut mixed = MultiPart::mixed().multipart(body);
        for (name, content_type, bytes) in files {
            let ct =
                ContentType::parse(content_type).map_err(|e| MailError::Build(e.to_string()))?;
            mixed = mixed
                .singlepart(lettre::message::Attachment::new(name.clone()).body(bytes.clone(), ct));
        }
        builder
            .multipart(mixed)
            .map_err(|e| MailError::Build(e.to_string()))
    }

    pub async fn send(
        &self,
        email: &OutgoingEmail,
        files: &[(String, String, Vec<u8>)],
    ) -> Result<(), MailError> {
        let message = self.build(email, files)?;
        match &self.transport {
            Transport::Files(t) => t
                .send(message)
                .await
                .map(|_| ())
                .map_err(|e| MailError::Delivery(e.to_string())),
            Transport::Smtp(t) => t
                .send(message)
                .await
                .map(|_| ())
                .map_err(|e| MailError::Delivery(e.to_string())),
        }
    }
}

/// `List-Unsubscribe`: mail clients offer a one-click way to the notification settings.
#[derive(Clone)]
struct ListUnsubscribe(String);

impl Header for ListUnsubscribe {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe")
    }

    fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(ListUnsubscribe(s.to_string()))
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), self.0.clone())
    }
}

/// `Auto-Submitted` (RFC 3834): marks Palier's automatic answers so that nobody's
/// auto-responder answers them back.
#[derive(Clone)]
struct AutoSubmitted(String);

impl Header for AutoSubmitted {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("Auto-Submitted")
    }

    fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(AutoSubmitted(s.to_string()))
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), self.0.clone())
    }
}
