//! The `palier` binary itself: administration commands, the job commands, graceful stop.

use std::process::{Child, Command, Stdio};
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
    let (ok, out) = palier(
        dir.path(),
        &[
            "admin",
            "create-insurer",
            "--name",
            "Mutuelle des Immeubles",
            "--email",
            "sinistres@mutuelle.test",
            "--phone",
            "01 23 45 67 89",
        ],
    );
    assert!(
        ok && out.contains("insurer Mutuelle des Immeubles"),
        "{out}"
    );
    let (ok, out) = palier(
        dir.path(),
        &[
            "admin",
            "create-insurer",
            "--name",
            "Sans e-mail",
            "--email",
            "nope",
        ],
    );
    assert!(!ok && out.contains("invalid claims_email"), "{out}");
    let (ok, out) = palier(dir.path(), &["jobs", "list", "--dead"]);
    assert!(ok && out.trim().is_empty(), "no dead job: {out}");
    let (ok, out) = palier(dir.path(), &["jobs", "retry", "nope"]);
    assert!(!ok && out.contains("no dead job"), "{out}");
}

/// Starts `palier <args> serve --listen <free port>` on `dir` and waits until it accepts
/// connections.
fn start_server(dir: &std::path::Path, global: &[&str], stdout: Stdio) -> Child {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("port")
        .port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_palier"))
        .args(global)
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .arg("--data-dir")
        .arg(dir)
        .env_remove("DATABASE_URL")
        .env("PALIER_LOG", "palier=info")
        .stdout(stdout)
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    for _ in 0..200 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return child;
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("server did not start");
}

fn sigterm(child: &Child) {
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(killed.success());
}

#[test]
fn serve_stops_cleanly_on_sigterm() {
    let dir = tempfile::tempdir().expect("dir");
    let mut child = start_server(dir.path(), &[], Stdio::null());
    sigterm(&child);
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

/// The shipped systemd units are accepted by systemd itself (with the binary under test in
/// place of /usr/local/bin/palier, since `verify` checks that the command exists).
#[test]
fn deploy_units_pass_systemd_analyze_verify() {
    let found = Command::new("systemd-analyze")
        .arg("--version")
        .output()
        .is_ok();
    assert!(
        found,
        "systemd-analyze is missing: apt-get install -y systemd (or run ./test.sh)"
    );
    let dir = tempfile::tempdir().expect("dir");
    for unit in ["palier.service", "palier-worker.service"] {
        let text = std::fs::read_to_string(format!("deploy/{unit}")).expect("unit file");
        for hardening in [
            "DynamicUser=yes",
            "ProtectSystem=strict",
            "StateDirectory=palier",
        ] {
            assert!(text.contains(hardening), "{unit} lacks {hardening}");
        }
        let path = dir.path().join(unit);
        std::fs::write(
            &path,
            text.replace("/usr/local/bin/palier", env!("CARGO_BIN_EXE_palier")),
        )
        .expect("write unit");
        let out = Command::new("systemd-analyze")
            .arg("verify")
            .arg(&path)
            .output()
            .expect("systemd-analyze");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.success() && stderr.trim().is_empty(),
            "{unit}: {stderr}"
        );
    }
}

/// `--log-format json` prints one JSON object per line, for log collectors.
#[test]
fn json_logs_are_one_object_per_line() {
    let dir = tempfile::tempdir().expect("dir");
    let child = start_server(dir.path(), &["--log-format", "json"], Stdio::piped());
    sigterm(&child);
    let out = child.wait_with_output().expect("output");
    let logs = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = logs.lines().filter(|l| !l.trim().is_empty()).collect();
    assert!(!lines.is_empty(), "no log line");
    for line in lines {
        let v: serde_json::Value = serde_json::from_str(line).expect("a JSON log line");
        assert!(
            v["level"].is_string() && v["timestamp"].is_string(),
            "{line}"
        );
    }
}
