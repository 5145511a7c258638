//! The canonical vocabulary of a case: what the buyer asks for ([`RequestKind`]), why
//! ([`Reason`]) and what evidence they attach ([`EvidenceKind`]).
//!
//! These names are stable API and storage keys (snake_case); the rest of the workspace uses these
//! definitions rather than its own copies. Their labels, in zh-CN and English, are the text
//! catalogue's (`request-kind-*`, `reason-*`, `evidence-kind-*` in `redress-text`): this crate
//! holds no words.

use std::fmt;
use std::str::FromStr;

/// A name that is not one of a vocabulary's snake_case keys.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {vocabulary}: {value:?}")]
pub struct UnknownTerm {
    pub vocabulary: &'static str,
    pub value: String,
}

macro_rules! vocabulary {
    (
        $(#[$meta:meta])*
        $name:ident, $vocab:literal {
            $( $(#[$vmeta:meta])* $variant:ident => $key:literal; )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[derive(serde::Serialize, serde::Deserialize)]
        pub enum $name {
            // Renamed from the key itself so serde and `as_str` can never disagree
            // (serde's own snake_case would turn `NoReason7Day` into `no_reason7_day`).
            $( $(#[$vmeta])* #[serde(rename = $key)] $variant, )+
        }

        // The schema lists the canonical names by hand: the derive does not see a `rename` whose
        // value comes from a macro argument, and would list the Rust names.
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::schema::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .enum_values(Some([$($key),+]))
                    .into()
            }
        }

        impl utoipa::ToSchema for $name {
            fn name() -> std::borrow::Cow<'static, str> {
                std::borrow::Cow::Borrowed(stringify!($name))
            }
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stable snake_case key (API, storage, UI message keys).
            pub const fn as_str(self) -> &'static str {
                match self { $($name::$variant => $key,)+ }
            }

        }

        impl FromStr for $name {
            type Err = UnknownTerm;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($key => Ok($name::$variant),)+
                    _ => Err(UnknownTerm { vocabulary: $vocab, value: s.to_owned() }),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

vocabulary! {
    /// What the buyer asks the merchant to do (售后类型).
    RequestKind, "request kind" {
        RefundOnly => "refund_only";
        ReturnRefund => "return_refund";
        Exchange => "exchange";
        Reissue => "reissue";
        Repair => "repair";
        PriceDifference => "price_difference";
        Compensation => "compensation";
    }
}

vocabulary! {
    /// Why the buyer asks (售后原因).
    Reason, "reason" {
        NotAsDescribed => "not_as_described";
        QualityDefect => "quality_defect";
        Counterfeit => "counterfeit";
        WrongOrMissingItem => "wrong_or_missing_item";
        NotDelivered => "not_delivered";
        LateShipment => "late_shipment";
        DamagedInTransit => "damaged_in_transit";
        FalseAdvertising => "false_advertising";
        ServiceNotFulfilled => "service_not_fulfilled";
        NoReason7Day => "no_reason_7_day";
        Other => "other";
    }
}

vocabulary! {
    /// What kind of evidence a file is (证据类型).
    EvidenceKind, "evidence kind" {
        Photo => "photo";
        Video => "video";
        ChatRecord => "chat_record";
        ProductPage => "product_page";
        OrderRecord => "order_record";
        PaymentRecord => "payment_record";
        LogisticsRecord => "logistics_record";
        Invoice => "invoice";
        InspectionReport => "inspection_report";
        MedicalRecord => "medical_record";
        Other => "other";
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_through_str_and_serde() {
        for k in RequestKind::ALL {
            assert_eq!(k.as_str().parse::<RequestKind>().unwrap(), *k);
            assert_eq!(serde_json::to_string(k).unwrap(), format!("\"{}\"", k.as_str()));
        }
        for r in Reason::ALL {
            assert_eq!(r.as_str().parse::<Reason>().unwrap(), *r);
            assert_eq!(serde_json::to_string(r).unwrap(), format!("\"{}\"", r.as_str()));
        }
        for e in EvidenceKind::ALL {
            assert_eq!(e.as_str().parse::<EvidenceKind>().unwrap(), *e);
            assert_eq!(serde_json::to_string(e).unwrap(), format!("\"{}\"", e.as_str()));
        }
        assert_eq!(Reason::ALL.len(), 11);
        assert_eq!(RequestKind::ALL.len(), 7);
        assert_eq!(EvidenceKind::ALL.len(), 11);
    }

    #[test]
    fn unknown_names_are_refused() {
        let err = "refund".parse::<RequestKind>().unwrap_err();
        assert_eq!(err.vocabulary, "request kind");
        assert!("NoReason7Day".parse::<Reason>().is_err());
    }
}
