//! Signals read from a draft's free text (Chinese or English) by plain word lists.
//!
//! Deliberately simple and explainable: a finding can always say which words were (not) found.
//! No segmentation, no model: a missed signal costs the buyer a suggestion, never a refusal, so
//! the lists favour precision over recall where a false "you wrote no date" would annoy.

/// The three moments a complaint's time line needs (seed 000: 问题时间节点).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Moments {
    pub bought: bool,
    pub found: bool,
    pub contacted: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct TextSignals {
    /// Any date or time expression at all.
    pub has_time: bool,
    /// Which moments appear in a clause that also carries a time expression.
    pub dated: Moments,
    /// CJK characters plus two per Latin word: a rough measure of how much was said.
    pub substance: usize,
    /// A concrete detail of what is wrong (a part, a symptom, a measure, a difference).
    pub has_detail: bool,
    pub has_demand_word: bool,
    pub mentions_promise: bool,
    pub mentions_harm: bool,
}

/// Words that date a clause by themselves.
#[rustfmt::skip]
const TIME_WORDS: &[&str] = &[
    "昨天", "前天", "今天", "今日", "昨日", "当天", "当日", "当晚", "次日", "第二天", "隔天",
    "同日", "至今", "天前", "天后", "周前", "月前", "年前", "上周", "本周", "这周", "上个月",
    "上月", "本月", "这个月", "去年", "今年", "前几天", "星期", "礼拜", "周一", "周二", "周三",
    "周四", "周五", "周六", "周日", "周末", "上午", "下午", "晚上", "凌晨", "中午", "早上",
    "月初", "月中", "月底", "月末", "双十一", "双11", "双十二", "yesterday", "today", "tonight",
    "days ago", "weeks ago", "day later", "days later", "last week", "last month", "this morning",
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "january",
    "february", "march", "april", "june", "july", "august", "september", "october", "november",
    "december",
];

/// Units that make a preceding numeral a date ("3月", "10日", "12号", "2025年").
const DATE_UNITS: &[char] = &['月', '日', '号', '年'];
const CN_NUMERALS: &str = "〇零一二三四五六七八九十两廿";

#[rustfmt::skip]
const BOUGHT: &[&str] = &[
    "买", "购", "下单", "下的单", "拍下", "拍的", "拍了", "付款", "支付", "订购", "订的", "入手",
    "bought", "purchased", "ordered", "paid", "placed an order",
];
#[rustfmt::skip]
const FOUND: &[&str] = &[
    "发现", "收到", "到货", "签收", "拆开", "打开", "开箱", "拆箱", "使用", "用了", "穿了",
    "试穿", "吃了", "喝了", "出现", "至今", "仍未", "还没", "还未", "显示", "noticed", "found",
    "received", "arrived", "delivered", "opened", "unboxed", "discovered", "still", "broke",
    // a service that failed to happen is found by its absence
    "没有来", "没来", "没人", "未到", "没到",
];
#[rustfmt::skip]
const CONTACTED: &[&str] = &[
    "联系", "客服", "沟通", "咨询", "私信", "留言", "反映", "反馈", "协商", "申请售后",
    "申请退款", "申请退货", "商家回复", "商家说", "卖家说", "商家答应", "商家拒绝", "卖家拒绝",
    "contacted", "messaged", "asked the", "told the", "reached out", "customer service",
    "complained", "the seller said", "the seller refused",
];

/// Concrete details of a problem. Generic judgements (质量差、不满意、有问题) are absent on purpose.
#[rustfmt::skip]
const DETAIL_WORDS: &[&str] = &[
    "破损", "破了", "破洞", "裂", "碎", "坏了", "断", "划痕", "刮花", "磨损", "掉漆", "褪色",
    "掉色", "起球", "开线", "脱线", "脱胶", "漏", "渗", "变形", "凹", "瘪", "鼓包", "发霉", "霉",
    "变质", "过期", "保质期", "异味", "臭", "异物", "虫", "生锈", "不亮", "不响", "没声音",
    "无声", "没声", "黑屏", "花屏", "死机", "重启", "卡顿", "闪退", "无法", "不能", "开不了", "充不进", "充不上",
    "发热", "发烫", "异响", "噪音", "失灵", "色差", "颜色", "尺码", "尺寸", "型号", "规格",
    "款式", "材质", "成分", "含量", "重量", "少了", "缺", "漏发", "错发", "发错", "不是", "假货",
    "仿", "山寨", "防伪", "序列号", "串号", "详情页", "写着", "标注", "标明", "签收", "丢件",
    "停滞", "未更新", "没更新", "压坏", "摔", "淋湿", "浸水", "外箱", "包装", "配件", "说明书",
    "保修", "上门", "安装", "没来", "爽约", "取消", "延期", "延迟", "超时", "未发货", "没发货",
    "没有发货", "没有来", "停在", "偏大", "偏小", "版型", "脱落", "起泡", "杂音", "破音", "卡住",
    "不转", "broken", "crack", "scratch", "dent", "leak", "stain", "mould", "mold", "expired",
    "smell", "missing", "wrong", "size", "colour", "color", "model", "fake", "counterfeit",
    "not working", "doesn't work", "does not work", "won't", "battery", "screen", "torn",
    "defect", "damaged", "stuck", "lost", "never arrived", "tracking", "serial", "listing",
    "advertised", "charg",
];

/// Units that make a number a measured detail ("3厘米", "少了2个").
#[rustfmt::skip]
const DETAIL_UNITS: &[&str] = &[
    "厘米", "毫米", "公分", "米", "克", "斤", "公斤", "毫升", "升", "个", "件", "处", "条", "块",
    "只", "颗", "瓶", "袋", "盒", "包", "码", "cm", "mm", "kg", "ml",
];

