# The law crate's answers in words: the complaint checker's findings, statutory damages and the
# conditions they apply under. Arguments: amounts as ¥, vocabulary labels, legal names as cited.

## The complaint checker: `finding-<code>` and `finding-<code>-suggestion`.
finding-demand_not_positive = 要求的金额必须大于零。
finding-demand_not_positive-suggestion = 填写具体金额，或不填金额只写明诉求（如换货、补寄）。
finding-demand_exceeds_paid = 要求的金额{ $demanded }超过了实付金额{ $paid }；除赔偿外，要求的金额不能超过实际支付的金额。
finding-demand_exceeds_paid-suggestion = 把金额改为不超过{ $paid }；如要主张额外损失或惩罚性赔偿，请选择「赔偿」。
finding-no_reason_window_closed = 七日无理由退货期（自签收次日零时起算满7日，节假日不顺延）已过。
finding-no_reason_window_closed-suggestion = { finding-quality-hint }
finding-return_window_passed = 自签收之日起已超过七日：《消费者权益保护法》第二十四条规定的七日内退货期已过。
finding-return_window_passed-suggestion = 七日后退货须符合法定解除合同条件（如商品根本无法使用、修理后仍不能使用）；否则可以要求商家更换或修理，这仍是商家的义务。
finding-no_reason_excluded_item = 该商品属于不适用七日无理由退货的商品（定作、鲜活易腐、在线下载或已拆封的数字化商品、报刊，或购买时已确认不退）。
finding-no_reason_excluded_item-suggestion = { finding-quality-hint }
finding-quality-hint = 如商品有质量问题，请改选「质量问题」并附照片或视频。
finding-not_signed_for = 商品尚未签收，七日无理由退货期还没有开始。
finding-not_signed_for-suggestion = 签收后再申请；如一直未收到货，请改选「未收到货」并附物流记录。
finding-no_timeline = 描述中没有任何时间节点（缺少{ $missing }），平台难以判断责任和时效。
finding-no_timeline-suggestion = { finding-timeline-advice }
finding-timeline_incomplete = 描述中缺少{ $missing }。
finding-timeline_incomplete-suggestion = { finding-timeline-advice }
finding-timeline-advice = 按时间顺序写明：几月几日下单购买、几月几日收到并发现问题、几月几日联系商家及商家如何答复。
finding-vague_problem = { $too_short ->
    [yes] 问题描述过短，平台无法据此判断发生了什么。
   *[no] 问题描述没有具体细节（哪里坏了、与页面哪一项不符、少了什么），只有笼统的评价。
}
finding-vague_problem-suggestion = 具体写明问题：部位、现象、程度、数量，以及与商品页描述的具体差异。
finding-no_explicit_demand = 没有写明诉求：希望全额退款、部分退款、换货、补寄还是赔偿？
finding-no_explicit_demand-suggestion = 写明诉求和金额，例如「要求{ $kind }，退款{ $paid }」。
finding-evidence_not_fitting_reason = 所附证据不足以支持「{ $reason }」：缺少{ $missing }。
# The suggestion is the reason's `evidence-advice-<reason>`.
finding-evidence-or = 或
finding-evidence-and = ，以及
finding-promise_without_chat_record = 描述提到了商家的承诺，但没有附上记录该承诺的聊天记录或商品页截图。
finding-promise_without_chat_record-suggestion = 附上商家作出承诺的完整聊天记录截图（含时间），或写明该承诺的商品页截图。
finding-harm_without_medical_record = 描述提到了人身损害（就医、过敏、受伤等），但没有附医疗记录。
finding-harm_without_medical_record-suggestion = 附上病历、诊断证明和医疗费票据，它们是主张赔偿损失的依据。
finding-kind_does_not_fit_reason = 售后类型「{ $kind }」与原因「{ $reason }」不符：{ $why }
finding-kind_does_not_fit_reason-suggestion = 改选：{ $fitting }。
finding-demand_exceeds_statutory_damages = 要求的赔偿{ $demanded }超过了法定标准：{ $explanation }
finding-demand_exceeds_statutory_damages-suggestion = 按法定标准主张{ $total }，另有实际损失请单独列明并附证据。
finding-merchant_not_contacted = 还没有先与商家协商。平台和监管部门通常要求先与商家沟通，协商不成再介入。
finding-merchant_not_contacted-suggestion = 先通过平台聊天联系商家，说明问题和诉求，保留聊天记录；商家拒绝或超时不处理再投诉。
finding-statutory_damages_available = { $condition }，可主张法定赔偿：{ $explanation }
finding-statutory_damages_available-suggestion = 如要主张，请选择「赔偿」并附上相应证据（检测报告、鉴定意见、宣传截图等）。

