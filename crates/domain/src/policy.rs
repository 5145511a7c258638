//! Platform policy: every deadline and limit of the lifecycle. Policy is versioned (电子商务法
//! 第三十四条: a change is published at least 7 days before it takes effect) and a case keeps
//! the version it was filed under.

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

/// Natural-time durations are in hours; platform SLAs are in working days.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Policy {
    pub merchant_response_hours: i64,
    pub buyer_response_hours: i64,
    pub rejected_escalation_hours: i64,
    pub return_shipment_hours: i64,
    pub return_receipt_hours: i64,
    pub merchant_shipment_hours: i64,
    pub replacement_receipt_hours: i64,
    pub evidence_hours: i64,
    pub mediation_hours: i64,
    pub refund_confirmation_hours: i64,
    pub offline_refund_proof_hours: i64,
    pub appeal_window_hours: i64,
    pub first_action_sla_working_days: u32,
    pub decision_sla_working_days: u32,
    pub negotiation_min_working_days: u32,
    pub max_offers: u32,
    pub max_applications_per_item: u32,
    /// Hours before a natural-time deadline at which the waiting party is reminded.
    pub reminder_hours: Vec<i64>,
    /// Orders a shop must have had in the period before its public reputation shows figures
    /// (fewer would let one buyer's case swing a rate).
    pub reputation_min_orders: u32,
    /// Rehearsals only (training, a staging walk-through, the end-to-end tests): how many
    /// seconds one policy hour of a natural-time deadline lasts, so a whole case runs in
    /// minutes. Absent in production (an hour is 3600 s). Working-day SLAs are not scaled.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rehearsal_hour_seconds: Option<u32>,
}

impl Default for Policy {
    fn default() -> Policy {
        Policy {
            merchant_response_hours: 48,
            buyer_response_hours: 7 * 24,
            rejected_escalation_hours: 7 * 24,
            return_shipment_hours: 7 * 24,
            return_receipt_hours: 10 * 24,
            merchant_shipment_hours: 3 * 24,
            replacement_receipt_hours: 10 * 24,
            evidence_hours: 3 * 24,
            mediation_hours: 3 * 24,
            refund_confirmation_hours: 24,
            offline_refund_proof_hours: 48,
            appeal_window_hours: 7 * 24,
            first_action_sla_working_days: 3,
            decision_sla_working_days: 15,
            negotiation_min_working_days: 3,
            max_offers: 3,
            max_applications_per_item: 5,
            reminder_hours: vec![24, 2],
            reputation_min_orders: 30,
            rehearsal_hour_seconds: None,
        }
    }
}

/// A year: the longest any deadline of the policy may be.
pub const MAX_HOURS: i64 = 365 * 24;
pub const MAX_WORKING_DAYS: u32 = 365;

/// The minimum notice between publishing a policy version and its taking effect.
pub const MIN_NOTICE: SignedDuration = SignedDuration::from_hours(7 * 24);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    #[error("a policy takes effect no sooner than 7 days after it is published (电子商务法第三十四条)")]
    NoticeTooShort,
    #[error("policy value `{0}` is out of range (hours 1 to 8760, working days up to 365)")]
    OutOfRange(&'static str),
}

impl Policy {
    pub fn hours(h: i64) -> SignedDuration {
        SignedDuration::from_hours(h)
    }

    /// `h` policy hours of natural time (shorter only in a rehearsal policy).
    pub fn duration(&self, h: i64) -> SignedDuration {
        match self.rehearsal_hour_seconds {
            Some(seconds) => SignedDuration::from_secs(h.saturating_mul(i64::from(seconds))),
            None => Policy::hours(h),
        }
    }

    pub fn validate(&self) -> Result<(), PolicyError> {
        let hours = [
            ("merchant_response_hours", self.merchant_response_hours),
            ("buyer_response_hours", self.buyer_response_hours),
            ("rejected_escalation_hours", self.rejected_escalation_hours),
            ("return_shipment_hours", self.return_shipment_hours),
            ("return_receipt_hours", self.return_receipt_hours),
            ("merchant_shipment_hours", self.merchant_shipment_hours),
            ("replacement_receipt_hours", self.replacement_receipt_hours),
            ("evidence_hours", self.evidence_hours),
            ("mediation_hours", self.mediation_hours),
            ("refund_confirmation_hours", self.refund_confirmation_hours),
            ("offline_refund_proof_hours", self.offline_refund_proof_hours),
            ("appeal_window_hours", self.appeal_window_hours),
        ];
        for (name, value) in hours {
            if !(1..=MAX_HOURS).contains(&value) {
                return Err(PolicyError::OutOfRange(name));
            }
        }
        let days = [
            ("first_action_sla_working_days", self.first_action_sla_working_days),
            ("decision_sla_working_days", self.decision_sla_working_days),
            ("negotiation_min_working_days", self.negotiation_min_working_days),
        ];
        for (name, value) in days {
            if value > MAX_WORKING_DAYS || (value == 0 && name != "negotiation_min_working_days") {
                return Err(PolicyError::OutOfRange(name));
            }
        }
        if !(1..=1_000_000).contains(&self.reputation_min_orders) {
            return Err(PolicyError::OutOfRange("reputation_min_orders"));
        }
        if !(1..=20).contains(&self.max_offers) || !(1..=100).contains(&self.max_applications_per_item) {
            return Err(PolicyError::OutOfRange("max_offers / max_applications_per_item"));
        }
        if self.rehearsal_hour_seconds.is_some_and(|s| !(1..=3600).contains(&s)) {
            return Err(PolicyError::OutOfRange("rehearsal_hour_seconds"));
        }
        if self.reminder_hours.len() > 5 || self.reminder_hours.iter().any(|h| !(1..=MAX_HOURS).contains(h)) {
            return Err(PolicyError::OutOfRange("reminder_hours"));
        }
        Ok(())
    }

    /// Checks a new version's schedule: effective at least 7 days after publication.
    pub fn check_schedule(published_at: Timestamp, effective_at: Timestamp) -> Result<(), PolicyError> {
        if effective_at.duration_since(published_at) < MIN_NOTICE {
            return Err(PolicyError::NoticeTooShort);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_match_design() {
        let p = Policy::default();
        p.validate().unwrap();
        assert_eq!(p.merchant_response_hours, 48);
        assert_eq!(p.max_offers, 3);
    }

    #[test]
    fn notice_must_be_seven_days() {
        let t: Timestamp = "2026-01-01T00:00:00Z".parse().unwrap();
        let six = t.checked_add(SignedDuration::from_hours(6 * 24)).unwrap();
        let seven = t.checked_add(SignedDuration::from_hours(7 * 24)).unwrap();
        assert_eq!(Policy::check_schedule(t, six), Err(PolicyError::NoticeTooShort));
        assert_eq!(Policy::check_schedule(t, seven), Ok(()));
    }
}
