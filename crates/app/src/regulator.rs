//! The complaint a buyer takes to the market regulator (12315), with every field
//! 市场监督管理投诉举报处理暂行办法 requires, and the complaint form of seed 002 filled in, both
//! generated from the case itself.

use crate::error::AppError;
use crate::narrative::{beijing, describe, who};
use crate::{App, Principal, Role};
use askama::Template;
use jiff::Timestamp;
use redress_domain::Detail;
use redress_domain::Party as Side;
use redress_domain::event::EventBody;
use redress_domain::evidence::visible_to;
use redress_domain::order::{Merchant, Order};
use redress_domain::{Case, CaseId, Event, Money};
use redress_text::{Label, Lang};
use serde::Serialize;

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = ComplaintParty)]
pub struct Party {
    pub name: String,
    pub phone: Option<String>,
    pub address: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Respondent {
    pub name: String,
    pub address: String,
    /// 统一社会信用代码, checked against its check character.
    pub credit_code: String,
    pub phone: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Fact {
    pub at: Timestamp,
    /// Beijing time, as the complaint prints it.
    pub at_local: String,
    pub text: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct EvidenceEntry {
    pub number: usize,
    pub description: String,
    pub submitted_by: String,
    pub at_local: String,
}

/// The regulator complaint: complainant, respondent, demand, facts in time order, evidence.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RegulatorComplaint {
    pub case_id: CaseId,
    pub generated_at: Timestamp,
    /// Beijing time, as the complaint prints it.
    pub generated_at_local: String,
    pub complainant: Party,
    pub respondent: Respondent,
    pub order_number: String,
    pub platform_channel: String,
    pub payment_transaction_id: Option<String>,
    pub products: Vec<String>,
    pub amount_paid: String,
    pub demand: String,
    pub facts: Vec<Fact>,
    pub evidence: Vec<EvidenceEntry>,
    /// Required fields the platform does not know (the buyer completes them before filing).
    pub missing: Vec<&'static str>,
}

/// The complaint form template of seed 002 (微信小程序订单投诉表格), filled in.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ComplaintForm {
    pub order_number: String,
    pub purchase_date: String,
    pub product: String,
    pub problem: String,
    pub evidence: Vec<String>,
    pub contact_name: String,
    pub contact_phone: String,
    pub email: String,
    pub demand: String,
}

#[derive(Template)]
#[template(path = "complaint_12315.html")]
struct ComplaintPage<'a> {
    complaint: &'a RegulatorComplaint,
    form: &'a ComplaintForm,
}

/// One line of the facts, or `None` for bookkeeping and for what the buyer may not cite (the
/// complaint is the buyer's: the merchant's confidential files are not theirs to cite).
fn fact_of(event: &Event) -> Option<String> {
    match &event.body {
        EventBody::Taken { .. }
        | EventBody::Rated { .. }
        | EventBody::RefundStarted { .. }
        | EventBody::SlaBreached { .. }
        | EventBody::DeadlineRecounted { .. } => None,
        EventBody::EvidenceAdded { file } if !visible_to(Side::Buyer, event.actor.party(), file.confidential) => None,
        _ => Some(format!("{}{}", who(&event.actor, Lang::Zh), describe(event))),
    }
}

/// A file in the evidence list, named with the start of its SHA-256 so the copy handed in can
/// be checked.
fn file_line(file: &redress_domain::evidence::EvidenceFile) -> String {
    let caption = match file.caption.as_str() {
        "" => String::new(),
        caption => told("complaint-evidence-caption", &[("caption", caption.to_owned())]),
    };
    told(
        "complaint-evidence-file",
        &[
            ("kind", file.kind.label(Lang::Zh)),
            ("caption", caption),
            ("media_type", file.media_type.clone()),
            ("hash", file.sha256[..12].to_owned()),
        ],
    )
}

/// An item of the order as the complaint and the dossier list it: title, quantity, unit price.
pub fn product_line(title: &str, quantity: u32, unit_price: Money) -> String {
    let args =
        [("title", title.to_owned()), ("quantity", quantity.to_string()), ("unit_price", unit_price.to_string())];
    told("complaint-product", &args)
}

