package com.cloudgreet.relay.common.privacy;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Masks email addresses and phone numbers in free text: provider replies, exception messages and
 * dead-letter reasons, before they become a log line, a {@code relay-dlt-reason} header or an
 * alert. Providers echo the recipient they refuse ({@code 550 5.1.1 <jane@example.com>: Recipient
 * address rejected}, {@code The 'To' number +14155550123 is not a valid phone number}), so their
 * text is personal data until it has been through here.
 *
 * <p>The patterns err on the side of masking: a refused recipient is by definition often not a
 * valid address or number, so they match the shape (anything {@code x@y}, a {@code +} followed by
 * 7 to 17 digits with the usual separators, a bare run of 8 to 15 digits, a North American
 * {@code (415) 555-0123}) rather than what a library would accept as valid. What stays readable:
 * SMTP codes ({@code 550 5.1.1}), provider error codes ({@code 21211}), ids with letters in them,
 * timestamps, addresses and ports.
 */
public final class Redaction {

	/** Replaces an email address. */
	public static final String EMAIL = "[redacted-email]";

	/** Replaces a phone number. */
	public static final String PHONE = "[redacted-phone]";

	/** Replaces what Jakarta Mail quotes of an address it could not parse ({@code in string ``jane''}). */
	public static final String QUOTED = "``[redacted]''";

	/**
	 * RFC 5322 local part (dot-atom characters, not starting with a quote or dot so that the quotes
	 * around {@code 'jane@example.com'} stay; or a quoted string), {@code @} or its URL encoding,
	 * then a domain (labels, or an address literal). Letters and digits include non-ASCII ones
	 * (SMTPUTF8 addresses).
	 */
	private static final Pattern EMAIL_ADDRESS = Pattern.compile(
			"(?:\"[^\"\\r\\n]{0,256}\"|[\\p{L}\\p{N}!#$%&*+/=?^_`{|}~-][\\p{L}\\p{N}.!#$%&'*+/=?^_`{|}~-]{0,255})"
					+ "(?:@|%40)"
					+ "(?:\\[[^\\]\\s]{1,64}\\]|[\\p{L}\\p{N}](?:[\\p{L}\\p{N}-]{0,62}[\\p{L}\\p{N}])?"
					+ "(?:\\.[\\p{L}\\p{N}](?:[\\p{L}\\p{N}-]{0,62}[\\p{L}\\p{N}])?){0,16})");

	/** Jakarta Mail's AddressException repeats the unparsable input: {@code in string ``jane''}. */
	private static final Pattern JAKARTA_QUOTED_INPUT = Pattern.compile("``.{0,512}?''");

	/**
	 * International form: {@code +}, then 7 to 17 digits, each group separated by at most two of
	 * space, dot, dash, slash or parentheses ({@code +1 (415) 555-0123}, {@code +44 (0)20 7946 0958}).
	 * Not preceded by a digit, so the {@code +01} of a time-zone offset stays.
	 */
	private static final Pattern PLUS_NUMBER = Pattern.compile("(?<![\\w+])\\+[ (]{0,2}\\d(?:[ ().\\-/]{0,2}\\d){6,16}");

	/**
	 * A bare digit run as long as a national or E.164 number without its {@code +}. Not part of a
	 * word, a decimal, a dashed id or a time, so version numbers, UUID groups and offsets stay.
	 */
	private static final Pattern BARE_NUMBER = Pattern.compile("(?<![\\w.\\-:/])\\d{8,15}(?![\\w\\-])");

	/** North American national form: {@code (415) 555-0123}, {@code 415-555-0123}, {@code 415.555.0123}. */
	private static final Pattern NANP_NUMBER = Pattern
		.compile("(?<![\\w.\\-])(?:\\(\\d{3}\\) ?|\\d{3}[ .\\-])\\d{3}[ .\\-]\\d{4}(?![\\w\\-])");

	private Redaction() {
	}

	/** The text with every email address and phone number masked; {@code null} stays {@code null}. */
	public static String redact(String text) {
		if (text == null || text.isEmpty()) {
			return text;
		}
		String masked = JAKARTA_QUOTED_INPUT.matcher(text).replaceAll(Matcher.quoteReplacement(QUOTED));
		masked = EMAIL_ADDRESS.matcher(masked).replaceAll(Matcher.quoteReplacement(EMAIL));
		masked = PLUS_NUMBER.matcher(masked).replaceAll(Matcher.quoteReplacement(PHONE));
		masked = NANP_NUMBER.matcher(masked).replaceAll(Matcher.quoteReplacement(PHONE));
		return BARE_NUMBER.matcher(masked).replaceAll(Matcher.quoteReplacement(PHONE));
	}

	/**
	 * {@code ex} for a log line: the same classes and stack traces, every message in its cause chain
	 * redacted. An unexpected error's message may quote the input that caused it (a recipient, a
	 * request body), and its stack trace is what an operator needs, so both are kept, masked.
	 */
	public static Throwable redacted(Throwable ex) {
		return (ex == null) ? null : redacted(ex, 0);
	}

	private static Throwable redacted(Throwable ex, int depth) {
		Throwable cause = (ex.getCause() == null || ex.getCause() == ex || depth >= 16) ? null
				: redacted(ex.getCause(), depth + 1);
		return new RedactedThrowable(ex, cause);
	}

	/** Stands in for the original in a log: {@code <original class>: <redacted message>}. */
	private static final class RedactedThrowable extends RuntimeException {

		RedactedThrowable(Throwable original, Throwable cause) {
			super(original.getClass().getName()
					+ ((original.getMessage() == null) ? "" : ": " + redact(original.getMessage())), cause, false, true);
			setStackTrace(original.getStackTrace());
		}

		@Override
		public String toString() {
			return getMessage();
		}

	}

}
