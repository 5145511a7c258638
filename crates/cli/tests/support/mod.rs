//! Starting the real `redress` binary, as a user does, on an ephemeral port.

#![allow(dead_code)]

use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

pub struct Server(pub Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `redress --data-dir DIR --listen 127.0.0.1:0 ARGS...` with `envs`; reads its standard
/// output up to the line `until` matches. Returns the server, its base URL and the lines read.
pub fn serve(
    dir: &std::path::Path,
    args: &[&str],
    envs: &[(&str, &str)],
    until: impl Fn(&str) -> bool,
) -> (Server, String, Vec<String>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_redress"))
        .args(["--data-dir", dir.to_str().unwrap(), "--listen", "127.0.0.1:0"])
        .args(args)
        .envs(envs.iter().copied())
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start redress");
    let stdout = child.stdout.take().unwrap();
    let server = Server(child);
    let mut lines = Vec::new();
    let mut base = None;
    for line in BufReader::new(stdout).lines() {
        let line = line.expect("stdout");
        if let Some(rest) = line.strip_prefix("Redress is serving on ") {
            base = Some(rest.trim_end_matches('/').to_owned());
        }
        let done = until(&line);
        lines.push(line);
        if done {
            break;
        }
    }
    (server, base.expect("the URL is printed"), lines)
}

/// A client of one person, logged in with a demo password.
pub struct Client {
    pub base: String,
    pub token: String,
    http: reqwest::Client,
}

impl Client {
    pub async fn login(base: &str, login: &str, password: &str) -> Client {
        let http = reqwest::Client::new();
        let body: Value = http
            .post(format!("{base}/api/v1/auth/login"))
            .json(&serde_json::json!({ "login": login, "password": password }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let token = body["token"].as_str().unwrap_or_else(|| panic!("login {login}: {body}")).to_owned();
        Client { base: base.to_owned(), token, http }
    }

    pub async fn get(&self, path: &str) -> Value {
        let response = self.http.get(format!("{}{path}", self.base)).bearer_auth(&self.token).send().await.unwrap();
        assert!(response.status().is_success(), "GET {path}: {}", response.status());
        response.json().await.unwrap()
    }

    pub async fn post(&self, path: &str, body: Value) -> Value {
        let response =
            self.http.post(format!("{}{path}", self.base)).bearer_auth(&self.token).json(&body).send().await.unwrap();
        let status = response.status();
        let body: Value = response.json().await.unwrap_or(Value::Null);
        assert!(status.is_success(), "POST {path}: {status} {body}");
        body
    }
}

/// The content type of the bodies `multipart` makes.
pub const MULTIPART: &str = "multipart/form-data; boundary=redress-test-form";

/// A `multipart/form-data` body as a browser sends it: fields (their bytes as given, so a test
/// can send what is not UTF-8), then one file (name, media type, bytes).
pub fn multipart(fields: &[(&str, &[u8])], file: (&str, &str, &[u8])) -> Vec<u8> {
    let boundary = MULTIPART.rsplit('=').next().unwrap();
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n").bytes());
        body.extend_from_slice(value);
        body.extend(b"\r\n");
    }
    let (name, media_type, bytes) = file;
    body.extend(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: {media_type}\r\n\r\n"
        )
        .bytes(),
    );
    body.extend_from_slice(bytes);
    body.extend(format!("\r\n--{boundary}--\r\n").bytes());
    body
}

/// A form body as a browser sends it (`application/x-www-form-urlencoded`).
pub fn urlencoded(fields: &[(&str, &str)]) -> String {
    let encode = |s: &str| -> String {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
                _ => format!("%{b:02X}"),
            })
            .collect()
    };
    fields.iter().map(|(k, v)| format!("{}={}", encode(k), encode(v))).collect::<Vec<_>>().join("&")
}
