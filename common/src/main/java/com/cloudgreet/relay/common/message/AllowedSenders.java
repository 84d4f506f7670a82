package com.cloudgreet.relay.common.message;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A tenant's sender allowlist: which email {@code from}/{@code replyTo} and which SMS {@code from}
 * it may use. Set through the gateway's admin API, checked by the gateway on every request and
 * again by the consumers for records produced straight to Kafka.
 *
 * <p>An email entry is a domain ({@code example.com}: any address at exactly that domain, not its
 * subdomains) or one address ({@code noreply@acme.io}); matching ignores case. An SMS entry is an
 * E.164 number or an alphanumeric sender id, matched exactly. An empty list allows no custom
 * sender at all: requests must leave the field out and get the service's default sender.
 *
 * @param email allowed email domains and addresses
 * @param sms allowed SMS sender numbers and ids
 */
public record AllowedSenders(List<String> email, List<String> sms) {

	/** Bounds the cost of a check and of the admin API's answer. */
	public static final int MAX_ENTRIES = 100;

	public static final AllowedSenders NONE = new AllowedSenders(List.of(), List.of());

	/** A DNS name of at least two labels (RFC 1123 labels). */
	private static final Pattern DOMAIN = Pattern
		.compile("(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");

	public AllowedSenders {
		Violations violations = new Violations();
		email = normalise(violations, "/email", email, AllowedSenders::emailEntry);
		sms = normalise(violations, "/sms", sms, AllowedSenders::smsEntry);
		violations.throwIfAny();
	}

	/** The violations of an email request's {@code from} and {@code replyTo}; empty if both are allowed. */
	public List<Violation> check(EmailMessage message) {
		List<Violation> found = new ArrayList<>();
		checkEmail(found, "/from", message.from());
		checkEmail(found, "/replyTo", message.replyTo());
		return found;
	}

	/** The violations of an SMS request's {@code from}; empty if it is allowed. */
	public List<Violation> check(SmsMessage message) {
		List<Violation> found = new ArrayList<>();
		if (message.from() != null && !this.sms.contains(message.from())) {
			found.add(new Violation("/from", refusal(this.sms)));
		}
		return found;
	}

	private void checkEmail(List<Violation> found, String pointer, String address) {
		if (address == null) {
			return;
		}
		String bare = EmailAddresses.bare(address);
		String domain = bare == null ? null : bare.substring(bare.lastIndexOf('@') + 1);
		if (bare == null || !(this.email.contains(bare) || this.email.contains(domain))) {
			found.add(new Violation(pointer, refusal(this.email)));
		}
	}

	/** Says why without echoing the address: these reasons reach DLT headers and alerts too. */
	private static String refusal(List<String> allowed) {
		return allowed.isEmpty()
				? "no custom sender is allowed for this tenant; leave it out to use the service's default sender"
				: "is not one of this tenant's allowed senders";
	}

	private interface EntryCheck {

		String normalise(Violations violations, String pointer, String entry);

	}

	private static List<String> normalise(Violations violations, String pointer, List<String> entries,
			EntryCheck check) {
		if (entries == null) {
			return List.of();
		}
		if (entries.size() > MAX_ENTRIES) {
			violations.add(pointer, "must have at most " + MAX_ENTRIES + " entries");
			return List.of();
		}
		LinkedHashSet<String> normalised = new LinkedHashSet<>();
		for (int i = 0; i < entries.size(); i++) {
			String entry = entries.get(i);
			if (violations.required(pointer + "/" + i, entry)) {
				String value = check.normalise(violations, pointer + "/" + i, entry.trim());
				if (value != null) {
					normalised.add(value);
				}
			}
		}
		return List.copyOf(normalised);
	}

	private static String emailEntry(Violations violations, String pointer, String entry) {
		String lower = entry.toLowerCase(Locale.ROOT);
		if (lower.indexOf('@') < 0) {
			if (!DOMAIN.matcher(lower).matches()) {
				violations.add(pointer, "must be a domain such as example.com or an address such as noreply@example.com");
				return null;
			}
			return lower;
		}
		Violations local = new Violations();
		EmailAddresses.check(local, pointer, entry);
		String bare = EmailAddresses.bare(entry);
		if (!local.isEmpty() || bare == null || !bare.equals(lower)) {
			violations.add(pointer, "must be a domain such as example.com or a bare address such as noreply@example.com");
			return null;
		}
		return bare;
	}

	private static String smsEntry(Violations violations, String pointer, String entry) {
		Violations local = new Violations();
		SmsMessage.checkSender(local, pointer, entry);
		if (!local.isEmpty()) {
			violations.add(pointer, "must be an E.164 number such as +14155550100 or an alphanumeric sender id "
					+ "(1 to 11 letters, digits or spaces, at least one letter)");
			return null;
		}
		return entry;
	}

}
