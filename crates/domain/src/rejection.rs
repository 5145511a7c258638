//! Why a command is refused. Each code is stable (clients match on it) and has a message in
//! zh-CN and English; `detail` adds the specifics of this refusal.

use serde::{Deserialize, Serialize};

/// The language of a message: Simplified Chinese first, English second.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema, Deserialize)]
pub enum Lang {
    #[serde(rename = "zh-CN")]
    Zh,
    #[serde(rename = "en")]
    En,
}

impl Lang {
    /// Picks the language from an `Accept-Language` header: English only when it is preferred
    /// over Chinese, zh-CN otherwise.
    pub fn from_accept_language(header: Option<&str>) -> Lang {
        let Some(header) = header else {
            return Lang::Zh;
        };
        // The known language with the highest q-value; on a tie, the one listed first.
        let mut best: Option<(Lang, f32)> = None;
        for range in header.split(',') {
            let mut parts = range.split(';');
            let tag = parts.next().unwrap_or("").trim().to_ascii_lowercase();
            let q = parts
                .filter_map(|p| p.trim().strip_prefix("q="))
                .find_map(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            let lang = if tag.starts_with("zh") {
                Lang::Zh
            } else if tag.starts_with("en") {
                Lang::En
            } else {
                continue;
            };
            if q > 0.0 && best.is_none_or(|(_, b)| q > b) {
                best = Some((lang, q));
            }
        }
        best.map_or(Lang::Zh, |(lang, _)| lang)
    }
}

macro_rules! rejection_codes {
    ($($variant:ident = $code:literal, $zh:literal, $en:literal;)+) => {
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, utoipa::ToSchema, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum RejectionCode { $($variant,)+ }

        impl RejectionCode {
            pub fn as_str(self) -> &'static str {
                match self { $(RejectionCode::$variant => $code,)+ }
            }

            pub fn message(self, lang: Lang) -> &'static str {
                match (self, lang) {
                    $((RejectionCode::$variant, Lang::Zh) => $zh, (RejectionCode::$variant, Lang::En) => $en,)+
                }
            }
        }
    };
}

rejection_codes! {
    NotAllowedInState = "not_allowed_in_state", "当前售后状态下不能进行此操作", "This action is not allowed in the case's current state";
    NotYourTurn = "not_your_turn", "您不是此操作的当事方", "You are not the party who may take this action";
    CaseClosed = "case_closed", "售后单已关闭,只能通过申诉变更", "The case is closed; only an appeal can change it";
    InvalidInput = "invalid_input", "提交的内容不符合要求", "The request is not valid";
    AmountNotPositive = "amount_not_positive", "金额必须大于零", "The amount must be greater than zero";
    AmountExceedsRefundable = "amount_exceeds_refundable", "金额超过订单可退金额", "The amount exceeds what is still refundable on the order";
    ItemsNotInOrder = "items_not_in_order", "所选商品不在该订单中", "The items are not part of the order";
    ItemsHaveOpenCase = "items_have_open_case", "所选商品已有进行中的售后单", "There is already an open case on these items";
    MaxApplicationsReached = "max_applications_reached", "该商品的售后申请次数已达上限", "The limit of applications for this item has been reached";
    NotYourOrder = "not_your_order", "这不是您的订单", "This order is not yours";
    OrderNotPaid = "order_not_paid", "订单尚未付款", "The order has not been paid";
    MaxOffersReached = "max_offers_reached", "协商方案次数已达上限,只能同意或拒绝", "The maximum number of offers has been made; only approve or reject remain";
    EscalationTooEarly = "escalation_too_early", "协商期未满,暂不能申请平台介入", "The negotiation period has not passed yet; the platform cannot be asked to step in";
    NoDecisionToAppeal = "no_decision_to_appeal", "该售后单没有可申诉的平台裁决", "There is no platform decision to appeal";
    AppealWindowClosed = "appeal_window_closed", "申诉期限已过", "The appeal window has closed";
    AlreadyAppealed = "already_appealed", "您已申诉过一次", "You have already appealed once";
    OwnDecision = "own_decision", "不能复核自己作出的裁决", "An agent never reviews an appeal of their own decision";
    NotAssigned = "not_assigned", "该售后单未分配给您", "The case is not assigned to you";
    AlreadyRated = "already_rated", "您已评价过", "You have already rated this case";
    NoPendingOffer = "no_pending_offer", "没有待确认的方案", "There is no pending offer";
    NoPendingQuestion = "no_pending_question", "没有待回答的问题", "There is no pending question";
    NotNamedForEvidence = "not_named_for_evidence", "平台未要求您补充举证", "The platform has not asked you for evidence";
    AlreadyAnsweredMediation = "already_answered_mediation", "您已答复过调解方案", "You have already answered the mediation proposal";
    NotDue = "not_due", "期限尚未到达", "The deadline has not passed yet";
    NoReasonWindowClosed = "no_reason_window_closed", "七日无理由退货期已届满(《消费者权益保护法》第二十五条)", "The 7-day no-reason return period has ended (Consumer Rights Protection Law, Art. 25)";
    NoReasonExcludedItem = "no_reason_excluded_item", "该商品不适用七日无理由退货(《消费者权益保护法》第二十五条)", "This item is excluded from 7-day no-reason returns (Consumer Rights Protection Law, Art. 25)";
    NotSignedFor = "not_signed_for", "商品尚未签收,七日无理由退货期尚未开始", "The goods have not been signed for; the no-reason period has not started";
    CalendarNotCovered = "calendar_not_covered", "工作日历未覆盖该年份,无法计算工作日期限", "The business calendar does not cover that year; a working-day deadline cannot be computed";
}

/// A refused command: a stable code plus what exactly was wrong.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema, Deserialize, thiserror::Error)]
#[error("{}{}", code.as_str(), detail.as_deref().map(|d| format!(": {d}")).unwrap_or_default())]
pub struct Rejection {
    pub code: RejectionCode,
    pub detail: Option<String>,
    /// The specifics in both languages, where the rule that refused has its own wording.
    pub explanation: Option<Explanation>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema, Deserialize)]
pub struct Explanation {
    pub zh: String,
    pub en: String,
}

impl Rejection {
    pub fn new(code: RejectionCode) -> Rejection {
        Rejection { code, detail: None, explanation: None }
    }

    pub fn with(code: RejectionCode, detail: impl Into<String>) -> Rejection {
        Rejection { code, detail: Some(detail.into()), explanation: None }
    }

    /// The detail for a reader of `lang`.
    pub fn detail_in(&self, lang: Lang) -> Option<String> {
        match (&self.explanation, lang) {
            (Some(e), Lang::Zh) => Some(e.zh.clone()),
            (Some(e), Lang::En) => Some(e.en.clone()),
            (None, _) => self.detail.clone(),
        }
    }

    pub fn invalid(detail: impl Into<String>) -> Rejection {
        Rejection::with(RejectionCode::InvalidInput, detail)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_prefers_first_known() {
        assert_eq!(Lang::from_accept_language(None), Lang::Zh);
        assert_eq!(Lang::from_accept_language(Some("en-US,en;q=0.9")), Lang::En);
        assert_eq!(Lang::from_accept_language(Some("zh-CN,zh;q=0.9,en;q=0.8")), Lang::Zh);
        assert_eq!(Lang::from_accept_language(Some("fr, en;q=0.5")), Lang::En);
        assert_eq!(Lang::from_accept_language(Some("zh;q=0.5,en;q=0.9")), Lang::En);
        assert_eq!(Lang::from_accept_language(Some("en;q=0,zh")), Lang::Zh);
    }
}
