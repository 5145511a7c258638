//! The closed vocabularies of the domain, each with its canonical snake_case name (used in code,
//! API, database and UI keys) and its zh-CN and English labels.

/// Declares an enum whose variants have a canonical name and two labels.
macro_rules! vocabulary {
    ($(#[$doc:meta])* $name:ident { $($variant:ident = $key:literal, $zh:literal, $en:literal;)+ }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        pub enum $name { $(#[serde(rename = $key)] $variant,)+ }

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
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $key,)+ }
            }

            pub fn label(self, lang: $crate::rejection::Lang) -> &'static str {
                match (self, lang) {
                    $(($name::$variant, $crate::rejection::Lang::Zh) => $zh, ($name::$variant, $crate::rejection::Lang::En) => $en,)+
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::vocabulary::UnknownName;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($key => Ok($name::$variant),)+
                    _ => Err($crate::vocabulary::UnknownName { vocabulary: stringify!($name), name: s.to_owned() }),
                }
            }
        }
    };
}
pub(crate) use vocabulary;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {vocabulary} `{name}`")]
pub struct UnknownName {
    pub vocabulary: &'static str,
    pub name: String,
}

/// What the buyer asks for and why: defined once, in the consumer-law crate.
pub use redress_law::{EvidenceKind, Reason, RequestKind};

vocabulary!(
    /// Why a merchant rejects a request.
    RejectReason {
        UsedOrDamagedByBuyer = "used_or_damaged_by_buyer", "商品已使用或被买家损坏", "Used or damaged by the buyer";
        OutsideReturnWindow = "outside_return_window", "已超出退换期限", "Outside the return window";
        ExcludedCategory = "excluded_category", "该类商品不支持退换", "Excluded category";
        EvidenceInsufficient = "evidence_insufficient", "证据不足", "Evidence insufficient";
        AlreadyResolvedOffline = "already_resolved_offline", "已线下协商解决", "Already resolved offline";
        Other = "other", "其他", "Other";
    }
);

vocabulary!(
    /// Where the order was placed.
    SalesChannel {
        ChannelsShop = "channels_shop", "视频号小店", "WeChat Channels shop";
        MiniProgram = "mini_program", "小程序", "Mini program";
        Web = "web", "网站", "Web";
        App = "app", "App", "App";
        Other = "other", "其他", "Other";
    }
);

vocabulary!(
    /// What is done to resolve a case: the executable part of an approval, offer, mediation or
    /// decision.
    RemedyKind {
        Refund = "refund", "退款", "Refund";
        ReturnAndRefund = "return_and_refund", "退货退款", "Return and refund";
        Exchange = "exchange", "换货", "Exchange";
        Reissue = "reissue", "补寄", "Reissue";
        Repair = "repair", "维修", "Repair";
        Compensation = "compensation", "赔偿", "Compensation";
    }
);

impl RemedyKind {
    /// The remedy that approving a request "as requested" executes.
    pub fn requested(kind: RequestKind) -> RemedyKind {
        match kind {
            RequestKind::RefundOnly | RequestKind::PriceDifference => RemedyKind::Refund,
            RequestKind::ReturnRefund => RemedyKind::ReturnAndRefund,
            RequestKind::Exchange => RemedyKind::Exchange,
            RequestKind::Reissue => RemedyKind::Reissue,
            RequestKind::Repair => RemedyKind::Repair,
            RequestKind::Compensation => RemedyKind::Compensation,
        }
    }

    /// Remedies that pay money to the buyer (and so must carry a positive amount).
    pub fn pays_money(self) -> bool {
        matches!(self, RemedyKind::Refund | RemedyKind::ReturnAndRefund | RemedyKind::Compensation)
    }

    /// Remedies that need the goods sent back to the merchant first.
    pub fn needs_return(self) -> bool {
        matches!(self, RemedyKind::ReturnAndRefund | RemedyKind::Exchange | RemedyKind::Repair)
    }
}
