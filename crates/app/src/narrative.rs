//! Events told in one Chinese line each, for the documents a case produces (the dossier, the
//! 12315 complaint): one wording, wherever a case is retold.

use redress_domain::event::EventBody;
use redress_domain::{Actor, CaseState, Event, OnTimeout, Outcome, Party};
use redress_text::{Label, Lang};

pub fn who(actor: &Actor) -> &'static str {
    match actor {
        Actor::Buyer { .. } => "买家",
        Actor::Merchant { .. } => "商家",
        Actor::Agent { .. } => "平台客服",
        Actor::Admin { .. } => "平台管理员",
        Actor::System => "系统",
    }
}

pub fn party_zh(party: Party) -> &'static str {
    match party {
        Party::Buyer => "买家",
        Party::Merchant => "商家",
        Party::Platform => "平台",
        Party::System => "系统",
    }
}

/// Every event in one Chinese line: the dossier shows the full timeline, bookkeeping included.
pub fn describe(event: &Event) -> String {
    let zh = Lang::Zh;
    let remedy = |r: &redress_domain::case::Remedy| format!("{} {}", r.kind.label(zh), r.amount);
    match &event.body {
        EventBody::Filed(f) => {
            format!("申请售后:{},原因:{},金额 {}。{}", f.kind.label_zh(), f.reason.label_zh(), f.amount, f.description)
        }
        EventBody::MessagePosted { text, evidence } if evidence.is_empty() => {
            format!("留言:{text}")
        }
        EventBody::MessagePosted { text, evidence } => {
            let ids: Vec<String> = evidence.iter().map(ToString::to_string).collect();
            format!("留言:{text}(引用证据 {})", ids.join("、"))
        }
        EventBody::Revised { kind, amount, description } => {
            format!("修改申请:{},金额 {amount}。{description}", kind.label_zh())
        }
        EventBody::Withdrawn => "撤销申请。".into(),
        EventBody::OfferMade { remedy: r, note } => format!("提出协商方案:{}。{note}", remedy(r)),
        EventBody::OfferAccepted { remedy: r } => format!("接受方案:{}。", remedy(r)),
        EventBody::OfferDeclined => "拒绝方案。".into(),
        EventBody::QuestionAsked { question } => format!("提问:{question}"),
        EventBody::QuestionAnswered { text } => format!("回复:{text}"),
        EventBody::Approved { remedy: r } => format!("同意:{}。", remedy(r)),
        EventBody::Rejected { rejection } => format!("拒绝,理由:{}。{}", rejection.reason.label(zh), rejection.text),
        EventBody::ReturnShipped { shipment } => {
            format!("寄回商品:{} 运单号 {}。", shipment.carrier, shipment.tracking_no)
        }
        EventBody::ReturnReceived => "确认收到退货。".into(),
        EventBody::ReturnDisputed { text } => format!("对退回商品状况提出异议:{text}"),
        EventBody::ReplacementShipped { shipment } => {
            format!("发出换货/补寄商品:{} 运单号 {}。", shipment.carrier, shipment.tracking_no)
        }
        EventBody::ReplacementConfirmed => "确认收到换货/补寄商品。".into(),
        EventBody::Escalated { text } => format!("申请平台介入。{text}"),
        EventBody::Taken { .. } => "平台受理并分配处理人员。".into(),
        EventBody::EvidenceRequested { request } => {
            format!("要求{}补充举证:{}", party_zh(request.party), request.what)
        }
        EventBody::EvidenceSubmitted { text, .. } => format!("举证说明:{text}"),
        EventBody::MediationProposed { remedy: r, note } => {
            format!("提出调解方案:{}。{note}", remedy(r))
        }
        EventBody::MediationAnswered { accepted, .. } => {
            format!("{}调解方案。", if *accepted { "接受" } else { "拒绝" })
        }
        EventBody::Decided { remedy: Some(r), rationale, cited_rule, .. } => {
            format!("裁决:{}。理由:{rationale}。依据:{cited_rule}", remedy(r))
        }
        EventBody::Decided { remedy: None, rationale, cited_rule, .. } => {
            format!("裁决驳回申请。理由:{rationale}。依据:{cited_rule}")
        }
        EventBody::AppealFiled { reason, .. } => format!("申诉:{reason}"),
        EventBody::AppealReviewed { uphold, rationale, .. } => {
            format!("复核{}原裁决。{rationale}", if *uphold { "维持" } else { "改变" })
        }
        EventBody::Rated { stars, comment } => format!("评价 {stars} 星。{comment}"),
        EventBody::RefundStarted { refund } => format!("发起退款 {}。", refund.amount),
        EventBody::RefundSucceeded { amount, .. } => format!("退款 {amount} 已到账。"),
        EventBody::RefundFailed { reason, .. } => format!("退款失败:{reason}"),
        EventBody::OfflineRefundProved { note, amount } => format!("线下退款 {amount}:{note}"),
        EventBody::TimedOut { what } => timed_out(*what, event.transition.as_ref()).into(),
        EventBody::SlaBreached { which } => format!("平台处理时限超期({which}),已上报。"),
        EventBody::DeadlineRecounted { clock, year, old_due, new_due } => format!(
            "{year} 年放假安排已导入,期限({clock})重新计算:{} → {}(北京时间)。",
            beijing(*old_due),
            beijing(*new_due)
        ),
        EventBody::EvidenceAdded { file } => format!(
            "提交证据文件:{}「{}」{},SHA-256 {}",
            file.kind.label_zh(),
            file.caption,
            if file.confidential { "(保密)" } else { "" },
            file.sha256
        ),
    }
}

