notification-filed = The buyer filed a case ({ $kind }, { $amount }); please answer by { $due } Beijing time.
notification-message_posted = New message from { $party }.
notification-revised = The buyer revised the case ({ $kind }, { $amount }); please answer by { $due } Beijing time.
notification-withdrawn = The buyer withdrew the case.
notification-offer_made = The merchant offers a settlement: { $remedy }, { $amount }. Accept or decline by { $due } Beijing time.
notification-offer_accepted = The buyer accepted your offer ({ $remedy }, { $amount }).
notification-offer_declined = The buyer declined your offer; please answer by { $due } Beijing time.
notification-question_asked = The merchant asks a question; please answer by { $due } Beijing time.
notification-question_answered = The buyer answered your question; please answer by { $due } Beijing time.
notification-approved = The merchant approved your request ({ $remedy }, { $amount }).
notification-rejected = The merchant rejected your request: { $reason }. You may escalate to the platform by { $due } Beijing time.
notification-return_shipped = The buyer shipped the return ({ $carrier } { $tracking_no }); please confirm receipt by { $due } Beijing time.
notification-return_received = The merchant received your return.
notification-return_disputed = The merchant disputes the condition of the returned goods; the platform will review the case.
notification-replacement_shipped = The merchant shipped the replacement ({ $carrier } { $tracking_no }); please confirm receipt by { $due } Beijing time.
notification-replacement_confirmed = The buyer confirmed receipt of the replacement.
notification-escalated = The case was escalated to the platform by { $party }.
notification-taken = A platform agent took the case.
notification-evidence_requested = The platform asks { $party } for evidence, due by { $due } Beijing time.
notification-evidence_submitted = Evidence was submitted by { $party }.
notification-mediation_proposed = The platform proposes { $remedy } of { $amount }; accept or decline by { $due } Beijing time.
notification-mediation_answered = The mediation proposal was { $accepted ->
    [yes] accepted
   *[other] declined
} by { $party }.
notification-decided = The platform decided the case; it is now: { $state }.
notification-appeal_filed = The platform's decision was appealed by { $party }.
notification-appeal_reviewed = The appeal was reviewed: the decision was { $uphold ->
    [yes] upheld
   *[other] overturned
}; the case is now: { $state }.
notification-rated = The buyer rated the outcome { $stars } of 5.
notification-refund_succeeded = { $payout ->
        [compensation] A compensation of { $amount } was paid.
       *[other] A refund of { $amount } was paid.
    }
notification-refund_failed = The refund could not be paid; the merchant must refund offline and upload proof.
notification-offline_refund_proved = { $payout ->
        [compensation] The merchant proved an offline compensation of { $amount }.
       *[other] The merchant proved an offline refund of { $amount }.
    }
notification-timed_out = A deadline passed and its rule fired; the case is now: { $state }.
notification-evidence_added = A file was added to the case by { $party }.
email-subject = Redress: { $summary }
email-body =
    Hello { $name },

    { $text }

    Case: { $case }

    You receive this email because email is on for this kind of notification. Change it in your notification settings.
