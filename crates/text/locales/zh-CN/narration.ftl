actor-buyer = 买家
actor-merchant = 商家
actor-agent = 平台客服
actor-admin = 平台管理员
actor-system = 系统
party-buyer = 买家
party-merchant = 商家
party-platform = 平台
party-system = 系统
remedy = { $kind } { $amount }
event-filed = 申请售后：{ $kind }，原因：{ $reason }，金额 { $amount }。{ $description }
event-message_posted = 留言：{ $text }
event-message_posted-with-evidence = 留言：{ $text }（引用证据 { $evidence }）
event-revised = 修改申请：{ $kind }，金额 { $amount }。{ $description }
event-withdrawn = 撤销申请。
event-offer_made = 提出协商方案：{ $remedy }。{ $note }
event-offer_accepted = 接受方案：{ $remedy }。
event-offer_declined = 拒绝方案。
event-question_asked = 提问：{ $question }
event-question_answered = 回复：{ $text }
event-approved = 同意：{ $remedy }。
event-rejected = 拒绝，理由：{ $reason }。{ $text }
event-return_shipped = 寄回商品：{ $carrier } 运单号 { $tracking_no }。
event-return_received = 确认收到退货。
event-return_disputed = 对退回商品状况提出异议：{ $text }
event-replacement_shipped = 发出换货/补寄商品：{ $carrier } 运单号 { $tracking_no }。
event-replacement_confirmed = 确认收到换货/补寄商品。
event-escalated = 申请平台介入。{ $text }
event-taken = 平台受理并分配处理人员。
event-evidence_requested = 要求{ $party }补充举证：{ $what }
event-evidence_submitted = 举证说明：{ $text }
event-mediation_proposed = 提出调解方案：{ $remedy }。{ $note }
event-mediation_answered = { $accepted ->
    [yes] 接受
   *[no] 拒绝
}调解方案。
event-decided = 裁决：{ $remedy }。理由：{ $rationale }。依据：{ $cited_rule }
event-decided-dismissed = 裁决驳回申请。理由：{ $rationale }。依据：{ $cited_rule }
event-appeal_filed = 申诉：{ $reason }
event-appeal_reviewed = 复核{ $uphold ->
    [yes] 维持
   *[no] 改变
}原裁决。{ $rationale }
event-appeal_reviewed-changed = 复核改变原裁决，改判：{ $remedy }。理由：{ $rationale }。依据：{ $cited_rule }
event-appeal_reviewed-dismissed = 复核改变原裁决，改判驳回申请。理由：{ $rationale }。依据：{ $cited_rule }
event-rated = 评价 { $stars } 星。{ $comment }
event-refund_started = { $payout ->
        [compensated] 发起赔偿 { $amount }。
       *[other] 发起退款 { $amount }。
    }
event-refund_succeeded = 款项 { $amount } 已到账。
event-refund_failed = 退款失败：{ $reason }
event-offline_refund_proved = 线下退款 { $amount }：{ $note }
event-timed_out = { $what }
event-sla_breached = 平台处理时限超期（{ $which }），已上报。
event-deadline_recounted = { $year } 年放假安排已导入，期限（{ $clock }）重新计算：{ $old_due } → { $new_due }（北京时间）。
event-evidence_added = 提交证据文件：{ $kind }「{ $caption }」{ $confidential ->
    [yes] （保密）
   *[no] {""}
},SHA-256 { $sha256 }
event-evidence_added-uncaptioned = 提交证据文件：{ $kind }{ $confidential ->
    [yes] （保密）
   *[no] {""}
},SHA-256 { $sha256 }
event-evidence_withheld = 对方提交了一份保密证据文件（对您不可见）。
event-list-separator = 、
timeout-auto_approve-to_platform = 商家逾期未处理；申请金额超出商品价款，系统转平台介入审核。
timeout-auto_approve = 商家逾期未处理，系统按规则自动同意买家的申请。
timeout-close-received = 买家逾期未确认收货，视为已收到，售后单按规则关闭（{ $outcome }）。
timeout-close-cancelled = 买家逾期未寄回商品，售后单按规则关闭（已取消）。
timeout-close = 买家逾期未操作，售后单按规则关闭（{ $outcome }）。
timeout-auto_refund = 商家逾期未确认收到退货，系统视为已收到并按方案继续处理。
timeout-escalate_to_platform = 商家逾期未处理，系统按规则转平台介入。
timeout-back_to_platform_review = 期限届满未获答复，案件退回平台审核。
timeout-require_offline_refund = 支付渠道逾期未确认退款，系统要求商家线下退款并提交凭证。
timeout-sla = 平台处理时限届满，已上报。
timeout-overdue = 期限已过。
dossier-verify-intact = { $path }：完整 — 售后单 { $case }，{ $events } 个事件构成完整的哈希链，{ $files } 个文件与哈希一致，{ $withheld } 个文件未附（保密），{ $redacted } 个事件已隐去
dossier-verify-consistent = { $path }：内容一致，但未与平台公钥核对 — 售后单 { $case }，{ $events } 个事件构成完整的哈希链，{ $files } 个文件与哈希一致，{ $withheld } 个文件未附（保密），{ $redacted } 个事件已隐去
dossier-verify-sealed-by = 签章公钥 { $key }：请与平台公布的公钥（GET /api/v1/dossier-key）核对，或用 --key 传入
dossier-verify-sealed-by-platform = 已由平台公钥 { $key } 签章
dossier-withheld-kind = 保密材料
dossier-withheld-location = 对方的保密材料，未随本材料包提供。右栏不是文件的哈希值，而是平台对该文件的承诺值：平台和提交方的材料包在该文件旁列有同一承诺值。
dossier-ruling = 平台裁决
dossier-ruling-rejected = 驳回买家申请
dossier-remedy = { $remedy } { $amount }
dossier-ruling-remedy-liable = { $remedy }，责任方：{ $party }
dossier-appeal-review = 申诉复核
dossier-appeal-upheld = 维持原裁决
dossier-appeal-changed = 改判：{ $remedy }
