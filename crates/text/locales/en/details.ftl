# What exactly was wrong with a request: `detail` of a problem, keyed by `redress_domain::DetailCode`.
# Arguments are codes, field names, numbers, amounts and instants (shown in Beijing time).

list-separator = {", "}
alternatives-separator = {" or "}

detail-in_state = The case is “{ $state }”, where this action is not possible.
detail-already_yours = The case is already assigned to you.
detail-closed_as = The case was closed at { $at } Beijing time, as “{ $outcome }”; only an appeal of a ruling, within its window, or a rating can follow.
detail-case_open = Case { $case } is open on this order: the conversation goes on in the case.
detail-another_agents_case = Another agent is handling the case; it can be taken over once the platform's deadline for it has passed.
detail-own_ruling_under_appeal = You made the ruling under appeal: another agent reviews it.
detail-no_pending_appeal = The case has no appeal waiting for review.
detail-retry_in = Try again in { $seconds ->
    [one] { $seconds } second
   *[other] { $seconds } seconds
    }.
detail-dismissal_after_payout = The buyer has already been paid { $paid } on this case: an appeal review can uphold the ruling or order more, not turn it into a dismissal.
detail-appeal_pending = An appeal is waiting for review: use review-appeal.
detail-platform_ruled = The platform has already ruled on this case: appeal the decision instead.
detail-refund_not_failed = The refund has not failed.
detail-no_refund_pending = No refund is pending on this case.
detail-unknown_refund = No refund of this case has that id.
detail-stale_timeout = The deadline has changed or already fired.
detail-case_changed = The action was sent for version { $read } of the case; it is now at version { $current }. Nothing was done: read the case again and decide on what it says now.
detail-no_provisional_deadline = The case has no deadline counted over a provisional calendar year.
detail-no_deadline_provisional_for = The case has no deadline counted provisionally over { $year }.
detail-escalate_from = The buyer and the merchant negotiate for { $days ->
    [one] { $days } working day
   *[other] { $days } working days
} after filing: the platform can be asked to step in from { $earliest } Beijing time, or at once if the merchant rejects the claim.
detail-appeal_window_ended = The appeal window ended at { $at } Beijing time.
detail-calendar_year = The business calendar has no data for { $year }: an administrator must import that year's holiday notice.
detail-evidence_not_on_case = evidence: { $evidence } is not a file of this case.
detail-no_items = items: choose at least one item of the order.
detail-item = Item: { $sku }.
detail-item_twice = Item { $sku } is listed twice: list each item once with its quantity.
detail-item_quantity = Item { $sku }: { $asked } asked, the order has { $ordered } (at least 1).
detail-exceeds_refundable = The amount { $amount } is more than the { $refundable } still refundable.
detail-not_positive = The amount { $amount } is not more than zero: ask for at least ¥0.01.
detail-exceeds_compensation_cap = The compensation demanded, { $amount }, is more than the { $cap } this case may claim (the refundable price or the statutory damages, whichever is larger, less what was paid out).
detail-no_amount = amount: this kind of request carries no amount.
detail-amount_needed = amount: a “{ $request_kind }” request needs the amount asked for.
detail-no_reason_excluded = This item is one of the { $exclusion }; under Art. 25 of the Consumer Rights Protection Law the 7-day no-reason return does not apply. If the goods are defective, file a quality case instead.
detail-no_reason_not_signed_for = The goods have not been signed for. The 7-day no-reason period runs from the day after signing; if the goods never arrived, choose “not delivered”.
detail-no_reason_window_ended = The 7-day no-reason return period ended at { $ends_at } Beijing time (7 days from 00:00 of the day after signing, not extended by holidays). If the goods are defective you can still file a quality case.
detail-empty = { $field }: must not be empty.
detail-too_long = { $field }: at most { $max ->
    [one] { $max } character
   *[other] { $max } characters
}.
detail-range = { $field }: from { $min } to { $max }.
detail-no_messages_yet = { $field }: the conversation has no messages yet, so there is nothing to mark read.
detail-one_of = { $field }: one of { $values }.
detail-unknown = { $field }: “{ $value }” is not one of the known names.
detail-not_an_id = { $field }: not an id (ids are lowercase hyphenated UUIDs).
detail-not_a_time = { $field }: not an RFC 3339 time, e.g. 2026-03-05T16:00:00Z.
detail-missing = { $field }: missing.
detail-unknown_field = Unknown field “{ $field }”: known are { $known }.
detail-no_fields_taken = Unknown field “{ $field }”: this request takes no fields.
detail-conflicts = { $field } cannot be combined with { $with }.
detail-liable_without_remedy = { $field }: a ruling that holds the merchant liable must name a remedy (a refund, say); without one the claim is dismissed.
detail-file_limit = A file takes at most { $bytes }.
detail-case_limit = A case's evidence takes at most { $bytes } in total.
detail-unsupported_type = The file is { $found }: only JPEG, PNG, WebP, GIF, HEIC, PDF, MP4, MOV and plain UTF-8 text are accepted.
detail-unknown_type = The file is of no known type (and not UTF-8 text): only JPEG, PNG, WebP, GIF, HEIC, PDF, MP4, MOV and UTF-8 plain text are accepted.
detail-image_too_large = The image is too large to decode safely.
detail-undecodable = The file cannot be decoded as the type it claims to be.
detail-upload_cut_off = The upload ended before the file was complete.
detail-sha256 = sha256: 64 lowercase hex digits.
detail-file_size = size: a file has at least one byte.
detail-caption = caption: at most { $max ->
    [one] { $max } character
   *[other] { $max } characters
    }, no control characters.
