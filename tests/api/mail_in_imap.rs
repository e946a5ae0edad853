//! Answer by e-mail through a mailbox (N6, `--imap-url`): a real Dovecot from Debian's
//! packages (`apt-get install dovecot-imapd`), started by the test on a free port.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use palier::mail::imap::{ImapClient, ImapUrl};
use serde_json::json;

use crate::helpers::*;

const DOVECOT: &str = "/usr/sbin/dovecot";

/// A throwaway Dovecot: one user `reponse` / `secret`, Maildir in a temporary folder.
struct Dovecot {
    child: Child,
    port: u16,
    _dir: tempfile::TempDir,
}

impl Dovecot {
    fn start() -> Dovecot {
        assert!(
            std::path::Path::new(DOVECOT).exists(),
            "the IMAP tests need Dovecot: apt-get install -y dovecot-imapd (or run ./test.sh)"
        );
        let dir = tempfile::tempdir().expect("temp dir");
        let d = dir.path();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("free port");
        let mail = d.join("mail");
        std::fs::create_dir_all(&mail).expect("mail dir");
        std::fs::create_dir_all(d.join("run")).expect("run dir");
        // The mail processes run as nobody; the folders must be theirs to write.
        let _ = Command::new("chmod")
            .args(["-R", "a+rwx"])
            .arg(&mail)
            .status();
        let _ = Command::new("chmod").arg("755").arg(d).status();
        std::fs::write(d.join("passwd"), "reponse:{PLAIN}secret:::::\n").expect("passwd");
        let id = |flag: &str| {
            Command::new("id")
                .args([flag, "nobody"])
                .output()
                .ok()
                .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
                .unwrap_or_else(|| "65534".into())
        };
        let conf = format!(
            "base_dir = {d}/run\nstate_dir = {d}/run\nlog_path = {d}/dovecot.log\n\
             protocols = imap\nlisten = 127.0.0.1\nssl = no\ndisable_plaintext_auth = no\n\
             auth_mechanisms = plain login\nmail_location = maildir:{d}/mail/%u\n\
             passdb {{\n  driver = passwd-file\n  args = scheme=PLAIN username_format=%u {d}/passwd\n}}\n\
             userdb {{\n  driver = static\n  args = uid={uid} gid={gid} home={d}/mail/%u\n}}\n\
             service anvil {{\n  chroot =\n}}\n\
             service imap-login {{\n  chroot =\n  inet_listener imap {{\n    port = {port}\n  }}\n  inet_listener imaps {{\n    port = 0\n  }}\n}}\n",
            d = d.display(),
            uid = id("-u"),
            gid = id("-g"),
        );
        let conf_path = d.join("dovecot.conf");
        std::fs::write(&conf_path, conf).expect("conf");
        let child = Command::new(DOVECOT)
            .arg("-F")
            .arg("-c")
            .arg(&conf_path)
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start dovecot");
        for _ in 0..200 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                break;
            }
            std::thread::sleep(Duration::from_millis(25));
        }
        Dovecot {
            child,
            port,
            _dir: dir,
        }
    }

    fn url(&self) -> ImapUrl {
        ImapUrl::parse(&format!(
            "imap://reponse:secret@127.0.0.1:{}/INBOX",
            self.port
        ))
        .expect("url")
    }

    async fn count(&self, mailbox: &str) -> usize {
        let mut c = ImapClient::connect(&self.url()).await.expect("connect");
        c.ensure_mailbox(mailbox).await.expect("create");
        c.select(mailbox).await.expect("select");
        let n = c.uids().await.expect("uids").len();
        c.logout().await;
        n
    }
}

