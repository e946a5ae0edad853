//! The `palier` binary itself: administration commands, the job commands, graceful stop.

use std::process::{Command, Stdio};
use std::time::Duration;

fn palier(data_dir: &std::path::Path, args: &[&str]) -> (bool, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_palier"));
    // The binary's own flows run on a fresh SQLite file; the query layer they use is the one
    // the API suite covers on both databases.
    cmd.args(args)
        .arg("--data-dir")
        .arg(data_dir)
        .env_remove("DATABASE_URL");
    let out = cmd.output().expect("run palier");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

#[test]
fn an_agency_is_set_up_from_the_command_line() {
    let dir = tempfile::tempdir().expect("dir");
    let (ok, out) = palier(dir.path(), &["migrate"]);
    assert!(ok, "{out}");
    let (ok, out) = palier(
        dir.path(),
        &["admin", "create-agency", "--name", "Syndic Dupont"],
    );
    assert!(ok && out.contains("agency"), "{out}");
    let (ok, out) = palier(
        dir.path(),
        &["admin", "create-agency", "--name", "Syndic Dupont"],
    );
    assert!(
        !ok && out.contains("already exists"),
        "no duplicate agency: {out}"
    );
    let (ok, out) = palier(
        dir.path(),
        &[
            "admin",
            "create-manager",
            "--agency",
            "Syndic Dupont",
            "--email",
            "marc@syndic.test",
            "--name",
            "Marc",
            "--password",
            "un-mot-de-passe",
        ],
    );
    assert!(ok && out.contains("marc@syndic.test"), "{out}");
    let (ok, out) = palier(
        dir.path(),
        &[
            "admin",
            "create-manager",
            "--agency",
            "Nope",
            "--email",
            "a@b.test",
            "--name",
            "A",
            "--password",
            "un-mot-de-passe",
        ],
    );
    assert!(!ok && out.contains("no agency"), "{out}");
    let (ok, out) = palier(
        dir.path(),
        &[
            "admin",
            "create-manager",
            "--agency",
            "Syndic Dupont",
            "--email",
            "bad",
            "--name",
            "A",
            "--password",
            "un-mot-de-passe",
        ],
    );
    assert!(!ok && out.contains("invalid email"), "{out}");
    let (ok, out) = palier(
        dir.path(),
        &[
            "admin",
            "create-building",
            "--agency",
            "Syndic Dupont",
            "--name",
            "Les Lilas",
            "--address",
            "1 rue des Lilas",
            "--lots",
            "8",
        ],
    );
    assert!(ok && out.contains("registration code"), "{out}");
    let (ok, out) = palier(dir.path(), &["jobs", "list", "--dead"]);
    assert!(ok && out.trim().is_empty(), "no dead job: {out}");
    let (ok, out) = palier(dir.path(), &["jobs", "retry", "nope"]);
    assert!(!ok && out.contains("no dead job"), "{out}");
}

#[test]
fn serve_stops_cleanly_on_sigterm() {
    let dir = tempfile::tempdir().expect("dir");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("port")
        .port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_palier"))
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .arg("--data-dir")
        .arg(dir.path())
        .env_remove("DATABASE_URL")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let mut up = false;
    for _ in 0..200 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            up = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    assert!(up, "server did not start");
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(killed.success());
    for _ in 0..200 {
        if let Ok(Some(status)) = child.try_wait() {
            assert!(status.success(), "exit status {status}");
            return;
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    let _ = child.kill();
    panic!("server did not stop on SIGTERM");
}
