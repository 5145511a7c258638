//! A real SMTP server on loopback for the notification email tests (web and CLI): aiosmtpd from
//! PyPI, in the venv `.ci/run` installs (locally: `python3 -m venv ~/.cache/redress-ci/venv-aiosmtpd
//! && ~/.cache/redress-ci/venv-aiosmtpd/bin/pip install aiosmtpd`).
#![allow(dead_code)]

use redress_worker::email::{Mailer, SmtpConfig, SmtpTls};
use serde_json::{Value, json};

/// A real SMTP server on loopback (aiosmtpd), writing each message it receives, decoded by
/// Python's own email parser, as one JSON line.
pub struct SmtpServer {
    pub port: u16,
    log: std::path::PathBuf,
    python: std::path::PathBuf,
    child: Option<tokio::process::Child>,
    _dir: tempfile::TempDir,
}

const SERVER: &str = r#"
import asyncio, json, sys, email
from email import policy
from aiosmtpd.controller import Controller

class Record:
    async def handle_DATA(self, server, session, envelope):
        msg = email.message_from_bytes(envelope.content, policy=policy.default)
        told = {"to": envelope.rcpt_tos, "subject": str(msg["subject"]), "message_id": str(msg["message-id"]),
                "body": msg.get_body(("plain",)).get_content()}
        with open(sys.argv[2], "a", encoding="utf-8") as log:
            log.write(json.dumps(told, ensure_ascii=False) + "\n")
        return "250 OK"

controller = Controller(Record(), hostname="127.0.0.1", port=int(sys.argv[1]))
controller.start()
print("ready", flush=True)
sys.stdin.read()
controller.stop()
"#;

impl SmtpServer {
    /// The venv's Python with aiosmtpd, or `None` with a note (CI: `REDRESS_REQUIRE_SMTP=1` fails).
    pub fn python(test: &str) -> Option<std::path::PathBuf> {
        let venv = std::env::var_os("REDRESS_AIOSMTPD_VENV").map(std::path::PathBuf::from).unwrap_or_else(|| {
            let cache = std::env::var_os("XDG_CACHE_HOME").map(std::path::PathBuf::from).unwrap_or_else(|| {
                std::path::PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".cache")
            });
            cache.join("redress-ci/venv-aiosmtpd")
        });
        let python = venv.join("bin/python");
        let works = std::process::Command::new(&python)
            .args(["-c", "import aiosmtpd"])
            .output()
            .is_ok_and(|o| o.status.success());
        if works {
            return Some(python);
        }
        let reason = format!("no aiosmtpd at {} (see .ci/run)", venv.display());
        assert!(std::env::var("REDRESS_REQUIRE_SMTP").as_deref() != Ok("1"), "REDRESS_REQUIRE_SMTP=1 but {reason}");
        redress_store::skipped::note(test, &reason);
        None
    }

    /// A server on a free port, not started yet.
    pub fn reserve(python: std::path::PathBuf) -> SmtpServer {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let dir = tempfile::tempdir().unwrap();
        SmtpServer { port, log: dir.path().join("received.jsonl"), python, child: None, _dir: dir }
    }

    pub async fn start(&mut self) {
        use tokio::io::AsyncBufReadExt;
        let mut child = tokio::process::Command::new(&self.python)
            .args(["-c", SERVER, &self.port.to_string(), self.log.to_str().unwrap()])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("start aiosmtpd");
        let mut lines = tokio::io::BufReader::new(child.stdout.take().unwrap()).lines();
        assert_eq!(lines.next_line().await.unwrap().as_deref(), Some("ready"));
        self.child = Some(child);
    }

    pub fn mailer(&self) -> Mailer {
        Mailer::new(&SmtpConfig {
            host: "127.0.0.1".into(),
            port: Some(self.port),
            from: "Redress <noreply@redress.test>".into(),
            tls: SmtpTls::None,
            username: None,
            password: None,
        })
        .unwrap()
    }

    /// Every message received so far.
    pub fn received(&self) -> Vec<Value> {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        text.lines().map(|l| serde_json::from_str(l).unwrap()).collect()
    }

    pub fn received_by(&self, address: &str) -> Vec<Value> {
        self.received().into_iter().filter(|m| m["to"] == json!([address])).collect()
    }
}
