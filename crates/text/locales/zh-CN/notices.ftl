notification-filed = 买家提交了售后申请（{ $kind }，{ $amount }），请在 { $due }（北京时间）前处理。
notification-message_posted = { $party }发来一条新留言。
notification-revised = 买家修改了售后申请（{ $kind }，{ $amount }），请在 { $due }（北京时间）前处理。
notification-withdrawn = 买家已撤销售后申请。
notification-offer_made = 商家提出方案：{ $remedy }，{ $amount }，请在 { $due }（北京时间）前接受或拒绝。
notification-offer_accepted = 买家已接受您的方案（{ $remedy }，{ $amount }）。
notification-offer_declined = 买家拒绝了您的方案，请在 { $due }（北京时间）前处理。
notification-question_asked = 商家向您提出了问题，请在 { $due }（北京时间）前回复。
notification-question_answered = 买家已回复您的问题，请在 { $due }（北京时间）前处理。
notification-approved = 商家已同意您的申请（{ $remedy }，{ $amount }）。
notification-rejected = 商家拒绝了您的申请：{ $reason }。您可在 { $due }（北京时间）前申请平台介入。
notification-return_shipped = 买家已寄回商品（{ $carrier } { $tracking_no }），请在 { $due }（北京时间）前确认收货。
notification-return_received = 商家已收到您寄回的商品。
notification-return_disputed = 商家对退回商品的状况有异议，平台将介入处理。
notification-replacement_shipped = 商家已发出换货/补寄商品（{ $carrier } { $tracking_no }），请在 { $due }（北京时间）前确认收货。
notification-replacement_confirmed = 买家已确认收到换货/补寄商品。
notification-escalated = { $party }已申请平台介入。
notification-taken = 平台客服已受理该售后单。
notification-evidence_requested = 平台要求{ $party }补充举证，截止时间 { $due }（北京时间）。
notification-evidence_submitted = { $party }已提交举证材料。
notification-mediation_proposed = 平台提出调解方案：{ $remedy }，{ $amount }，请在 { $due }（北京时间）前确认。
notification-mediation_answered = { $party }{ $accepted ->
    [yes] 接受了
   *[other] 拒绝了
}调解方案。
notification-decided = 平台已作出处理决定，售后单当前状态：{ $state }。
notification-appeal_filed = { $party }对平台的处理决定提出了申诉。
notification-appeal_reviewed = 申诉已复核：{ $uphold ->
    [yes] 维持原决定
   *[other] 撤销原决定
}，售后单当前状态：{ $state }。
notification-rated = 买家对处理结果评分 { $stars }/5。
notification-refund_succeeded = { $payout ->
        [compensation] 赔偿 { $amount } 已到账。
       *[other] 退款 { $amount } 已到账。
    }
notification-refund_failed = 退款未能完成，商家须线下退款并上传凭证。
notification-offline_refund_proved = { $payout ->
        [compensation] 商家已上传线下赔偿 { $amount } 的凭证。
       *[other] 商家已上传线下退款 { $amount } 的凭证。
    }
notification-timed_out = 处理期限已到，系统已按规则处理，售后单当前状态：{ $state }。
notification-evidence_added = { $party }向售后单添加了文件。
email-subject = Redress:{ $summary }
email-body =
    { $name }，您好：

    { $text }

    售后单：{ $case }

    您收到此邮件，是因为您开启了此类通知的邮件提醒，可在通知设置中修改。