detail-media_type = media_type: not a media type.
detail-photo_needs_image = kind: a photo must be an image file (JPEG, PNG, WebP, GIF or HEIC); this file is { $found }.
detail-video_needs_video = kind: a video must be a video file (MP4 or MOV); this file is { $found }.
detail-one_file_per_upload = One file per upload.
detail-body_limit = A request body takes at most { $bytes }.
detail-uri_limit = A request’s address (path and query) takes at most { $bytes }.
detail-headers_limit = A request takes at most { $count ->
    [one] { $count } header
   *[other] { $count } headers
    }, { $bytes } in all.
detail-text_field_too_long = Text fields take at most { $bytes }.
detail-text_not_utf8 = Text fields must be UTF-8.
detail-multipart = A multipart/form-data body is expected.
detail-multipart_boundary = The multipart/form-data body has no boundary: send Content-Type: multipart/form-data; boundary=… with parts separated by it.
detail-idempotency_key_for_another_file = Idempotency-Key: already used for another upload (another file, kind, caption or confidentiality).
detail-idempotency_key = Idempotency-Key: 1 to 255 visible ASCII characters.
detail-header_twice = The header { $name } is sent more than once; send it once.
detail-idempotency_key_for_another_request = Idempotency-Key: already used for another request (another body or path) in the last 24 hours; a new request needs a new key.
detail-if_match = If-Match: the case's ETag as you read it (its version in quotes, "7"), or *.
detail-login_format = login: 3 to 64 of a-z, 0-9, “.”, “_”, “@”, “-”.
detail-password_too_short = password: at least { $min ->
    [one] { $min } character
   *[other] { $min } characters
    }.
detail-merchant_staff_need_shop = merchant_id: merchant staff belong to a shop.
detail-only_merchant_staff_have_shop = merchant_id: only merchant staff belong to a shop.
detail-no_such_merchant = merchant_id: no such merchant.
detail-no_such_buyer = buyer_id: no such buyer.
detail-credit_code = credit_code: not a valid unified social credit code ({ $error }).
detail-merchant_credit_code = The merchant's unified social credit code { $code } is not valid ({ $error }).
detail-batch_too_large = orders: at most { $max } per call, not { $sent }.
detail-length = { $field }: from { $min } to { $max }.
detail-chars = { $field }: from { $min } to { $max ->
    [one] { $max } character
   *[other] { $max } characters
    }.
detail-phone_format = { $field }: not a phone number: { $min_digits } to { $max_digits ->
    [one] { $max_digits } digit
   *[other] { $max_digits } digits
    }, optionally starting with +, with spaces or hyphens between.
detail-any_of = Give at least one of { $fields }.
detail-at_least = { $field }: at least { $min }.
detail-amount_range = { $field }: from ¥0.00 to { $max }.
detail-amount_paid = amount_paid: at most the items ({ $items }) plus freight ({ $freight }).
detail-order_times = paid_at ≤ shipped_at ≤ signed_at.
detail-time_in_future = { $field }: may not be in the future.
detail-time_too_early = { $field }: may not be before { $earliest }.
detail-not_json_object = not a JSON object
detail-not_csv_row = not a CSV row
detail-differs_from_first_row = differs from the order's first row (line { $line })
detail-each_sku_once = items: each sku once.
detail-order_number_taken = number: the shop already has order { $number } ({ $id }) with other contents; an import never changes an order.
detail-duplicate = The { $what } already exists.
detail-name_and_address = name and address are required: a regulator complaint names them.
detail-only_roles = Only { $roles } may do this.
detail-system_action = System actions are not available through the API.
detail-no_shop = This merchant account belongs to no shop.
detail-own_shop_only = A merchant acts for its own shop only.
detail-not_for_tokens = Notifications are for people, not API tokens.
detail-busy_password_checks = Too many password checks are waiting.
detail-busy_dossiers = Too many dossier exports are running.
detail-policy_too_soon = A policy takes effect no sooner than 7 days after it is published (E-Commerce Law, Art. 34).
detail-policy_value = Policy value “{ $name }” is out of range (hours 1 to 8760, working days up to 365).
detail-calendar = The calendar file is refused: { $rule } { $at }
detail-date_out_of_range = The date is out of range.
detail-filed_in_future = filed_on: not in the future.
detail-only_complaint_accepted = Only a 12315 complaint has an acceptance.
detail-accepted_on_range = accepted_on: between filed_on and today.
detail-json = The body does not fit at line { $line }, column { $column }: { $problem } { $name }
detail-json_field = { $name }: { $problem }.
detail-wrong_type = { $field }: takes { $expected }.
detail-body_not_object = The body must be a JSON object.
detail-not_json = A change is sent as JSON, with Content-Type: application/json.
detail-cross_site = A change signed in by the session cookie is taken from this site's own pages only, not from { $origin }.
detail-unknown_field_unlisted = Unknown field “{ $field }”.
detail-no_query_parameters = Unknown query parameter “{ $field }”: this request takes none.
detail-body_not_in_time = The body paused longer than { $pause_secs } s, or came slower than { $bytes_per_sec ->
    [one] { $bytes_per_sec } byte
   *[other] { $bytes_per_sec } bytes
    } a second: send the request again.
