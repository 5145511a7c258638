//! The canonical vocabulary of a case: what the buyer asks for ([`RequestKind`]), why
//! ([`Reason`]) and what evidence they attach ([`EvidenceKind`]).
//!
//! These names are stable API and storage keys (snake_case); the rest of the workspace uses these
//! definitions rather than its own copies, so a label or a name changes in one place.

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
            $( $(#[$vmeta:meta])* $variant:ident => $key:literal, $zh:literal, $en:literal; )+
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

            pub const fn label_zh(self) -> &'static str {
                match self { $($name::$variant => $zh,)+ }
            }

            pub const fn label_en(self) -> &'static str {
                match self { $($name::$variant => $en,)+ }
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
        RefundOnly => "refund_only", "仅退款", "Refund only";
        ReturnRefund => "return_refund", "退货退款", "Return and refund";
        Exchange => "exchange", "换货", "Exchange";
        Reissue => "reissue", "补寄", "Reissue";
        Repair => "repair", "维修", "Repair";
        PriceDifference => "price_difference", "补差价", "Price difference";
        Compensation => "compensation", "赔偿", "Compensation";
    }
}

vocabulary! {
    /// Why the buyer asks (售后原因).
    Reason, "reason" {
        NotAsDescribed => "not_as_described", "与描述不符", "Not as described";
        QualityDefect => "quality_defect", "质量问题", "Quality defect";
        Counterfeit => "counterfeit", "假冒伪劣", "Counterfeit";
        WrongOrMissingItem => "wrong_or_missing_item", "错发漏发", "Wrong or missing item";
        NotDelivered => "not_delivered", "未收到货", "Not delivered";
        LateShipment => "late_shipment", "逾期未发货", "Late shipment";
        DamagedInTransit => "damaged_in_transit", "物流损坏", "Damaged in transit";
        FalseAdvertising => "false_advertising", "虚假宣传", "False advertising";
        ServiceNotFulfilled => "service_not_fulfilled", "服务未履行", "Service not fulfilled";
        NoReason7Day => "no_reason_7_day", "七天无理由", "7-day no-reason return";
        Other => "other", "其他", "Other";
    }
}

vocabulary! {
    /// What kind of evidence a file is (证据类型).
    EvidenceKind, "evidence kind" {
        Photo => "photo", "照片", "Photo";
        Video => "video", "视频", "Video";
        ChatRecord => "chat_record", "聊天记录", "Chat record";
        ProductPage => "product_page", "商品详情页截图", "Product page";
        OrderRecord => "order_record", "订单记录", "Order record";
        PaymentRecord => "payment_record", "支付凭证", "Payment record";
        LogisticsRecord => "logistics_record", "物流记录", "Logistics record";
        Invoice => "invoice", "发票", "Invoice";
        InspectionReport => "inspection_report", "检测报告", "Inspection report";
        MedicalRecord => "medical_record", "医疗记录", "Medical record";
        Other => "other", "其他", "Other";
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
