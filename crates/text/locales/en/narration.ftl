actor-buyer = Buyer
actor-merchant = Merchant
actor-agent = Platform agent
actor-admin = Platform admin
actor-system = System
party-buyer = the buyer
party-merchant = the merchant
party-platform = the platform
party-system = the system
remedy = { $kind } { $amount }
event-filed = Filed a request: { $kind }, reason: { $reason }, amount { $amount }. { $description }
event-message_posted = Message: { $text }
event-message_posted-with-evidence = Message: { $text } (citing evidence { $evidence })
event-revised = Revised the request: { $kind }, amount { $amount }. { $description }
event-withdrawn = Withdrew the request.
event-offer_made = Offered: { $remedy }. { $note }
event-offer_accepted = Accepted the offer: { $remedy }.
event-offer_declined = Declined the offer.
event-question_asked = Asked: { $question }
event-question_answered = Answered: { $text }
event-approved = Approved: { $remedy }.
event-rejected = Rejected, reason: { $reason }. { $text }
event-return_shipped = Sent the goods back: { $carrier }, tracking number { $tracking_no }.
event-return_received = Confirmed receiving the returned goods.
event-return_disputed = Disputed the condition of the returned goods: { $text }
event-replacement_shipped = Shipped the replacement: { $carrier }, tracking number { $tracking_no }.
event-replacement_confirmed = Confirmed receiving the replacement.
event-escalated = Asked the platform to step in. { $text }
event-taken = The platform took the case and assigned an agent.
event-evidence_requested = Asked { $party } for evidence: { $what }
event-evidence_submitted = Evidence statement: { $text }
event-mediation_proposed = Proposed a mediation: { $remedy }. { $note }
event-mediation_answered = { $accepted ->
    [yes] Accepted
   *[no] Declined
} the mediation.
event-decided = Decided: { $remedy }. Rationale: { $rationale }. Rule: { $cited_rule }
event-decided-dismissed = Decided to dismiss the request. Rationale: { $rationale }. Rule: { $cited_rule }
event-appeal_filed = Appealed: { $reason }
event-appeal_reviewed = { $uphold ->
    [yes] Upheld
   *[no] Changed
} the decision on appeal. { $rationale }
event-appeal_reviewed-changed = Changed the decision on appeal: { $remedy }. Rationale: { $rationale }. Rule: { $cited_rule }
event-appeal_reviewed-dismissed = Changed the decision on appeal: the request is dismissed. Rationale: { $rationale }. Rule: { $cited_rule }
event-rated = Rated { $stars ->
    [one] { $stars } star
   *[other] { $stars } stars
    }. { $comment }
event-refund_started = { $payout ->
        [compensated] Started a compensation of { $amount }.
       *[other] Started a refund of { $amount }.
    }
event-refund_succeeded = The payment of { $amount } arrived.
event-refund_failed = The refund failed: { $reason }
event-offline_refund_proved = Refunded { $amount } outside the platform: { $note }
event-timed_out = { $what }
event-sla_breached = The platform's time limit ({ $which }) passed; reported.
event-deadline_recounted = The { $year } holiday notice was imported; the deadline ({ $clock }) was recounted: { $old_due } → { $new_due } (Beijing time).
event-evidence_added = Added an evidence file: { $kind } "{ $caption }"{ $confidential ->
    [yes] {" "}(confidential)
   *[no] {""}
}, SHA-256 { $sha256 }
event-evidence_added-uncaptioned = Added an evidence file: { $kind }{ $confidential ->
    [yes] {" "}(confidential)
   *[no] {""}
}, SHA-256 { $sha256 }
event-evidence_withheld = The other side added a confidential file (not shown to you).
event-list-separator = {", "}
timeout-auto_approve-to_platform = The merchant did not answer in time; the claim exceeds the goods' price, so the platform reviews it.
timeout-auto_approve = The merchant did not answer in time; the request was approved as the rules say.
timeout-close-received = The buyer did not confirm receipt in time; the goods count as received and the case closed ({ $outcome }).
timeout-close-cancelled = The buyer did not send the goods back in time; the case closed (cancelled).
timeout-close = The buyer did not act in time; the case closed ({ $outcome }).
timeout-auto_refund = The merchant did not confirm receiving the return in time; it counts as received and the remedy goes on.
timeout-escalate_to_platform = The merchant did not answer in time; the platform takes the case.
timeout-back_to_platform_review = No answer before the deadline; the case went back to platform review.
timeout-require_offline_refund = The payment channel did not confirm the refund in time; the merchant must refund outside the platform and prove it.
timeout-sla = The platform's time limit passed; reported.
timeout-overdue = The deadline passed.
dossier-verify-intact = { $path }: intact — case { $case }, { $events ->
    [one] 1 event
   *[other] { $events } events
} in an unbroken chain, { $files ->
    [one] 1 file matches its hash
   *[other] { $files } files match their hashes
}, { $withheld } withheld, { $redacted ->
    [one] 1 event
   *[other] { $redacted } events
} redacted
dossier-verify-consistent = { $path }: consistent, NOT checked against the platform's key — case { $case }, { $events ->
    [one] 1 event
   *[other] { $events } events
} in an unbroken chain, { $files ->
    [one] 1 file matches its hash
   *[other] { $files } files match their hashes
}, { $withheld } withheld, { $redacted ->
    [one] 1 event
   *[other] { $redacted } events
} redacted
dossier-verify-sealed-by = sealed with the key { $key }: compare it with the platform's published key (GET /api/v1/dossier-key), or pass it with --key
dossier-verify-sealed-by-platform = sealed with the platform's key { $key }
dossier-withheld-kind = Confidential material
dossier-withheld-location = The other side's confidential file, not included. The right column is not the file's hash but the platform's commitment to it: the platform's and the uploader's dossiers list the same commitment beside the file.
dossier-ruling = Platform ruling
dossier-ruling-rejected = The buyer's request rejected
dossier-remedy = { $remedy } { $amount }
dossier-ruling-remedy-liable = { $remedy }, liable: { $party }
dossier-appeal-review = Appeal review
dossier-appeal-upheld = The ruling upheld
dossier-appeal-changed = Changed to: { $remedy }
