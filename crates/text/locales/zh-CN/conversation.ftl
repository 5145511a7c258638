dossier-negotiation-title = 协商记录（立案前买家与商家在平台上的会话）
dossier-negotiation-empty = （立案前双方没有在平台上会话）
dossier-negotiation-note = 会话自成一条哈希链（规则与事件链相同），立案前共 { $count } 条消息，末条哈希 { $head }。附件列入 manifest.json 的 negotiation.files 并随本材料包提供。
dossier-negotiation-columns = 序号|时间|发言方|内容|消息哈希
conversation-file = 附件：{ $kind }{ $caption }（文件 { $media_type },SHA-256 { $sha }…）
complaint-fact-message = { $who }在平台会话中留言：{ $text }
complaint-demand-settled = 本案已在平台处理完毕（结果：{ $outcome }；退款金额 { $refunded }），没有尚未解决的诉求；如仍有争议，请写明争议事项后再投诉。
complaint-demand-remaining = 本案在平台已退款 { $refunded }，仍有争议：要求退还剩余的 { $remaining }。
