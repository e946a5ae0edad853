//! A real SMTP server for delivery tests: Debian's aiosmtpd, storing what it receives in a
//! Maildir. It can be stopped and started again on the same port to simulate an outage.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub struct SmtpSink {
    pub port: u16,
    maildir: tempfile::TempDir,
    child: Option<Child>,
}

fn python() -> String {
    std::env::var("PALIER_TEST_PYTHON").unwrap_or_else(|_| "/usr/bin/python3".to_string())
}

impl SmtpSink {
    pub async fn start() -> SmtpSink {
        let found = Command::new(python())
            .args(["-c", "import aiosmtpd"])
            .status()
            .is_ok_and(|s| s.success());
        assert!(
            found,
            "the SMTP tests need aiosmtpd for {}: apt-get install -y python3-aiosmtpd (or run ./test.sh)",
            python()
        );
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        let mut sink = SmtpSink {
            port,
            maildir: tempfile::tempdir().expect("maildir"),
            child: None,
        };
        sink.resume().await;
        sink
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Starts (again) on the same port and waits until it accepts connections.
    pub async fn resume(&mut self) {
        let child = Command::new(python())
            .args([
                "-m",
                "aiosmtpd",
                "-n",
                "-l",
                &format!("127.0.0.1:{}", self.port),
                "-c",
                "aiosmtpd.handlers.Mailbox",
            ])
            .arg(self.maildir.path().join("box"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start aiosmtpd (apt-get install python3-aiosmtpd)");
        self.child = Some(child);
        for _ in 0..200 {
            if tokio::net::TcpStream::connect(("127.0.0.1", self.port))
                .await
                .is_ok()
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!("SMTP sink did not start on port {}", self.port);
    }

    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    fn files(&self) -> Vec<PathBuf> {
        ["new", "cur"]
            .iter()
            .filter_map(|d| std::fs::read_dir(self.maildir.path().join("box").join(d)).ok())
            .flat_map(|entries| entries.flatten().map(|e| e.path()))
            .collect()
    }

    /// Every message received so far, raw.
    pub fn messages(&self) -> Vec<Vec<u8>> {
        self.files()
            .into_iter()
            .filter_map(|p| std::fs::read(p).ok())
            .collect()
    }

    /// Raw messages to `to` whose subject contains `subject`.
    pub fn find(&self, to: &str, subject: &str) -> Vec<Vec<u8>> {
        self.messages()
            .into_iter()
            .filter(|raw| {
                let Some(m) = mail_parser::MessageParser::default().parse(raw.as_slice()) else {
                    return false;
                };
                let to_ok = m
                    .to()
                    .and_then(|a| a.first())
                    .and_then(|a| a.address())
                    .is_some_and(|a| a == to);
                to_ok && m.subject().is_some_and(|s| s.contains(subject))
            })
            .collect()
    }

    pub async fn wait_for(&self, to: &str, subject: &str) -> Vec<u8> {
        for _ in 0..200 {
            if let Some(raw) = self.find(to, subject).into_iter().next() {
                return raw;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!("SMTP sink received nothing to {to} about {subject:?}");
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.stop();
    }
}