detail-methods_allowed = This path takes { $allowed } only.
detail-empty_body = The body is empty or has no fields: this request needs { $field }.
detail-unknown_action = “{ $action }” is not an action of the API.
detail-query = The query parameter { $name } does not parse.
detail-query_twice = The query parameter { $name } is given more than once; send it once.

roles-buyer = buyers
roles-merchant = merchant staff
roles-agent = platform agents
roles-admin = administrators

no-reason-exclusion-custom_made = goods made to the consumer's order
no-reason-exclusion-perishable = fresh and perishable goods
no-reason-exclusion-digital_download = digital goods downloaded online
no-reason-exclusion-unsealed_media = audio-visual products or software unsealed by the consumer
no-reason-exclusion-periodical = delivered newspapers and periodicals
no-reason-exclusion-confirmed_risky_once_unsealed = goods confirmed at checkout as unreturnable once unsealed
no-reason-exclusion-confirmed_value_lost_on_activation = goods confirmed at checkout as losing value once activated
no-reason-exclusion-confirmed_near_expiry_or_flawed = goods confirmed at checkout as near expiry or flawed

calendar-rule-year_not_covered = no data for the year
calendar-rule-malformed = not valid JSON of the expected shape
calendar-rule-duplicate_year = a year declared twice:
calendar-rule-date_outside_year = a date listed in another year:
calendar-rule-inverted_period = a holiday period that ends before it starts:
calendar-rule-holiday_and_workday = a date both a public holiday and a make-up workday:
calendar-rule-duplicate_date = a date listed twice:
calendar-rule-make_up_workday_not_weekend = a make-up workday that is not a Saturday or Sunday:
calendar-rule-missing_source = a year without its State Council notice cited:
calendar-rule-out_of_range = dates past the representable range

uscc-error-wrong_length = it must have 18 characters
uscc-error-bad_character = a character that is not allowed
uscc-error-check_digit_mismatch = the check character does not match

# Conversations, search, notifications by email, webhooks, metrics.
detail-platform_reads_conversation = The platform reads an order's conversation; only its buyer and its shop write in it.
detail-message_needs_text_or_file = text: a message needs text or a file.
detail-control_characters = { $field }: no control or text-direction characters; line breaks and tabs are fine.
detail-one_line = { $field }: one line, without line breaks, tabs, control or text-direction characters.
detail-files_per_message = files: at most { $max ->
    [one] { $max } file
   *[other] { $max } files
} per message.
detail-confidential_in_conversation = confidential: a conversation has no file the other side may not see.
detail-no_search_word = q: no word to search for.
detail-search_words = q: at most { $max ->
    [one] { $max } word
   *[other] { $max } words
}.
detail-not_a_cursor = { $field }: not a cursor this search returned.
detail-email_address = email: an address such as name@example.com.
detail-webhook_url = url: an absolute http(s) URL without credentials.
detail-webhook_host_unresolved = url: the host does not resolve.
detail-webhook_host_not_public = url: the host resolves to { $address }, which is not on the public internet.
detail-event_types_empty = event_types: at least one event type, or “*”.
detail-subscriptions_per_shop = A shop has at most { $max ->
    [one] { $max } webhook subscription
   *[other] { $max } webhook subscriptions
}.
detail-delivery_pending = The delivery is still pending: it is being sent.
detail-metrics_readers = Metrics are for administrators and the metrics scraper.

json-problem-syntax = not JSON
json-problem-too_deep = nested too deeply (at most 128 levels)
json-problem-eof = cut off
json-problem-missing_field = a field is missing
json-problem-unknown_variant = an unknown name
json-problem-invalid_type = a value of the wrong type
json-problem-invalid_value = a value out of range
json-problem-other = a value that does not fit
json-problem-duplicate_key = a key given twice
json-type-integer = an integer
json-type-amount = an amount in whole fen (an integer: ¥12.50 is 1250)
json-type-number = a number
json-type-string = a string
json-type-boolean = true or false
json-type-list = a list
json-type-object = an object

unique-login = login
unique-merchant = merchant
unique-order_number = order number
unique-order_id = order id
unique-policy_version = policy version
unique-case = case
unique-event = event
unique-evidence = evidence

# `GET /health`: one line per provisional calendar year.
health-provisional-year = warning: calendar year { $year } is provisional: the State Council's holiday notice for { $year } is not imported, so its working-day deadlines follow the statutory holidays without make-up days (marked provisional, recomputed on import). Import it once published: redress calendar import <file> or PUT /api/v1/calendar.
