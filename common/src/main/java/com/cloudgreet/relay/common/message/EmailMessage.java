package com.cloudgreet.relay.common.message;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * An email request: the {@code data} of a {@code relay.email.requested} event and the body of
 * {@code POST /v1/messages/email}. Validates itself, so a record produced straight to Kafka meets
 * the same contract as one that came through the gateway. {@code sendAt} (optional) schedules it
 * ({@link SendAt} checks the window against the acceptance time).
 */
public record EmailMessage(List<String> to, List<String> cc, List<String> bcc, String from, String replyTo,
		String subject, String text, String html, Map<String, String> metadata, Instant sendAt) implements Scheduled {

	/** An email to send at once. */
	public EmailMessage(List<String> to, List<String> cc, List<String> bcc, String from, String replyTo,
			String subject, String text, String html, Map<String, String> metadata) {
		this(to, cc, bcc, from, replyTo, subject, text, html, metadata, null);
	}

	public EmailMessage {
		to = to == null ? List.of() : List.copyOf(to);
		cc = cc == null ? List.of() : List.copyOf(cc);
		bcc = bcc == null ? List.of() : List.copyOf(bcc);
		metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
		Violations violations = new Violations();
		if (to.isEmpty()) {
			violations.add("/to", "must name at least one recipient");
		}
		int recipients = to.size() + cc.size() + bcc.size();
		if (recipients > Limits.EMAIL_RECIPIENTS) {
			violations.add("/to", "at most " + Limits.EMAIL_RECIPIENTS + " recipients across to, cc and bcc, was "
					+ recipients);
		}
		else {
			checkAll(violations, "/to", to);
			checkAll(violations, "/cc", cc);
			checkAll(violations, "/bcc", bcc);
		}
		if (from != null) {
			EmailAddresses.check(violations, "/from", from);
		}
		if (replyTo != null) {
			EmailAddresses.check(violations, "/replyTo", replyTo);
		}
		if (violations.required("/subject", subject)) {
			violations.singleLine("/subject", subject);
			violations.maxLength("/subject", subject, Limits.EMAIL_SUBJECT_LENGTH);
		}
		if ((text == null || text.isBlank()) && (html == null || html.isBlank())) {
			violations.add("/text", "text or html is required");
		}
		violations.maxLength("/text", text, Limits.EMAIL_BODY_LENGTH);
		violations.maxLength("/html", html, Limits.EMAIL_BODY_LENGTH);
		violations.metadata("/metadata", metadata);
		violations.throwIfAny();
	}

	private static void checkAll(Violations violations, String pointer, List<String> addresses) {
		for (int i = 0; i < addresses.size(); i++) {
			EmailAddresses.check(violations, pointer + "/" + i, addresses.get(i));
		}
	}

}
