//! The law crate's answers read in one language each: every finding code, both damages rules
//! and every refusal, told from the catalogue in zh-CN and in English.

use std::collections::BTreeSet;

use redress_law::complaint_check::{ComplaintDraft, EligibilityFacts, Finding, FindingCode, NoReasonStatus, check};
use redress_law::damages::{consumer_fraud_damages, food_safety_damages};
use redress_law::eligibility::{NoReasonExclusion, Refusal};
use redress_law::{EvidenceKind as E, Reason as R, RequestKind as K};
use redress_text::Lang;
use redress_text::law::{damages_explanation, finding};

fn han(s: &str) -> bool {
    s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

/// Three Latin words in a row: English prose in what should be Chinese.
fn english_prose(s: &str) -> bool {
    let mut run = 0;
    for token in s.split_whitespace() {
        let bare = token.trim_matches(|c: char| !c.is_alphanumeric());
        if bare.len() > 1 && bare.chars().all(|c| c.is_ascii_alphabetic()) {
            run += 1;
            if run == 3 {
                return true;
            }
        } else {
            run = 0;
        }
    }
    false
}

fn draft(
    kind: K,
    reason: R,
    demanded: Option<i64>,
    description: &str,
    evidence: &[E],
    contacted: bool,
) -> ComplaintDraft {
    ComplaintDraft {
        kind,
        reason,
        demanded_fen: demanded,
        description: description.into(),
        evidence: evidence.to_vec(),
        contacted_merchant: contacted,
        paid_fen: 16_666,
        facts: EligibilityFacts::default(),
    }
}

/// Drafts that between them meet every finding code.
fn drafts() -> Vec<ComplaintDraft> {
    let mut out = vec![
        draft(K::RefundOnly, R::Other, Some(-5), "东西不好", &[], false),
        draft(K::RefundOnly, R::QualityDefect, Some(99_999), "3月1日下单，收到后发现屏幕有裂痕", &[], true),
        draft(
            K::Exchange,
            R::NotDelivered,
            None,
            "商家承诺三天发货，吃了以后过敏去了医院，一直没有收到，物流停滞",
            &[],
            true,
        ),
        draft(
            K::Compensation,
            R::Counterfeit,
            Some(9_999_999),
            "3月1日买的鞋是假货，防伪码查不到，要求赔偿",
            &[E::Photo],
            true,
        ),
        draft(
            K::ReturnRefund,
            R::NotAsDescribed,
            None,
            "收到的东西质量很差，完全不像图片上那样，非常失望，太让人生气了",
            &[],
            true,
        ),
        draft(K::RefundOnly, R::FalseAdvertising, None, "东西不好", &[E::ProductPage], true),
        draft(K::RefundOnly, R::WrongOrMissingItem, None, "3月1日下单，漏发一件", &[], true),
        draft(K::RefundOnly, R::LateShipment, None, "逾期未发货", &[], true),
        draft(K::RefundOnly, R::DamagedInTransit, None, "外箱压坏", &[], true),
        draft(K::RefundOnly, R::ServiceNotFulfilled, None, "上门安装没来", &[], true),
    ];
    let mut food = draft(K::RefundOnly, R::QualityDefect, None, "变质", &[E::Photo], true);
    food.facts.food = true;
    out.push(food);
    let mut late = draft(K::ReturnRefund, R::QualityDefect, None, "3月1日签收，3月20日屏幕出现亮线", &[E::Photo], true);
    late.facts.return_window_passed = true;
    out.push(late);
    for status in [NoReasonStatus::WindowClosed, NoReasonStatus::Excluded, NoReasonStatus::NotSignedFor] {
        let mut d = draft(K::Exchange, R::NoReason7Day, None, "不想要了", &[], true);
        d.facts.no_reason = Some(status);
        out.push(d);
    }
    out
}

fn findings() -> Vec<Finding> {
    drafts().iter().flat_map(|d| check(d).findings).collect()
}

#[test]
fn every_finding_code_reads_in_each_language_only() {
    let findings = findings();
    let seen: BTreeSet<FindingCode> = findings.iter().map(Finding::code).collect();
    let all: BTreeSet<FindingCode> = <FindingCode as strum::IntoEnumIterator>::iter().collect();
    assert_eq!(seen, all, "the drafts meet every code");
    for f in &findings {
        for lang in Lang::ALL {
            let (message, suggestion) = finding(lang, f);
            for told in [&message, &suggestion] {
                assert!(!told.is_empty() && !told.contains('{') && !told.starts_with("finding-"), "{lang:?}: {told}");
                assert!(!told.contains("kind-fit-") && !told.contains("evidence-advice-"), "{lang:?}: {told}");
                match lang {
                    Lang::En => assert!(!han(told), "{:?}: {told}", f.code()),
                    Lang::Zh => assert!(han(told) && !english_prose(told), "{:?}: {told}", f.code()),
                }
            }
        }
    }
}

#[test]
fn a_time_line_finding_names_the_missing_moments() {
    let d = draft(K::ReturnRefund, R::QualityDefect, None, "收到的杯子有裂纹，要求退货退款。", &[E::Photo], false);
    let report = check(&d);
    let f = report.findings.iter().find(|f| f.code() == FindingCode::NoTimeline).unwrap();
    let (zh, _) = finding(Lang::Zh, f);
    assert!(zh.contains("购买时间、发现问题的时间"), "{zh}");
    assert!(!zh.contains("联系商家的时间"), "{zh}");
    let (en, _) = finding(Lang::En, f);
    assert!(en.contains("when you bought it, when you found the problem"), "{en}");
}

#[test]
fn evidence_and_kinds_are_told_by_their_labels() {
    let d = draft(K::Exchange, R::NotDelivered, None, "3月1日下单，一直没有收到，要求退款", &[], true);
    let report = check(&d);
    let kind = report.findings.iter().find(|f| f.code() == FindingCode::KindDoesNotFitReason).unwrap();
    let (zh, zh_suggestion) = finding(Lang::Zh, kind);
    assert!(zh.contains("「换货」") && zh.contains("「未收到货」"), "{zh}");
    assert_eq!(zh_suggestion, "改选：仅退款、补寄、赔偿。");
    let (en, en_suggestion) = finding(Lang::En, kind);
    assert!(en.contains("“exchange”") && en.contains("“not delivered”"), "{en}");
    assert_eq!(en_suggestion, "Choose one of: refund only, reissue, compensation.");
    let evidence = report.findings.iter().find(|f| f.code() == FindingCode::EvidenceNotFittingReason).unwrap();
    assert!(finding(Lang::Zh, evidence).0.contains("缺少物流记录"), "{:?}", finding(Lang::Zh, evidence));
    assert!(finding(Lang::En, evidence).0.contains("missing logistics record"));
}

#[test]
fn damages_are_explained_with_their_article_and_figures() {
    let b = consumer_fraud_damages(16_666).unwrap();
    let zh = damages_explanation(Lang::Zh, &b);
    assert!(zh.contains("第五十五条") && zh.contains("不足五百元") && zh.contains("¥499.98"), "{zh}");
    assert!(zh.contains("¥666.66"), "{zh}");
    let en = damages_explanation(Lang::En, &b);
    assert!(en.contains("Art. 55") && en.contains("below the ¥500 floor") && !han(&en), "{en}");
    let b = consumer_fraud_damages(100_000).unwrap();
    assert!(damages_explanation(Lang::Zh, &b).contains("增加赔偿为价款的三倍即¥3000.00"));
    let b = food_safety_damages(5_000, 40_000).unwrap();
    let zh = damages_explanation(Lang::Zh, &b);
    assert!(zh.contains("第一百四十八条") && zh.contains("损失三倍"), "{zh}");
    assert!(damages_explanation(Lang::En, &b).contains("Art. 148"));
    let b = food_safety_damages(9_999, 0).unwrap();
    assert!(
        damages_explanation(Lang::En, &b).contains("10× the price is ¥999.90"),
        "{}",
        damages_explanation(Lang::En, &b)
    );
}

#[test]
fn refusals_read_through_the_details_of_the_catalogue() {
    let told = |lang, r: &Refusal| redress_text::told(lang, &redress_domain::Detail::from(r));
    let excluded = Refusal::NoReasonExcludedItem { exclusion: NoReasonExclusion::Perishable };
    assert!(told(Lang::Zh, &excluded).contains("鲜活易腐的商品"), "{}", told(Lang::Zh, &excluded));
    assert!(told(Lang::En, &excluded).contains("fresh and perishable goods"));
    let closed = Refusal::NoReasonWindowClosed { ends_at: "2025-03-17T16:00:00Z".parse().unwrap() };
    assert!(!han(&told(Lang::En, &closed)) && han(&told(Lang::Zh, &closed)));
}