pub use redress_text::beijing;

/// What the rules did when a deadline passed unanswered, not just that they did something.
fn timed_out(what: OnTimeout, transition: Option<&redress_domain::event::Transition>) -> String {
    let to_platform = transition.is_some_and(|t| t.to == CaseState::PlatformReview);
    match what {
        // Silence approves only what the price bounds; a larger claim goes to the platform.
        OnTimeout::AutoApprove if to_platform => "商家逾期未处理;申请金额超出商品价款,系统转平台介入审核。".into(),
        OnTimeout::AutoApprove => "商家逾期未处理,系统按规则自动同意买家的申请。".into(),
        OnTimeout::Close(outcome @ (Outcome::Exchanged | Outcome::Reissued | Outcome::Repaired)) => {
            format!("买家逾期未确认收货,视为已收到,售后单按规则关闭({})。", outcome.label(Lang::Zh))
        }
        OnTimeout::Close(Outcome::Cancelled) => "买家逾期未寄回商品,售后单按规则关闭(已取消)。".into(),
        OnTimeout::Close(outcome) => format!("买家逾期未操作,售后单按规则关闭({})。", outcome.label(Lang::Zh)),
        OnTimeout::AutoRefund => "商家逾期未确认收到退货,系统视为已收到并按方案继续处理。".into(),
        OnTimeout::EscalateToPlatform => "商家逾期未处理,系统按规则转平台介入。".into(),
        OnTimeout::BackToPlatformReview => "期限届满未获答复,案件退回平台审核。".into(),
        OnTimeout::RequireOfflineRefund => "支付渠道逾期未确认退款,系统要求商家线下退款并提交凭证。".into(),
        OnTimeout::FlagFirstActionSla | OnTimeout::FlagDecisionSla => "平台处理时限届满,已上报。".into(),
        OnTimeout::Overdue => "期限已过。".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use redress_domain::event::Transition;
    use redress_domain::{Actor, Stage};

    fn fired(what: OnTimeout, to: CaseState) -> Event {
        let transition = Transition { to, stage: Stage::Negotiation, deadline: None, outcome: None };
        Event {
            at: jiff::Timestamp::UNIX_EPOCH,
            actor: Actor::System,
            body: EventBody::TimedOut { what },
            transition: Some(transition),
        }
    }

    /// Issue 9: a timeout was told as "系统按规则自动处理", never what the rules did.
    #[test]
    fn a_timeout_says_what_happened() {
        let told = |what, to| describe(&fired(what, to));
        assert_eq!(told(OnTimeout::AutoApprove, CaseState::Refunding), "商家逾期未处理,系统按规则自动同意买家的申请。");
        assert!(told(OnTimeout::AutoApprove, CaseState::PlatformReview).contains("转平台介入"));
        assert_eq!(
            told(OnTimeout::Close(Outcome::Expired), CaseState::Closed),
            "买家逾期未操作,售后单按规则关闭(已超时关闭)。"
        );
        assert!(told(OnTimeout::Close(Outcome::Reissued), CaseState::Closed).contains("视为已收到"));
        assert!(told(OnTimeout::EscalateToPlatform, CaseState::PlatformReview).contains("转平台介入"));
        for what in [OnTimeout::AutoRefund, OnTimeout::BackToPlatformReview, OnTimeout::RequireOfflineRefund] {
            assert!(!told(what, CaseState::PlatformReview).contains("自动处理"), "{what:?}");
        }
    }
}
