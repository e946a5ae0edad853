//! A small IMAP4rev1 client (RFC 3501, with IDLE RFC 2177 and MOVE RFC 6851 when the server
//! offers them): just what polling a mailbox of answers needs. `imaps://` over TLS (rustls,
//! the web PKI roots), `imap://` in clear for a server on the same machine.

use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio_rustls::rustls;

#[derive(Debug, thiserror::Error)]
pub enum ImapError {
    #[error("imap url: {0}")]
    Url(String),
    #[error("imap connection: {0}")]
    Io(#[from] std::io::Error),
    #[error("imap server said: {0}")]
    Server(String),
    #[error("imap: unexpected answer: {0}")]
    Protocol(String),
}

/// Where and how to log in: `imaps://user:password@host[:port]/MAILBOX`.
#[derive(Clone, PartialEq, Eq)]
pub struct ImapUrl {
    pub tls: bool,
    pub host: String,
    pub port: u16,
    pub user: String,
    pub password: String,
    pub mailbox: String,
}

impl std::fmt::Debug for ImapUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}:{}/{} as {}",
            self.host, self.port, self.mailbox, self.user
        )
    }
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(hex) = s.get(i + 1..i + 3)
            && let Ok(b) = u8::from_str_radix(hex, 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

impl ImapUrl {
    pub fn parse(url: &str) -> Result<ImapUrl, ImapError> {
        let bad = || ImapError::Url("expected imaps://user:password@host/MAILBOX".into());
        let (tls, rest) = if let Some(r) = url.strip_prefix("imaps://") {
            (true, r)
        } else if let Some(r) = url.strip_prefix("imap://") {
            (false, r)
        } else {
            return Err(bad());
        };
        let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
        let (userinfo, hostport) = authority.rsplit_once('@').ok_or_else(bad)?;
        let (user, password) = userinfo.split_once(':').ok_or_else(bad)?;
        let (host, port) = match hostport.rsplit_once(':') {
            Some((h, p)) => (h, p.parse().map_err(|_| bad())?),
            None => (hostport, if tls { 993 } else { 143 }),
        };
        if host.is_empty() || user.is_empty() {
            return Err(bad());
        }
        let mailbox = percent_decode(path.trim_matches('/'));
        Ok(ImapUrl {
            tls,
            host: host.to_string(),
            port,
            user: percent_decode(user),
            password: percent_decode(password),
            mailbox: if mailbox.is_empty() {
                "INBOX".into()
            } else {
                mailbox
            },
        })
    }
}

trait Stream: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Stream for T {}

pub struct ImapClient {
    io: BufReader<Box<dyn Stream>>,
    tag: u32,
    pub capabilities: Vec<String>,
}

/// Quotes a string for a command (RFC 3501 quoted string).
fn quote(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

impl ImapClient {
    /// Connects, logs in and reads the server's capabilities.
    pub async fn connect(url: &ImapUrl) -> Result<ImapClient, ImapError> {
        let tcp = tokio::time::timeout(
            Duration::from_secs(30),
            TcpStream::connect((url.host.as_str(), url.port)),
        )
        .await
        .map_err(|_| ImapError::Server("connection timed out".into()))??;
        let io: Box<dyn Stream> = if url.tls {
            let mut roots = rustls::RootCertStore::empty();
            roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
            let config = rustls::ClientConfig::builder_with_provider(Arc::new(
                rustls::crypto::ring::default_provider(),
            ))
            .with_safe_default_protocol_versions()
            .map_err(|e| ImapError::Url(e.to_string()))?
            .with_root_certificates(roots)
            .with_no_client_auth();
            let name = rustls::pki_types::ServerName::try_from(url.host.clone())
                .map_err(|e| ImapError::Url(e.to_string()))?;
            let tls = tokio_rustls::TlsConnector::from(Arc::new(config))
                .connect(name, tcp)
                .await?;
            Box::new(tls)
        } else {
            Box::new(tcp)
        };
        let mut client = ImapClient {
            io: BufReader::new(io),
            tag: 0,
            capabilities: Vec::new(),
        };
        let greeting = client.read_line().await?;
        if !greeting.starts_with(b"* OK") && !greeting.starts_with(b"* PREAUTH") {
            return Err(ImapError::Protocol(
                String::from_utf8_lossy(&greeting).into(),
            ));
        }
        client
            .command(&format!(
                "LOGIN {} {}",
                quote(&url.user),
                quote(&url.password)
            ))
            .await?;
        let caps = client.command("CAPABILITY").await?;
        client.capabilities = caps
            .iter()
            .filter_map(|l| l.strip_prefix(b"* CAPABILITY "))
            .flat_map(|l| {
                String::from_utf8_lossy(l)
                    .split(' ')
                    .map(str::to_ascii_uppercase)
                    .collect::<Vec<_>>()
            })
            .collect();
        Ok(client)
    }

    pub fn has(&self, capability: &str) -> bool {
        self.capabilities.iter().any(|c| c == capability)
    }

    async fn read_line(&mut self) -> Result<Vec<u8>, ImapError> {
        let mut line = Vec::new();
        let n = self.io.read_until(b'\n', &mut line).await?;
        if n == 0 {
            return Err(ImapError::Protocol("connection closed".into()));
        }
        while line.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
            line.pop();
        }
        Ok(line)
    }

    /// One response line with its literals (`{n}` then n bytes) inlined.
    async fn read_response_line(&mut self) -> Result<Vec<u8>, ImapError> {
        let mut line = self.read_line().await?;
        while let Some(n) = literal_len(&line) {
            line.extend_from_slice(b"\r\n");
            let mut buf = vec![0u8; n];
            self.io.read_exact(&mut buf).await?;
            line.extend_from_slice(&buf);
            let rest = self.read_line().await?;
            line.extend_from_slice(&rest);
        }
        Ok(line)
    }

    async fn send(&mut self, line: &str) -> Result<String, ImapError> {
        self.tag += 1;
        let tag = format!("p{}", self.tag);
        let stream = self.io.get_mut();
        stream
            .write_all(format!("{tag} {line}\r\n").as_bytes())
            .await?;
        stream.flush().await?;
        Ok(tag)
    }

    async fn finish(&mut self, tag: &str) -> Result<Vec<Vec<u8>>, ImapError> {
        let mut untagged = Vec::new();
        loop {
            let line = self.read_response_line().await?;
            if let Some(rest) = line.strip_prefix(format!("{tag} ").as_bytes()) {
                if rest.starts_with(b"OK") {
                    return Ok(untagged);
                }
                return Err(ImapError::Server(String::from_utf8_lossy(rest).into()));
            }
            untagged.push(line);
        }
    }

    /// Sends a command and returns its untagged lines; a NO or BAD is an error.
    pub async fn command(&mut self, line: &str) -> Result<Vec<Vec<u8>>, ImapError> {
        let tag = self.send(line).await?;
        self.finish(&tag).await
    }

    /// Creates a mailbox unless it exists.
    pub async fn ensure_mailbox(&mut self, name: &str) -> Result<(), ImapError> {
        match self.command(&format!("CREATE {}", quote(name))).await {
            Ok(_) | Err(ImapError::Server(_)) => Ok(()),
            Err(e) => Err(e),
        }
    }

    pub async fn select(&mut self, mailbox: &str) -> Result<(), ImapError> {
        self.command(&format!("SELECT {}", quote(mailbox))).await?;
        Ok(())
    }

    /// UIDs of the messages in the selected mailbox.
    pub async fn uids(&mut self) -> Result<Vec<u32>, ImapError> {
        let lines = self.command("UID SEARCH ALL").await?;
        Ok(lines
            .iter()
            .filter_map(|l| l.strip_prefix(b"* SEARCH"))
            .flat_map(|l| {
                String::from_utf8_lossy(l)
                    .split_whitespace()
                    .filter_map(|n| n.parse().ok())
                    .collect::<Vec<u32>>()
            })
            .collect())
    }

    /// The raw message with this UID, without marking it seen.
    pub async fn fetch(&mut self, uid: u32) -> Result<Option<Vec<u8>>, ImapError> {
        let tag = self.send(&format!("UID FETCH {uid} BODY.PEEK[]")).await?;
        let mut body = None;
        loop {
            let mut line = self.read_line().await?;
            if let Some(rest) = line.strip_prefix(format!("{tag} ").as_bytes()) {
                if rest.starts_with(b"OK") {
                    return Ok(body);
                }
                return Err(ImapError::Server(String::from_utf8_lossy(rest).into()));
            }
            while let Some(n) = literal_len(&line) {
                let mut buf = vec![0u8; n];
                self.io.read_exact(&mut buf).await?;
                if body.is_none() {
                    body = Some(buf);
                }
                line = self.read_line().await?;
            }
        }
    }

    /// Moves a message to another mailbox (MOVE, or COPY + \Deleted + EXPUNGE).
    pub async fn move_to(&mut self, uid: u32, mailbox: &str) -> Result<(), ImapError> {
        if self.has("MOVE") {
            self.command(&format!("UID MOVE {uid} {}", quote(mailbox)))
                .await?;
        } else {
            self.command(&format!("UID COPY {uid} {}", quote(mailbox)))
                .await?;
            self.command(&format!("UID STORE {uid} +FLAGS.SILENT (\\Deleted)"))
                .await?;
            self.command("EXPUNGE").await?;
        }
        Ok(())
    }

    /// Adds a message to a mailbox (what a mail server's delivery does).
    pub async fn append(&mut self, mailbox: &str, message: &[u8]) -> Result<(), ImapError> {
        let tag = self
            .send(&format!("APPEND {} {{{}}}", quote(mailbox), message.len()))
            .await?;
        let go = self.read_line().await?;
        if !go.starts_with(b"+") {
            return Err(ImapError::Server(String::from_utf8_lossy(&go).into()));
        }
        let stream = self.io.get_mut();
        stream.write_all(message).await?;
        stream.write_all(b"\r\n").await?;
        stream.flush().await?;
        self.finish(&tag).await?;
        Ok(())
    }

    /// Waits (IDLE) until the mailbox changes or `max` passes.
    pub async fn idle(&mut self, max: Duration) -> Result<(), ImapError> {
        let tag = self.send("IDLE").await?;
        let go = self.read_line().await?;
        if !go.starts_with(b"+") {
            return Err(ImapError::Server(String::from_utf8_lossy(&go).into()));
        }
        let deadline = tokio::time::Instant::now() + max;
        // Untagged updates until one says a message arrived, or the time is up.
        while let Ok(line) = tokio::time::timeout_at(deadline, self.read_line()).await {
            let line = line?;
            if line.ends_with(b"EXISTS") || line.ends_with(b"RECENT") {
                break;
            }
        }
        let stream = self.io.get_mut();
        stream.write_all(b"DONE\r\n").await?;
        stream.flush().await?;
        self.finish(&tag).await?;
        Ok(())
    }

    pub async fn logout(mut self) {
        let _ = self.command("LOGOUT").await;
    }
}

/// `{123}` at the end of a line announces a literal of 123 bytes.
fn literal_len(line: &[u8]) -> Option<usize> {
    let open = line.iter().rposition(|b| *b == b'{')?;
    let inner = line.get(open + 1..line.len().checked_sub(1)?)?;
    if line.last() != Some(&b'}') {
        return None;
    }
    std::str::from_utf8(inner)
        .ok()?
        .trim_end_matches('+')
        .parse()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_and_literals_are_read() {
        let u = ImapUrl::parse("imaps://reponse%40palier.fr:p%3Ass@mail.example.fr/INBOX")
            .expect("url");
        assert_eq!(
            (
                u.tls,
                u.host.as_str(),
                u.port,
                u.user.as_str(),
                u.password.as_str(),
                u.mailbox.as_str()
            ),
            (
                true,
                "mail.example.fr",
                993,
                "reponse@palier.fr",
                "p:ss",
                "INBOX"
            )
        );
        let u = ImapUrl::parse("imap://a:b@127.0.0.1:1143").expect("url");
        assert_eq!((u.tls, u.port, u.mailbox.as_str()), (false, 1143, "INBOX"));
        assert!(ImapUrl::parse("http://a:b@h/").is_err());
        assert!(ImapUrl::parse("imaps://host/INBOX").is_err());
        assert!(
            !format!("{u:?}").contains(":b"),
            "the password is not logged"
        );
        assert_eq!(literal_len(b"* 1 FETCH (UID 4 BODY[] {342}"), Some(342));
        assert_eq!(literal_len(b"* 1 FETCH (FLAGS ())"), None);
    }
}
