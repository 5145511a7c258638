//! The legal sources a rule cites. Every answer this crate gives names the article that says so,
//! in zh-CN and en, so a UI, a decision or a complaint can quote it verbatim.
//!
//! Article numbers are given only where the rule is in a numbered article we cite with certainty;
//! otherwise the instrument is cited as a whole.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, utoipa::ToSchema, Deserialize)]
// Numbered variants are renamed by hand: serde's snake_case would write `consumer_law55`.
#[serde(rename_all = "snake_case")]
pub enum Article {
    /// 消费者权益保护法第二十四条: non-conforming goods, 7 days from receipt, freight on the merchant.
    #[serde(rename = "consumer_law_24")]
    ConsumerLaw24,
    /// 消费者权益保护法第二十五条: 7-day no-reason return for distance sales, and its exclusions.
    #[serde(rename = "consumer_law_25")]
    ConsumerLaw25,
    /// 消费者权益保护法第五十五条: fraud, price + 3× price, at least ¥500.
    #[serde(rename = "consumer_law_55")]
    ConsumerLaw55,
    /// 网络购买商品七日无理由退货暂行办法 as a whole (the window starts the day after signing).
    NoReasonMeasures,
    /// 暂行办法第六条: goods to which no-reason return does not apply.
    #[serde(rename = "no_reason_measures_6")]
    NoReasonMeasures6,
    /// 暂行办法第七条: goods excluded only when the buyer confirmed it at purchase.
    #[serde(rename = "no_reason_measures_7")]
    NoReasonMeasures7,
    /// 食品安全法第一百四十八条: 10× price or 3× loss, at least ¥1000.
    #[serde(rename = "food_safety_law_148")]
    FoodSafetyLaw148,
    /// 部分商品修理更换退货责任规定 (三包规定).
    Sanbao,
    /// 民法典第二百零一条: a period in days starts on the following day.
    #[serde(rename = "civil_code_201")]
    CivilCode201,
    /// 市场监督管理投诉举报处理暂行办法: what a complaint to the regulator must contain.
    ComplaintMeasures,
}

impl Article {
    pub const fn cite_zh(self) -> &'static str {
        match self {
            Article::ConsumerLaw24 => "《中华人民共和国消费者权益保护法》第二十四条",
            Article::ConsumerLaw25 => "《中华人民共和国消费者权益保护法》第二十五条",
            Article::ConsumerLaw55 => "《中华人民共和国消费者权益保护法》第五十五条",
            Article::NoReasonMeasures => "《网络购买商品七日无理由退货暂行办法》",
            Article::NoReasonMeasures6 => "《网络购买商品七日无理由退货暂行办法》第六条",
            Article::NoReasonMeasures7 => "《网络购买商品七日无理由退货暂行办法》第七条",
            Article::FoodSafetyLaw148 => "《中华人民共和国食品安全法》第一百四十八条",
            Article::Sanbao => "《部分商品修理更换退货责任规定》（三包规定）",
            Article::CivilCode201 => "《中华人民共和国民法典》第二百零一条",
            Article::ComplaintMeasures => "《市场监督管理投诉举报处理暂行办法》",
        }
    }

    pub const fn cite_en(self) -> &'static str {
        match self {
            Article::ConsumerLaw24 => "Consumer Rights Protection Law of the PRC, Art. 24",
            Article::ConsumerLaw25 => "Consumer Rights Protection Law of the PRC, Art. 25",
            Article::ConsumerLaw55 => "Consumer Rights Protection Law of the PRC, Art. 55",
            Article::NoReasonMeasures => {
                "Interim Measures for the Seven-Day No-Reason Return of Goods Purchased Online"
            }
            Article::NoReasonMeasures6 => {
                "Interim Measures for the Seven-Day No-Reason Return of Goods Purchased Online, Art. 6"
            }
            Article::NoReasonMeasures7 => {
                "Interim Measures for the Seven-Day No-Reason Return of Goods Purchased Online, Art. 7"
            }
            Article::FoodSafetyLaw148 => "Food Safety Law of the PRC, Art. 148",
            Article::Sanbao => {
                "Provisions on Liability for Repair, Replacement and Return of Certain Goods (\"three guarantees\")"
            }
            Article::CivilCode201 => "Civil Code of the PRC, Art. 201",
            Article::ComplaintMeasures => "Interim Measures for Handling Complaints and Reports in Market Regulation",
        }
    }

    pub fn citation(self) -> Citation {
        Citation { article: self, zh: self.cite_zh().to_owned(), en: self.cite_en().to_owned() }
    }
}

/// A citation as returned by the API: the stable key and the text in both languages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema, Deserialize)]
pub struct Citation {
    pub article: Article,
    pub zh: String,
    pub en: String,
}

impl From<Article> for Citation {
    fn from(a: Article) -> Self {
        a.citation()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_readable_snake_case() {
        assert_eq!(serde_json::to_string(&Article::ConsumerLaw55).unwrap(), "\"consumer_law_55\"");
        assert_eq!(serde_json::to_string(&Article::NoReasonMeasures).unwrap(), "\"no_reason_measures\"");
    }
}
