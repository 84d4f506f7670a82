package com.cloudgreet.relay.common.message;

import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;

/** RFC 5322 mailbox validation, delegated to Jakarta Mail's strict parser. */
final class EmailAddresses {

	/**
	 * Invisible and layout characters: in a display name they make {@code "Bank <x@evil.example>"}
	 * render as something else entirely (Trojan Source, CVE-2021-42574), or split a look-alike name
	 * invisibly, and no legitimate name needs them. Every format character (Cf: bidirectional
	 * controls, zero-width space and joiners, soft hyphen U+00AD, word joiner, BOM, tag characters
	 * U+E0000-U+E007F), line and paragraph separators (Zl U+2028, Zp U+2029), and U+034F combining
	 * grapheme joiner, which is invisible though not Cf.
	 */
	private static final java.util.regex.Pattern INVISIBLE = java.util.regex.Pattern
		.compile("[\\p{Cf}\\p{Zl}\\p{Zp}\\u034F]");

	/**
	 * An RFC 2047 encoded word. JSON carries Unicode as it is, so a name needs no encoding here, and
	 * whether one is decoded (and so checked) would depend on the mail implementation on the
	 * classpath: refused, so every service judges a name the same way.
	 */
	private static final java.util.regex.Pattern ENCODED_WORD = java.util.regex.Pattern
		.compile("=\\?[^?\\s]+\\?[bBqQ]\\?[^?\\s]*\\?=");

	private EmailAddresses() {
	}

	/** The bare address of one mailbox, lower-cased, or {@code null} if it is not one valid mailbox. */
	static String bare(String address) {
		try {
			InternetAddress[] parsed = InternetAddress.parse(address, true);
			return parsed.length == 1 && !parsed[0].isGroup() ? parsed[0].getAddress().toLowerCase(java.util.Locale.ROOT)
					: null;
		}
		catch (AddressException ex) {
			return null;
		}
	}

	/** Checks one mailbox ({@code a@b.example} or {@code Name <a@b.example>}); groups and lists are refused. */
	static void check(Violations violations, String pointer, String address) {
		if (!violations.required(pointer, address)) {
			return;
		}
		violations.singleLine(pointer, address);
		if (INVISIBLE.matcher(address).find()) {
			violations.add(pointer, "must not contain bidirectional or invisible formatting characters");
			return;
		}
		if (ENCODED_WORD.matcher(address).find()) {
			violations.add(pointer, "must not contain RFC 2047 encoded words; send the name as plain Unicode");
			return;
		}
		if (address.length() > Limits.EMAIL_ADDRESS_LENGTH + 128) {
			violations.add(pointer, "is too long");
			return;
		}
		try {
			InternetAddress[] parsed = InternetAddress.parse(address, true);
			if (parsed.length != 1 || parsed[0].isGroup()) {
				violations.add(pointer, "must be exactly one mailbox");
				return;
			}
			InternetAddress mailbox = parsed[0];
			mailbox.validate();
			// Belt and braces: whatever the parser decodes must be clean too.
			if (mailbox.getPersonal() != null && INVISIBLE.matcher(mailbox.getPersonal()).find()) {
				violations.add(pointer, "must not contain bidirectional or invisible formatting characters");
				return;
			}
			String bare = mailbox.getAddress();
			if (bare.length() > Limits.EMAIL_ADDRESS_LENGTH || bare.indexOf('@') < 1
					|| bare.substring(bare.indexOf('@') + 1).indexOf('.') < 1) {
				violations.add(pointer, "is not a deliverable address");
			}
		}
		catch (AddressException ex) {
			violations.add(pointer, "is not a valid RFC 5322 address (" + ex.getMessage() + ")");
		}
	}

}