impl Drop for Dovecot {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test]
async fn answers_appended_to_the_mailbox_are_handled_and_filed() {
    let dovecot = Dovecot::start();
    let app = spawn_app_replying().await;
    let tenant = app.token(TENANT).await;
    let r = crate::reports::create_report(
        &app,
        &tenant,
        &app.tilleuls,
        json!({"category": "plomberie", "title": "Fuite au garage"}),
    )
    .await;
    let id = r["id"].as_str().expect("id").to_string();
    let (status, _) = app
        .post_json(
            &format!("/api/v1/reports/{id}/comments"),
            Some(&app.token(MANAGER).await),
            &json!({"body": "Pouvez-vous envoyer une photo ?"}),
        )
        .await;
    assert!(status.is_success());
    let text = app.wait_for_mail(TENANT, "Fuite au garage").await;
    assert!(text.contains("répondre directement"), "{text}");
    // The reply address, from the e-mail's headers.
    let reply_to = std::fs::read_dir(app.mail_dir())
        .expect("mail dir")
        .flatten()
        .filter_map(|e| std::fs::read(e.path()).ok())
        .find_map(|raw| {
            let m = mail_parser::MessageParser::default().parse(&raw)?;
            let to = m.to()?.first()?.address()?.to_string();
            (to == TENANT && m.subject()?.contains("Fuite au garage")).then(|| {
                m.reply_to()
                    .and_then(|a| a.first())
                    .and_then(|a| a.address())
                    .map(str::to_string)
            })?
        })
        .expect("reply-to");

    let reply = format!(
        "From: Nadia <{TENANT}>\r\nTo: {reply_to}\r\nSubject: Re: Fuite au garage\r\n\
         Message-ID: <imap1@client.test>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\
         La voici, l'eau coule le long du mur.\r\n\r\nOn Mon, Nov 30, 2026 at 10:00, Palier wrote:\r\n> Pouvez-vous envoyer une photo ?\r\n"
    );
    let out_of_office = format!(
        "From: {TENANT}\r\nTo: {reply_to}\r\nSubject: Out of office\r\nAuto-Submitted: auto-replied\r\n\
         Message-ID: <imap2@client.test>\r\n\r\nBack on Monday.\r\n"
    );
    let forged = format!(
        "From: {NEIGHBOUR}\r\nTo: {reply_to}\r\nSubject: Re: Fuite au garage\r\n\
         Message-ID: <imap3@client.test>\r\n\r\nJe réponds à sa place.\r\n"
    );
    let mut client = ImapClient::connect(&dovecot.url()).await.expect("connect");
    for m in [&reply, &out_of_office, &forged] {
        client.append("INBOX", m.as_bytes()).await.expect("append");
    }
    client.logout().await;

    let (tx, rx) = tokio::sync::watch::channel(false);
    let poller = tokio::spawn(palier::jobs::mailbox::run(
        app.state.clone(),
        dovecot.url(),
        rx,
    ));
    let pool = app.state.db.pool.clone();
    let tenant_id = app.person_id(TENANT).await;
    eventually("the reply is a comment", || {
        let (pool, tenant_id) = (pool.clone(), tenant_id.clone());
        async move {
            sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM comments WHERE author_id = $1")
                .bind(&tenant_id)
                .fetch_one(&pool)
                .await
                .is_ok_and(|n| n == 1)
        }
    })
    .await;
    for _ in 0..200 {
        if dovecot.count("INBOX").await == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(dovecot.count("INBOX").await, 0, "every message filed");
    assert_eq!(
        dovecot.count("Processed").await,
        2,
        "the reply and the auto-reply"
    );
    assert_eq!(dovecot.count("Rejected").await, 1, "the forged reply");

    // While the worker waits (IDLE), a new message is picked up at once.
    let again = reply
        .replace("imap1@client.test", "imap4@client.test")
        .replace("La voici", "Et une autre");
    let mut client = ImapClient::connect(&dovecot.url()).await.expect("connect");
    client
        .append("INBOX", again.as_bytes())
        .await
        .expect("append");
    client.logout().await;
    eventually("the second reply is a comment", || {
        let (pool, tenant_id) = (pool.clone(), tenant_id.clone());
        async move {
            sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM comments WHERE author_id = $1")
                .bind(&tenant_id)
                .fetch_one(&pool)
                .await
                .is_ok_and(|n| n == 2)
        }
    })
    .await;
    let _ = tx.send(true);
    let _ = tokio::time::timeout(Duration::from_secs(5), poller).await;

    // The same message piped to `palier mail receive` as well: still one comment.
    let (code, out) = crate::mail_in::receive_with(&app, reply.clone().into_bytes(), None).await;
    assert_eq!((code, out.as_str()), (0, "duplicate: already handled"));
    let (_, r) = app
        .get_json(&format!("/api/v1/reports/{id}"), Some(&tenant))
        .await;
    let bodies: Vec<&str> = r["comments"]
        .as_array()
        .expect("comments")
        .iter()
        .filter_map(|c| c["body"].as_str())
        .collect();
    assert!(
        bodies.contains(&"La voici, l'eau coule le long du mur."),
        "{bodies:?}"
    );
    assert!(
        !bodies
            .iter()
            .any(|b| b.contains("Back on Monday") || b.contains("sa place"))
    );
}
