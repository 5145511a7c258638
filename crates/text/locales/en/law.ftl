# The law crate's answers in words: the complaint checker's findings, statutory damages and the
# conditions they apply under. Arguments: amounts as ¥, vocabulary labels, legal names as cited.

## The complaint checker: `finding-<code>` and `finding-<code>-suggestion`.
finding-demand_not_positive = The amount demanded must be greater than zero.
finding-demand_not_positive-suggestion = Enter the amount, or leave it empty and state the remedy (exchange, reissue).
finding-demand_exceeds_paid = The amount demanded, { $demanded }, is more than the { $paid } paid; except for compensation, a demand cannot exceed what was paid.
finding-demand_exceeds_paid-suggestion = Lower the amount to at most { $paid }; to claim further losses or punitive damages, choose “compensation”.
finding-no_reason_window_closed = The 7-day no-reason period (7 days from 00:00 of the day after signing, not extended by holidays) has ended.
finding-no_reason_window_closed-suggestion = { finding-quality-hint }
finding-return_window_passed = More than 7 days have passed since the goods were signed for: the 7 days in which the Consumer Rights Protection Law (Art. 24) lets non-conforming goods be returned as of right are over.
finding-return_window_passed-suggestion = A return now needs grounds to end the contract (the goods cannot serve their purpose at all, or repairs failed); otherwise ask for an exchange or a repair, which the merchant still owes.
finding-no_reason_excluded_item = This item is excluded from the 7-day no-reason return (custom-made, perishable, downloaded or unsealed digital goods, periodicals, or confirmed at purchase).
finding-no_reason_excluded_item-suggestion = { finding-quality-hint }
finding-quality-hint = If the goods are defective, choose “quality defect” and attach a photo or video.
finding-not_signed_for = The goods have not been signed for, so the 7-day no-reason period has not started.
finding-not_signed_for-suggestion = Apply after delivery; if the goods never arrived, choose “not delivered” and attach the logistics record.
finding-no_timeline = The description has no time line (missing { $missing }), so responsibility and time limits cannot be judged.
finding-no_timeline-suggestion = { finding-timeline-advice }
finding-timeline_incomplete = The description does not say { $missing }.
finding-timeline_incomplete-suggestion = { finding-timeline-advice }
finding-timeline-advice = Tell it in time order: the date you ordered, the date you received it and found the problem, the date you contacted the merchant and what they answered.
finding-vague_problem = { $too_short ->
    [yes] The description is too short to tell what happened.
   *[no] The description gives no concrete detail (what is broken, which listed feature differs, what is missing), only a general judgement.
}
finding-vague_problem-suggestion = Say exactly what is wrong: which part, what happens, how bad, how many, and how it differs from the product page.
finding-no_explicit_demand = No explicit demand: do you want a full refund, a partial refund, an exchange, a reissue or compensation?
finding-no_explicit_demand-suggestion = State the remedy and amount, e.g. “I ask for: { $kind }, { $paid }”.
finding-evidence_not_fitting_reason = The evidence attached does not support “{ $reason }”: missing { $missing }.
# The suggestion is the reason's `evidence-advice-<reason>`.
finding-evidence-or = {" or "}
finding-evidence-and = {", and "}
finding-promise_without_chat_record = The description mentions a promise by the merchant, but no chat record or product page recording it is attached.
finding-promise_without_chat_record-suggestion = Attach a complete, dated screenshot of the chat where the merchant promised it, or of the product page stating it.
finding-harm_without_medical_record = The description mentions harm to health (treatment, allergy, injury), but no medical record is attached.
finding-harm_without_medical_record-suggestion = Attach the medical record, diagnosis and receipts: they are the basis of a claim for the loss.
finding-kind_does_not_fit_reason = The request “{ $kind }” does not fit the reason “{ $reason }”: { $why }
finding-kind_does_not_fit_reason-suggestion = Choose one of: { $fitting }.
finding-demand_exceeds_statutory_damages = The compensation demanded, { $demanded }, is more than the law provides: { $explanation }
finding-demand_exceeds_statutory_damages-suggestion = Claim the statutory { $total }; list any further actual loss separately with evidence.
finding-merchant_not_contacted = You have not tried to settle with the merchant. Platforms and regulators usually expect that first and step in when it fails.
finding-merchant_not_contacted-suggestion = Contact the merchant through the platform chat first, state the problem and your demand, and keep the record; complain if they refuse or do not answer in time.
finding-statutory_damages_available = { $condition }, statutory damages are available: { $explanation }
finding-statutory_damages_available-suggestion = To claim them, choose “compensation” and attach the evidence (test report, verification, screenshots of the claims).

