//! The law crate's answers in words: the complaint checker's findings, statutory damages, the
//! rules' refusals and calendar warnings. `redress-law` gives codes and figures; these functions
//! tell them in the reader's language from the catalogue (`locales/*/law.ftl`). Legal names stay
//! as the law crate cites them (a citation's `zh` or `en`).

use crate::{Args, Label, Lang, text, text_with};
use fluent_templates::fluent_bundle::FluentValue;
use redress_law::Reason;
use redress_law::citation::Citation;
use redress_law::complaint_check::{Finding, FindingCode, Moment, Observation, evidence_needed, kinds_fitting};
use redress_law::damages::{DamagesBreakdown, DamagesRule, yuan};
use strum::IntoEnumIterator;

fn args<const N: usize>(pairs: [(&'static str, String); N]) -> Args {
    pairs.into_iter().map(|(name, value)| (name.into(), FluentValue::from(value))).collect()
}

/// A citation's legal name in `lang`, as the law cites it.
pub fn cited(lang: Lang, citation: &Citation) -> &str {
    match lang {
        Lang::Zh => &citation.zh,
        Lang::En => &citation.en,
    }
}

/// A label inside an English sentence reads in lower case ("the reason “quality defect”").
fn in_sentence(lang: Lang, label: String) -> String {
    match lang {
        Lang::Zh => label,
        Lang::En => label.to_lowercase(),
    }
}

fn labels<T: Label>(lang: Lang, values: &[T], separator: &str) -> String {
    values.iter().map(|v| in_sentence(lang, v.label(lang))).collect::<Vec<_>>().join(separator)
}

fn moments(lang: Lang, missing: &[Moment]) -> String {
    let told: Vec<String> = missing.iter().map(|m| text(lang, &format!("moment-{}", m.as_str()))).collect();
    told.join(&text(lang, "list-separator"))
}

/// What a statutory damages computation comes to, in a sentence citing its article.
pub fn damages_explanation(lang: Lang, d: &DamagesBreakdown) -> String {
    let rule = d.rule.as_str();
    let mut punitive = args([("punitive", yuan(d.punitive_fen))]);
    for c in &d.candidates {
        punitive.insert(c.basis.as_str().into(), FluentValue::from(yuan(c.amount_fen)));
    }
    let punitive_rule = text_with(lang, &format!("damages-punitive-{rule}-{}", d.punitive_basis.as_str()), &punitive);
    let sentence = args([
        ("citation", cited(lang, &d.citation).to_owned()),
        ("price", yuan(d.price_fen)),
        ("loss", yuan(d.loss_compensation_fen)),
        ("punitive_rule", punitive_rule),
        ("total", yuan(d.total_fen)),
    ]);
    text_with(lang, &format!("damages-{rule}"), &sentence)
}

/// When a damages rule applies ("the seller committed fraud ...").
pub fn damages_applies_when(lang: Lang, rule: DamagesRule) -> String {
    text(lang, &format!("damages-applies-when-{}", rule.as_str()))
}

/// A finding's message and its suggestion, in `lang`.
pub fn finding(lang: Lang, f: &Finding) -> (String, String) {
    let code = f.code().as_str();
    let key = format!("finding-{code}");
    let suggestion_key = format!("{key}-suggestion");
    let plain = || (text(lang, &key), text(lang, &suggestion_key));
    let or = text(lang, "finding-evidence-or");
    let separator = text(lang, "list-separator");
    match &f.observation {
        Observation::DemandNotPositive
        | Observation::NoReasonWindowClosed
        | Observation::NoReasonExcludedItem
        | Observation::NotSignedFor
        | Observation::ReturnWindowPassed
        | Observation::PromiseWithoutChatRecord
        | Observation::HarmWithoutMedicalRecord
        | Observation::MerchantNotContacted => plain(),
        Observation::DemandExceedsPaid { demanded_fen, paid_fen } => {
            let a = args([("demanded", yuan(*demanded_fen)), ("paid", yuan(*paid_fen))]);
            (text_with(lang, &key, &a), text_with(lang, &suggestion_key, &a))
        }
        Observation::NoTimeline { missing } | Observation::TimelineIncomplete { missing } => {
            (text_with(lang, &key, &args([("missing", moments(lang, missing))])), text(lang, &suggestion_key))
        }
        Observation::VagueProblem { too_short } => {
            let a = args([("too_short", if *too_short { "yes" } else { "no" }.to_owned())]);
            (text_with(lang, &key, &a), text(lang, &suggestion_key))
        }
        Observation::NoExplicitDemand { kind, paid_fen } => {
            let a = args([("kind", in_sentence(lang, kind.label(lang))), ("paid", yuan(*paid_fen))]);
            (text(lang, &key), text_with(lang, &suggestion_key, &a))
        }
        Observation::EvidenceNotFittingReason { reason, missing } => {
            let groups: Vec<String> = missing.iter().map(|group| labels(lang, group, &or)).collect();
            let a = args([
                ("reason", in_sentence(lang, reason.label(lang))),
                ("missing", groups.join(&text(lang, "finding-evidence-and"))),
            ]);
            (text_with(lang, &key, &a), text(lang, &format!("evidence-advice-{}", reason.as_str())))
        }
        Observation::KindDoesNotFitReason { kind, reason, fitting } => {
            let a = args([
                ("kind", in_sentence(lang, kind.label(lang))),
                ("reason", in_sentence(lang, reason.label(lang))),
                ("why", text(lang, &format!("kind-fit-{}", reason.as_str()))),
                ("fitting", labels(lang, fitting, &separator)),
            ]);
            (text_with(lang, &key, &a), text_with(lang, &suggestion_key, &a))
        }
        Observation::DemandExceedsStatutoryDamages { demanded_fen, damages } => {
            let a = args([
                ("demanded", yuan(*demanded_fen)),
                ("explanation", damages_explanation(lang, damages)),
                ("total", yuan(damages.total_fen)),
            ]);
            (text_with(lang, &key, &a), text_with(lang, &suggestion_key, &a))
        }
        Observation::StatutoryDamagesAvailable { damages } => {
            let a = args([
                ("condition", text(lang, &format!("damages-if-{}", damages.rule.as_str()))),
                ("explanation", damages_explanation(lang, damages)),
            ]);
            (text_with(lang, &key, &a), text(lang, &suggestion_key))
        }
    }
}

/// A finding's arguments as the API shows them beside its words (amounts in fen, names).
pub fn finding_args(f: &Finding) -> serde_json::Map<String, serde_json::Value> {
    match serde_json::to_value(&f.observation) {
        Ok(serde_json::Value::Object(mut outer)) => match outer.remove("args") {
            Some(serde_json::Value::Object(args)) => args,
            _ => serde_json::Map::new(),
        },
        _ => serde_json::Map::new(),
    }
}

/// What the warning about a provisional calendar year says (operators: what to import).
pub fn provisional_year(lang: Lang, year: i16) -> String {
    text_with(lang, "health-provisional-year", &args([("year", year.to_string())]))
}

/// Every key the law crate's answers are told with (for the completeness test): each finding's
/// message and suggestion, each rule's sentences and bases, the moments, and what every reason
/// with needs or fitting kinds is told with.
pub fn law_keys() -> Vec<String> {
    let mut keys = Vec::new();
    for code in FindingCode::iter() {
        keys.push(format!("finding-{}", code.as_str()));
        if code != FindingCode::EvidenceNotFittingReason {
            keys.push(format!("finding-{}-suggestion", code.as_str()));
        }
    }
    keys.extend(["finding-evidence-or", "finding-evidence-and", "list-separator"].map(String::from));
    keys.extend(Moment::iter().map(|m| format!("moment-{}", m.as_str())));
    for rule in DamagesRule::iter() {
        let rule_name = rule.as_str();
        keys.push(format!("damages-{rule_name}"));
        keys.push(format!("damages-applies-when-{rule_name}"));
        keys.push(format!("damages-if-{rule_name}"));
        keys.extend(rule.bases().iter().map(|b| format!("damages-punitive-{rule_name}-{}", b.as_str())));
    }
    for reason in Reason::ALL {
        if !evidence_needed(*reason).is_empty() {
            keys.push(format!("evidence-advice-{}", reason.as_str()));
        }
        if kinds_fitting(*reason).is_some() {
            keys.push(format!("kind-fit-{}", reason.as_str()));
        }
    }
    keys.extend(
        redress_law::eligibility::NoReasonExclusion::iter().map(|e| format!("no-reason-exclusion-{}", e.as_str())),
    );
    keys.push("health-provisional-year".into());
    // The 12315 complaint's own lines (told in zh-CN, kept in both languages like every message).
    let complaint =
        ["demand-asked", "fact-paid", "fact-shipped", "fact-signed", "product", "evidence-file", "evidence-caption"];
    keys.extend(complaint.map(|k| format!("complaint-{k}")));
    keys
}
