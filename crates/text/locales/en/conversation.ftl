dossier-negotiation-title = Negotiation record (the buyer and the shop on the platform, before the filing)
dossier-negotiation-empty = (The parties did not talk on the platform before the filing)
dossier-negotiation-note = The conversation is a hash chain of its own (the same rule as the events): { $count ->
    [one] { $count } message
   *[other] { $count } messages
    } before the filing, the last hash { $head }. Attachments are listed under negotiation.files in manifest.json and included in this dossier.
dossier-negotiation-columns = No.|Time|Side|Content|Message hash
conversation-file = Attachment: { $kind }{ $caption } (file { $media_type }, SHA-256 { $sha }…)
complaint-fact-message = { $who } wrote in the platform conversation: { $text }
complaint-demand-settled = The case was settled on the platform (outcome: { $outcome }; amount refunded { $refunded }); nothing remains in dispute. If something still does, state it before complaining.
complaint-demand-remaining = The platform refunded { $refunded }; still in dispute: the remaining { $remaining } is demanded.
