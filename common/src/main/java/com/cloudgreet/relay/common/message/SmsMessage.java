package com.cloudgreet.relay.common.message;

import java.time.Instant;
import java.util.Map;
import java.util.regex.Pattern;

import com.google.i18n.phonenumbers.NumberParseException;
import com.google.i18n.phonenumbers.PhoneNumberUtil;
import com.google.i18n.phonenumbers.Phonenumber.PhoneNumber;

/**
 * An SMS request: the {@code data} of a {@code relay.sms.requested} event and the body of
 * {@code POST /v1/messages/sms}. {@code to} must be a valid number in E.164 form; {@code from}, if
 * given, is an E.164 number or an alphanumeric sender ID; {@code sendAt}, if given, schedules it.
 */
public record SmsMessage(String to, String from, String body, Map<String, String> metadata, Instant sendAt)
		implements Scheduled {

	private static final PhoneNumberUtil PHONE_NUMBERS = PhoneNumberUtil.getInstance();

	private static final Pattern E164 = Pattern.compile("\\+[1-9][0-9]{6,14}");

	/** Alphanumeric sender IDs: up to 11 characters, at least one letter (GSMA rule). */
	private static final Pattern SENDER_ID = Pattern.compile("(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11}");

	/** An SMS to send at once. */
	public SmsMessage(String to, String from, String body, Map<String, String> metadata) {
		this(to, from, body, metadata, null);
	}

	public SmsMessage {
		metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
		Violations violations = new Violations();
		if (violations.required("/to", to)) {
			checkE164(violations, "/to", to);
		}
		if (from != null) {
			checkSender(violations, "/from", from);
		}
		if (violations.required("/body", body)) {
			violations.maxLength("/body", body, Limits.SMS_BODY_LENGTH);
			violations.noControlCharacters("/body", body);
		}
		violations.metadata("/metadata", metadata);
		violations.throwIfAny();
	}

	/** A sender: an E.164 number or an alphanumeric sender id. */
	static void checkSender(Violations violations, String pointer, String from) {
		if (!SENDER_ID.matcher(from).matches()) {
			checkE164(violations, pointer, from);
		}
	}

	private static void checkE164(Violations violations, String pointer, String number) {
		if (!E164.matcher(number).matches()) {
			violations.add(pointer, "must be an E.164 number such as +14155550123");
			return;
		}
		try {
			PhoneNumber parsed = PHONE_NUMBERS.parse(number, null);
			if (!PHONE_NUMBERS.isValidNumber(parsed)) {
				violations.add(pointer, "is not a valid phone number");
			}
		}
		catch (NumberParseException ex) {
			violations.add(pointer, "is not a valid phone number (" + ex.getMessage() + ")");
		}
	}

}
