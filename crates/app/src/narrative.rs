//! Events told in one Chinese line each, for the documents a case produces (the dossier, the
//! 12315 complaint): one wording, wherever a case is retold.

use redress_domain::event::EventBody;
use redress_domain::rejection::Lang;
use redress_domain::{Actor, Event, Party};

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
        EventBody::TimedOut { .. } => "处理期限届满,系统按规则自动处理。".into(),
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

/// Beijing time, as the narrative prints it.
pub fn beijing(at: jiff::Timestamp) -> String {
    at.to_zoned(jiff::tz::TimeZone::fixed(jiff::tz::offset(8))).strftime("%Y-%m-%d %H:%M").to_string()
}