fn told(key: &str, pairs: &[(&'static str, String)]) -> String {
    let args: redress_text::Args = pairs
        .iter()
        .map(|(name, value)| ((*name).into(), redress_text::fluent::FluentValue::from(value.clone())))
        .collect();
    redress_text::text_with(Lang::Zh, key, &args)
}

/// What the complaint demands: what the buyer asked for while the dispute is open or was
/// refused; once the platform settled it, only what remains in dispute (the rest of a partial
/// refund), or that nothing does.
pub fn demand(case: &Case) -> String {
    use redress_domain::Outcome::*;
    let asked = || {
        if case.amount.is_positive() {
            told("complaint-demand-asked", &[("kind", case.kind.label(Lang::Zh)), ("amount", case.amount.to_string())])
        } else {
            case.kind.label(Lang::Zh)
        }
    };
    let settled = case.state == redress_domain::CaseState::Closed
        && matches!(case.outcome, Some(Refunded | PartiallyRefunded | Exchanged | Reissued | Repaired | Compensated));
    if !settled {
        return asked();
    }
    let refunded = case.refunded_total.fen().saturating_add(case.compensated_total.fen());
    let remaining = case.amount.fen().saturating_sub(refunded);
    let paid = Money::from_fen(refunded).to_string();
    if case.outcome == Some(PartiallyRefunded) && remaining > 0 {
        told("complaint-demand-remaining", &[("refunded", paid), ("remaining", Money::from_fen(remaining).to_string())])
    } else {
        let outcome = case.outcome.map(|o| o.label(Lang::Zh)).unwrap_or_default();
        told("complaint-demand-settled", &[("outcome", outcome), ("refunded", paid)])
    }
}

/// Builds the complaint; refuses a respondent whose 统一社会信用代码 fails its check character.
/// `negotiation` is the order's conversation before the filing: the contact with the merchant
/// the regulator asks about, with the files sent in it.
pub fn build(
    case: &Case,
    events: &[Event],
    negotiation: &[redress_domain::conversation::Message],
    order: &Order,
    merchant: &Merchant,
    buyer: &crate::ports::User,
    now: Timestamp,
) -> Result<(RegulatorComplaint, ComplaintForm), AppError> {
    let credit_code = redress_law::Uscc::parse(&merchant.credit_code).map_err(|e| {
        AppError::Invalid(Detail::MerchantCreditCode { code: merchant.credit_code.clone(), error: e.code().into() })
    })?;
    let order_facts = [
        (order.paid_at, "complaint-fact-paid"),
        (order.shipped_at, "complaint-fact-shipped"),
        (order.signed_at, "complaint-fact-signed"),
    ];
    let mut facts: Vec<Fact> = order_facts
        .into_iter()
        .filter_map(|(at, key)| {
            at.map(|at| Fact { at, at_local: beijing(at), text: told(key, &[("order", order.number.clone())]) })
        })
        .collect();
    facts.extend(negotiation.iter().map(|m| Fact {
        at: m.at,
        at_local: beijing(m.at),
        text: told(
            "complaint-fact-message",
            &[("who", who(&m.author, Lang::Zh)), ("text", crate::conversations::narrate(m, Lang::Zh))],
        ),
    }));
    facts.extend(events.iter().filter_map(|e| fact_of(e).map(|text| Fact { at: e.at, at_local: beijing(e.at), text })));
    facts.sort_by_key(|f| f.at);
    // The files of the negotiation first (they came before the case), then the case's.
    let sent: Vec<(&redress_domain::Actor, Timestamp, String)> = negotiation
        .iter()
        .flat_map(|m| m.files.iter().map(move |f| (m, f)))
        .map(|(m, f)| (&m.author, m.at, file_line(f)))
        .collect();
    let evidence: Vec<EvidenceEntry> = sent
        .into_iter()
        .chain(events.iter().filter_map(|e| match &e.body {
            EventBody::EvidenceSubmitted { text, .. } => Some((&e.actor, e.at, text.clone())),
            // Files, each named with the start of its SHA-256 so the copy handed in can be checked.
            EventBody::EvidenceAdded { file } if visible_to(Side::Buyer, e.actor.party(), file.confidential) => {
                Some((&e.actor, e.at, file_line(file)))
            }
            _ => None,
        }))
        .enumerate()
        .map(|(i, (actor, at, text))| EvidenceEntry {
            number: i + 1,
            description: text,
            submitted_by: who(actor, Lang::Zh),
            at_local: beijing(at),
        })
        .collect();
    let demand = demand(case);
    let products: Vec<String> = case
        .items
        .iter()
        .filter_map(|r| order.item(&r.sku).map(|i| product_line(&i.title, r.quantity, i.unit_price)))
        .collect();
    let mut missing = Vec::new();
    if buyer.phone.is_none() {
        missing.push("complainant.phone");
    }
    if buyer.address.is_none() {
        missing.push("complainant.address");
    }
    let complaint = RegulatorComplaint {
        case_id: case.id,
        generated_at: now,
        generated_at_local: beijing(now),
        complainant: Party {
            name: buyer.display_name.clone(),
            phone: buyer.phone.clone(),
            address: buyer.address.clone(),
        },
        respondent: Respondent {
            name: merchant.name.clone(),
            address: merchant.address.clone(),
            credit_code: credit_code.as_str().to_owned(),
            phone: merchant.phone.clone(),
        },
        order_number: order.number.clone(),
        platform_channel: order.channel.label(Lang::Zh).to_owned(),
        payment_transaction_id: order.payment_transaction_id.clone(),
        amount_paid: Money::to_string(&order.amount_paid),
        products: products.clone(),
        demand: demand.clone(),
        facts,
        evidence,
        missing,
    };
    let form = ComplaintForm {
        order_number: order.number.clone(),
        purchase_date: order.paid_at.map(|t| beijing(t)[..10].to_owned()).unwrap_or_default(),
        product: products.join(";"),
        problem: format!("{}:{}", case.reason.label(Lang::Zh), case.description),
        evidence: complaint.evidence.iter().map(|e| e.description.clone()).collect(),
        contact_name: buyer.display_name.clone(),
        contact_phone: buyer.phone.clone().unwrap_or_default(),
        email: buyer.email.clone().unwrap_or_default(),
        demand,
    };
    Ok((complaint, form))
}

impl App {
    /// Who may read a case's 12315 complaint: the buyer's document, which the platform reads
    /// too; never the merchant it complains about. The pages offer the link by the same rule.
    pub fn may_read_regulator_complaint(principal: &Principal) -> Result<(), AppError> {
        if principal.role() == Role::Merchant {
            return Err(AppError::Forbidden(Detail::OnlyRoles { roles: "buyer".into() }));
        }
        Ok(())
    }

    /// The 12315 complaint of a case, for its buyer (and the platform).
    pub async fn regulator_complaint(
        &self,
        principal: &Principal,
        case_id: CaseId,
    ) -> Result<(RegulatorComplaint, ComplaintForm), AppError> {
        let record = self.store.case(case_id).await?.ok_or(AppError::NotFound)?;
        if !principal.can_see_case(&record.case) {
            return Err(AppError::NotFound);
        }
        Self::may_read_regulator_complaint(principal)?;
        let case = record.case;
        let order = self.store.order(case.order_id).await?.ok_or(AppError::NotFound)?;
        let merchant = self.store.merchant(case.merchant_id).await?.ok_or(AppError::NotFound)?;
        let buyer = self.store.user(case.buyer_id).await?.ok_or(AppError::NotFound)?;
        let events: Vec<Event> = self.store.events(case_id).await?.into_iter().map(|e| e.event).collect();
        let negotiation: Vec<_> = self.negotiation_record(&case).await?.into_iter().map(|m| m.message).collect();
        build(&case, &events, &negotiation, &order, &merchant, &buyer, self.clock.now())
    }
}

/// The printable page: the regulator complaint and the filled-in form.
pub fn render_html(complaint: &RegulatorComplaint, form: &ComplaintForm) -> Result<String, AppError> {
    ComplaintPage { complaint, form }.render().map_err(|e| AppError::Internal(e.into()))
}