#[rustfmt::skip]
const DEMAND_WORDS: &[&str] = &[
    "退款", "退钱", "退货", "退还", "返还", "换货", "更换", "换一", "换新", "补寄", "补发",
    "重发", "重新发", "赔偿", "赔付", "补偿", "维修", "修理", "返修", "补差价", "退差价",
    "退一赔三", "退一赔十", "refund", "return it", "exchange", "replace", "reissue", "resend",
    "send another", "compensat", "repair", "money back", "price difference",
];

#[rustfmt::skip]
const PROMISE_WORDS: &[&str] = &[
    "承诺", "答应", "保证", "说好", "约定", "包邮", "假一赔", "promised", "guaranteed",
    "agreed to",
];

#[rustfmt::skip]
const HARM_WORDS: &[&str] = &[
    "腹泻", "拉肚子", "呕吐", "过敏", "住院", "医院", "就医", "受伤", "烫伤", "划伤", "中毒",
    "hospital", "injur", "allergic", "vomit", "diarrh", "poison",
];

/// Every word the checker reads for, of every list: the domain's own words, which a search
/// segmenter must keep whole (退一赔三, 申请售后, 漏发).
pub(crate) fn words() -> impl Iterator<Item = &'static str> {
    [TIME_WORDS, BOUGHT, FOUND, CONTACTED, DETAIL_WORDS, DETAIL_UNITS, DEMAND_WORDS, PROMISE_WORDS, HARM_WORDS]
        .into_iter()
        .flatten()
        .copied()
}

pub(crate) fn analyse(description: &str) -> TextSignals {
    let lower = description.to_lowercase();
    let mut signals = TextSignals {
        substance: substance(&lower),
        has_detail: contains_any(&lower, DETAIL_WORDS) || has_measured_number(&lower),
        has_demand_word: contains_any(&lower, DEMAND_WORDS),
        mentions_promise: contains_any(&lower, PROMISE_WORDS),
        mentions_harm: contains_any(&lower, HARM_WORDS),
        ..TextSignals::default()
    };
    for clause in clauses(&lower) {
        if !has_time_expression(clause) {
            continue;
        }
        signals.has_time = true;
        signals.dated.bought |= contains_any(clause, BOUGHT);
        signals.dated.found |= contains_any(clause, FOUND);
        signals.dated.contacted |= contains_any(clause, CONTACTED);
    }
    signals
}

/// Clauses: split on Chinese punctuation (including the comma, since Chinese narrates one event
/// per comma clause) and on English sentence ends (not the English comma: "On March 3, I...").
fn clauses(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| "。！？；，、\n!?;".contains(c)).flat_map(|s| s.split(". ")).filter(|s| !s.trim().is_empty())
}

fn contains_any(text: &str, words: &[&str]) -> bool {
    words.iter().any(|w| text.contains(w))
}

fn has_time_expression(clause: &str) -> bool {
    if contains_any(clause, TIME_WORDS) {
        return true;
    }
    let chars: Vec<char> = clause.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        let numeral_before = i > 0 && is_numeral(chars[i - 1]);
        // "3月", "十二日", "12号", "2025年"
        if DATE_UNITS.contains(&c) && numeral_before {
            return true;
        }
        // "2025-03-10", "3/10", "14:30"
        if matches!(c, '-' | '/' | ':')
            && i > 0
            && chars[i - 1].is_ascii_digit()
            && chars.get(i + 1).is_some_and(|n| n.is_ascii_digit())
        {
            return true;
        }
    }
    // "May 3": the month name alone is too often the verb.
    clause.match_indices("may ").any(|(i, m)| clause[i + m.len()..].starts_with(|c: char| c.is_ascii_digit()))
}

fn is_numeral(c: char) -> bool {
    c.is_ascii_digit() || CN_NUMERALS.contains(c)
}

/// A number followed by a unit of measure or count.
fn has_measured_number(text: &str) -> bool {
    let mut rest = text;
    while let Some(pos) = rest.find(|c: char| c.is_ascii_digit()) {
        let after_digits = rest[pos..].trim_start_matches(|c: char| c.is_ascii_digit() || c == '.');
        let after = after_digits.trim_start();
        if DETAIL_UNITS.iter().any(|u| after.starts_with(u)) {
            return true;
        }
        rest = after_digits;
    }
    false
}

fn substance(text: &str) -> usize {
    let cjk = text.chars().filter(|c| ('\u{4e00}'..='\u{9fff}').contains(c)).count();
    let words = text.split(|c: char| !c.is_ascii_alphabetic()).filter(|w| w.len() >= 2).count();
    cjk + 2 * words
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_in_many_shapes() {
        for t in [
            "3月10日下单",
            "三月十日",
            "2025-03-10买的",
            "3/10 bought",
            "昨天收到",
            "三天前",
            "周五联系客服",
            "14:30签收",
            "on march 3",
            "may 3",
        ] {
            assert!(has_time_expression(t), "{t}");
        }
        for t in ["质量很差", "订单号123456", "may not work", "型号x3"] {
            assert!(!has_time_expression(t), "{t}");
        }
    }

    #[test]
    fn moments_are_dated_per_clause() {
        let s = analyse("3月1日下单，收到后发现屏幕有裂痕，3月5日联系客服");
        assert_eq!(s.dated, Moments { bought: true, found: false, contacted: true });
    }

    #[test]
    fn measured_numbers() {
        assert!(has_measured_number("少了2个"));
        assert!(has_measured_number("划痕约3 厘米"));
        assert!(!has_measured_number("3月10日"));
    }
}
