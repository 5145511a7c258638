//! `redress export dossier` and `redress verify`: the dossier ZIP out of the platform, and the
//! check anyone can run on it.

use anyhow::Context;
use clap::{Subcommand, ValueEnum};
use redress_app::App;
use redress_domain::{CaseId, Party};
use std::path::PathBuf;

#[derive(Subcommand)]
pub enum Export {
    /// A case's dossier as a ZIP.
    Dossier {
        /// The case id.
        case_id: String,
        /// Where to write it [default: dossier-<case>.zip]
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// Whose view: a party's dossier leaves out the other side's confidential files.
        #[arg(long = "for", value_enum, default_value = "platform")]
        prepared_for: Reader,
    },
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Reader {
    Buyer,
    Merchant,
    Platform,
}

pub async fn export(app: &App, what: Export) -> anyhow::Result<()> {
    let Export::Dossier { case_id, output, prepared_for } = what;
    let id: CaseId = case_id.parse().context("not a case id")?;
    let viewer = match prepared_for {
        Reader::Buyer => Party::Buyer,
        Reader::Merchant => Party::Merchant,
        Reader::Platform => Party::Platform,
    };
    let mut dossier = app.dossier_for(id, viewer).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    let path = output.unwrap_or_else(|| PathBuf::from(&dossier.file_name));
    let mut out = std::fs::File::create(&path).with_context(|| format!("create {}", path.display()))?;
    std::io::copy(&mut dossier.file, &mut out).with_context(|| format!("write {}", path.display()))?;
    println!("dossier of case {id} written to {} ({} bytes)", path.display(), dossier.size);
    Ok(())
}

/// `--key`: a public key is 32 bytes, 64 hex digits; anything else is a typo, not a finding.
pub fn platform_key(raw: &str) -> Result<String, String> {
    let key = raw.trim();
    match key.len() == 64 && key.bytes().all(|b| b.is_ascii_hexdigit()) {
        true => Ok(key.to_ascii_lowercase()),
        false => Err("a platform key is 64 hexadecimal digits (GET /api/v1/dossier-key)".into()),
    }
}

/// Prints the verdict; the exit code is 0 when intact and sealed with the platform's key, 3 when
/// consistent but its seal was not checked against a key (no `--key`), 1 when not intact.
pub fn verify(path: &PathBuf, platform_key: Option<&str>) -> anyhow::Result<i32> {
    let file = std::fs::File::open(path).with_context(|| format!("open {}", path.display()))?;
    let report = redress_app::dossier::verify(std::io::BufReader::new(file), platform_key)
        .with_context(|| format!("{} is not a dossier ZIP", path.display()))?;
    let case = report.case_id.map(|c| c.to_string()).unwrap_or_else(|| "?".into());
    if report.intact() {
        use redress_text::fluent::FluentValue;
        let count = |n: usize| FluentValue::from(i64::try_from(n).unwrap_or(i64::MAX));
        let args: redress_text::Args = [
            ("path", FluentValue::from(path.display().to_string())),
            ("case", FluentValue::from(case)),
            ("events", count(report.events)),
            ("files", count(report.files)),
            ("withheld", count(report.withheld)),
            ("redacted", count(report.redacted)),
        ]
        .into_iter()
        .map(|(name, value)| (name.into(), value))
        .collect();
        // The command line speaks English (as its other output); the count's plural is the catalogue's.
        // Without the platform's key a forger's reseal looks as consistent as the platform's own.
        let verdict = if platform_key.is_some() { "dossier-verify-intact" } else { "dossier-verify-consistent" };
        let told = redress_text::lookup(redress_text::Lang::En, verdict, Some(&args));
        println!("{}", told.context("the catalogue's verify line")?);
        let key = report.sealed_by.unwrap_or_default();
        let seal_line =
            if platform_key.is_some() { "dossier-verify-sealed-by-platform" } else { "dossier-verify-sealed-by" };
        let args: redress_text::Args = [("key".into(), FluentValue::from(key))].into_iter().collect();
        println!("{}", redress_text::lookup(redress_text::Lang::En, seal_line, Some(&args)).context("the seal line")?);
        Ok(if platform_key.is_some() { 0 } else { 3 })
    } else {
        println!("{}: NOT intact — case {case}", path.display());
        for finding in &report.findings {
            println!("  - {finding}");
        }
        Ok(1)
    }
}