## The moments of a time line.
moment-bought = when you bought it
moment-found = when you found the problem
moment-contacted = when you contacted the merchant

## Why a kind of request does not fit a reason (`kind-fit-<reason>`).
kind-fit-no_reason_7_day = a no-reason return means returning the goods for a refund.
kind-fit-not_delivered = goods never received cannot be returned, exchanged or repaired.
kind-fit-late_shipment = goods never received cannot be returned, exchanged or repaired.

## What evidence a reason needs, and why (`evidence-advice-<reason>`).
evidence-advice-quality_defect = Take clear photos or a video showing the defect, the damage or the malfunction.
evidence-advice-wrong_or_missing_item = Photograph or film the unboxing: what arrived, how many, and the parcel label.
evidence-advice-not_as_described = Screenshot the relevant part of the product page and photograph the item to show the difference.
evidence-advice-counterfeit = Provide an inspection report or brand verification, the invoice, and the product page claiming it is genuine.
evidence-advice-not_delivered = Screenshot the tracking history (not delivered, stalled, or signed for by someone else).
evidence-advice-late_shipment = Screenshot the promised dispatch time (product page or chat) and the order or tracking record showing it was not shipped.
evidence-advice-damaged_in_transit = Photograph the damaged parcel and item, and screenshot the tracking record with the delivery time.
evidence-advice-false_advertising = Screenshot the claim (product page or chat) and show with photos, video or a test report that it is untrue.
evidence-advice-service_not_fulfilled = Provide the chat record, product page or order showing the promised service.

## Statutory damages: `damages-<rule>` explains a computation, with `damages-punitive-<rule>-<basis>`.
damages-consumer_fraud = Under { $citation }, for fraud the price of { $price } is paid back; { $punitive_rule }; total { $total }.
damages-punitive-consumer_fraud-three_times_price = the punitive part is 3× the price, { $punitive }
damages-punitive-consumer_fraud-statutory_minimum = 3× the price is { $three_times_price }, below the ¥500 floor, so ¥500 applies
damages-food_safety = Under { $citation }, the price of { $price } is paid back and the loss of { $loss } compensated; { $punitive_rule }; total { $total }.
damages-punitive-food_safety-ten_times_price = the punitive part is 10× the price, { $punitive }
damages-punitive-food_safety-three_times_loss = the punitive part is 3× the loss (higher than 10× the price), { $punitive }
damages-punitive-food_safety-statutory_minimum = 10× the price is { $ten_times_price } and 3× the loss is { $three_times_loss }, both below the ¥1000 floor, so ¥1000 applies
# When a rule applies (the rights view), and the same as a condition (the checker's offer).
damages-applies-when-consumer_fraud = the seller committed fraud (counterfeit goods, false advertising)
damages-applies-when-food_safety = the food does not meet food-safety standards
damages-if-consumer_fraud = If the merchant can be shown to have acted fraudulently
damages-if-food_safety = If the food can be shown not to meet food safety standards

## The 12315 complaint (always in zh-CN: a document for a Chinese regulator; English for reference).
complaint-demand-asked = { $kind }: refund { $amount }
complaint-fact-paid = Ordered and paid (order { $order }).
complaint-fact-shipped = Shipped by the merchant (order { $order }).
complaint-fact-signed = Signed for by the buyer (order { $order }).
complaint-product = { $title } × { $quantity } (unit price { $unit_price })
complaint-evidence-file = { $kind }{ $caption } (file { $media_type }, SHA-256 { $hash }…)
complaint-evidence-caption = : { $caption }
