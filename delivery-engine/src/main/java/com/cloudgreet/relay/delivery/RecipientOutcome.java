package com.cloudgreet.relay.delivery;

import java.util.Set;

import com.cloudgreet.relay.common.privacy.Redaction;

/**
 * One recipient's answer when a provider takes a message for several at once (SMTP answers each
 * {@code RCPT TO} on its own): {@code accepted}, or {@code refused} with the server's reply code
 * and text. Kept on the attempt and shown by the status API to the tenant who sent the message;
 * {@link #toString()} masks the address, so a logged outcome never carries it.
 */
public record RecipientOutcome(String address, String outcome, String code, String detail) {

	public static final String ACCEPTED = "accepted";

	public static final String REFUSED = "refused";

	private static final Set<String> OUTCOMES = Set.of(ACCEPTED, REFUSED);

	public RecipientOutcome {
		if (address == null || address.isBlank()) {
			throw new IllegalArgumentException("a recipient outcome needs the address");
		}
		if (!OUTCOMES.contains(outcome)) {
			throw new IllegalArgumentException("a recipient's outcome is accepted or refused, not " + outcome);
		}
		// The server's text echoes the address; the address has its own field.
		detail = Redaction.redact(detail);
	}

	public static RecipientOutcome accepted(String address) {
		return new RecipientOutcome(address, ACCEPTED, null, null);
	}

	public static RecipientOutcome refused(String address, String code, String detail) {
		return new RecipientOutcome(address, REFUSED, code, detail);
	}

	public boolean isAccepted() {
		return ACCEPTED.equals(this.outcome);
	}

	@Override
	public String toString() {
		return "RecipientOutcome[" + Redaction.redact(this.address) + " " + this.outcome
				+ (this.code == null ? "" : " " + this.code) + "]";
	}

}