## The moments of a time line.
moment-bought = 购买时间
moment-found = 发现问题的时间
moment-contacted = 联系商家的时间

## Why a kind of request does not fit a reason (`kind-fit-<reason>`).
kind-fit-no_reason_7_day = 七日无理由是退货：需要把商品寄回后退款。
kind-fit-not_delivered = 没有收到的商品无法退回、换货或维修。
kind-fit-late_shipment = 没有收到的商品无法退回、换货或维修。

## What evidence a reason needs, and why (`evidence-advice-<reason>`).
evidence-advice-quality_defect = 拍摄清晰的照片或视频，直观展示瑕疵部位、损坏程度或功能异常。
evidence-advice-wrong_or_missing_item = 拍摄开箱照片或视频，显示收到的商品、数量和包装面单。
evidence-advice-not_as_described = 截图商品详情页中相关的描述，并拍摄实物照片对比差异。
evidence-advice-counterfeit = 提供检测报告、品牌方鉴定或发票，以及商品页宣称正品的截图。
evidence-advice-not_delivered = 截图物流轨迹（显示未妥投、停滞或签收异常）。
evidence-advice-late_shipment = 截图商品页或聊天中承诺的发货时间，以及显示未发货的订单或物流记录。
evidence-advice-damaged_in_transit = 拍摄外包装和商品损坏的照片或视频，并截图签收时间的物流记录。
evidence-advice-false_advertising = 截图宣传内容（商品页或聊天），并用照片、视频或检测报告证明与事实不符。
evidence-advice-service_not_fulfilled = 提供记录服务承诺的聊天记录、商品页或订单截图。

## Statutory damages: `damages-<rule>` explains a computation, with `damages-punitive-<rule>-<basis>`.
damages-consumer_fraud = 依据{ $citation }，经营者有欺诈行为的，退还价款{ $price }；{ $punitive_rule }；合计{ $total }。
damages-punitive-consumer_fraud-three_times_price = 增加赔偿为价款的三倍即{ $punitive }
damages-punitive-consumer_fraud-statutory_minimum = 价款三倍为{ $three_times_price }，不足五百元，按五百元计
damages-food_safety = 依据{ $citation }，退还价款{ $price }，赔偿损失{ $loss }；{ $punitive_rule }；合计{ $total }。
damages-punitive-food_safety-ten_times_price = 赔偿金按价款十倍计，为{ $punitive }
damages-punitive-food_safety-three_times_loss = 赔偿金按损失三倍计（高于价款十倍），为{ $punitive }
damages-punitive-food_safety-statutory_minimum = 价款十倍为{ $ten_times_price }、损失三倍为{ $three_times_loss }，均不足一千元，按一千元计
# When a rule applies (the rights view), and the same as a condition (the checker's offer).
damages-applies-when-consumer_fraud = 经营者有欺诈行为（如假冒伪劣、虚假宣传）
damages-applies-when-food_safety = 食品不符合食品安全标准
damages-if-consumer_fraud = 如能证明商家存在欺诈行为
damages-if-food_safety = 如能证明食品不符合食品安全标准

## The 12315 complaint (always in zh-CN: a document for a Chinese regulator).
complaint-demand-asked = { $kind }：退还 { $amount }
complaint-fact-paid = 下单并付款（订单号 { $order }）。
complaint-fact-shipped = 商家发货（订单号 { $order }）。
complaint-fact-signed = 买家签收（订单号 { $order }）。
complaint-product = { $title } × { $quantity }（单价 { $unit_price }）
complaint-evidence-file = { $kind }{ $caption }（文件 { $media_type }，SHA-256 { $hash }…）
complaint-evidence-caption = ：{ $caption }
