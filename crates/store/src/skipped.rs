//! Tests that need a server (PostgreSQL, S3) and find none are skipped, and cargo test has no
//! skip status: such a test would count as passed. Each skip is therefore written, one line per
//! test, to the file `REDRESS_SKIP_LOG` names; `scripts/test` sets it and reports the skipped
//! tests at the end of its run. (CI requires the servers: there the tests fail instead.)

use std::io::Write;
use std::path::Path;

/// The variable naming the file that collects skipped tests.
pub const SKIP_LOG_VAR: &str = "REDRESS_SKIP_LOG";

/// Notes that `test` did not run, and why: on stderr, and in the skip log when there is one.
pub fn note(test: &str, reason: &str) {
    eprintln!("note: {test} skipped: {reason}");
    let log = std::env::var_os(SKIP_LOG_VAR).filter(|v| !v.is_empty());
    if let Err(e) = note_in(log.as_deref().map(Path::new), test, reason) {
        eprintln!("note: could not record the skip of {test}: {e}");
    }
}

/// Appends `test: reason` to `log` (nothing without a log).
pub fn note_in(log: Option<&Path>, test: &str, reason: &str) -> std::io::Result<()> {
    let Some(log) = log else { return Ok(()) };
    // One short write per line: parallel test processes append whole lines.
    let mut file = std::fs::OpenOptions::new().create(true).append(true).open(log)?;
    file.write_all(format!("{test}: {reason}\n").as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_skip_is_one_line_in_the_log() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("skipped");
        note_in(Some(&log), "postgres_a", "REDRESS_TEST_POSTGRES_URL is not set").unwrap();
        note_in(Some(&log), "s3_b", "REDRESS_TEST_S3_ENDPOINT is not set").unwrap();
        note_in(None, "not_logged", "no log").unwrap();
        let text = std::fs::read_to_string(&log).unwrap();
        assert_eq!(
            text,
            "postgres_a: REDRESS_TEST_POSTGRES_URL is not set\ns3_b: REDRESS_TEST_S3_ENDPOINT is not set\n"
        );
    }
}
