package com.cloudgreet.relay.delivery;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

import com.cloudgreet.relay.common.privacy.Redaction;

/**
 * What one provider call came to, for every channel. Senders never signal errors: every failure,
 * timeouts and connection errors included, is classified into one of these, so the engine decides
 * retries once, by type.
 */
public sealed interface Outcome {

	/** The provider's own code (SMTP reply code, HTTP status, Twilio error code), if it gave one. */
	String providerCode();

	/**
	 * A short human-readable excerpt of what the provider said; never message bodies or secrets.
	 * Recipients are masked when an outcome is made: providers echo the address or number they
	 * refuse, and this text goes on to the attempt log, log lines, the DLT reason and alerts.
	 */
	String detail();

	/**
	 * What the receiver answered, verbatim and bounded (a webhook's response excerpt), for the
	 * attempt log; {@code null} for channels that keep only {@link #detail()}.
	 */
	default String response() {
		return null;
	}

	/** Exhaustive case analysis (Java 17 has no pattern switch): a new outcome breaks every caller. */
	<R> R match(Function<Delivered, R> delivered, Function<Retryable, R> retryable, Function<Permanent, R> permanent,
			Function<AccountFailure, R> account);

	/** The outcome's name in the attempt log and the status API. */
	default String outcomeName() {
		return match((d) -> "delivered", (r) -> "retryable_failure", (p) -> "permanent_failure",
				(a) -> "account_failure");
	}

	/**
	 * Each recipient's answer, when the provider answered per recipient (SMTP with
	 * {@code sendpartial}); empty for channels that send to one destination.
	 */
	default List<RecipientOutcome> recipients() {
		return List.of();
	}

	/** {@code providerCode detail}, as the attempt log, DLT reasons and alerts show it. */
	default String describe() {
		String code = providerCode() == null ? "" : providerCode() + " ";
		return code + (detail() == null ? "" : detail());
	}

	/** Accepted by the provider; {@code providerMessageId} is its id for the message (Twilio SM sid). */
	record Delivered(String providerCode, String detail, String providerMessageId, String response,
			List<RecipientOutcome> recipients) implements Outcome {

		public Delivered {
			detail = Redaction.redact(detail);
			recipients = recipients == null ? List.of() : List.copyOf(recipients);
		}

		public Delivered(String providerCode, String detail, String providerMessageId) {
			this(providerCode, detail, providerMessageId, null, List.of());
		}

		public Delivered(String providerCode, String detail, String providerMessageId, String response) {
			this(providerCode, detail, providerMessageId, response, List.of());
		}

		public Delivered(String providerCode, String detail, String providerMessageId,
				List<RecipientOutcome> recipients) {
			this(providerCode, detail, providerMessageId, null, recipients);
		}

		@Override
		public <R> R match(Function<Delivered, R> delivered, Function<Retryable, R> retryable,
				Function<Permanent, R> permanent, Function<AccountFailure, R> account) {
			return delivered.apply(this);
		}

	}

	/** Worth trying again later; {@code retryAfter} is the provider's own hint, if any. */
	record Retryable(String providerCode, String detail, Duration retryAfter, String response,
			List<RecipientOutcome> recipients) implements Outcome {

		public Retryable {
			detail = Redaction.redact(detail);
			recipients = recipients == null ? List.of() : List.copyOf(recipients);
		}

		public Retryable(String providerCode, String detail, Duration retryAfter) {
			this(providerCode, detail, retryAfter, null, List.of());
		}

		public Retryable(String providerCode, String detail, Duration retryAfter, String response) {
			this(providerCode, detail, retryAfter, response, List.of());
		}

		public Retryable(String providerCode, String detail, Duration retryAfter, List<RecipientOutcome> recipients) {
			this(providerCode, detail, retryAfter, null, recipients);
		}

		public Optional<Duration> retryAfterHint() {
			return Optional.ofNullable(this.retryAfter);
		}

		@Override
		public <R> R match(Function<Delivered, R> delivered, Function<Retryable, R> retryable,
				Function<Permanent, R> permanent, Function<AccountFailure, R> account) {
			return retryable.apply(this);
		}

	}

	/** Will never succeed as sent (rejected recipient, invalid number): fail at once. */
	record Permanent(String providerCode, String detail, String response, List<RecipientOutcome> recipients)
			implements Outcome {

		public Permanent {
			detail = Redaction.redact(detail);
			recipients = recipients == null ? List.of() : List.copyOf(recipients);
		}

		public Permanent(String providerCode, String detail) {
			this(providerCode, detail, null, List.of());
		}

		public Permanent(String providerCode, String detail, String response) {
			this(providerCode, detail, response, List.of());
		}

		public Permanent(String providerCode, String detail, List<RecipientOutcome> recipients) {
			this(providerCode, detail, null, recipients);
		}

		@Override
		public <R> R match(Function<Delivered, R> delivered, Function<Retryable, R> retryable,
				Function<Permanent, R> permanent, Function<AccountFailure, R> account) {
			return permanent.apply(this);
		}

	}

	/**
	 * The provider refused our account, not the message (401/403/404 from an HTTP API, a failed SMTP
	 * login): every message would fail alike, so it is not the message's attempt. The engine pauses
	 * the channel, alerts, and gives the message back unspent.
	 */
	record AccountFailure(String providerCode, String detail) implements Outcome {

		public AccountFailure {
			detail = Redaction.redact(detail);
		}

		@Override
		public <R> R match(Function<Delivered, R> delivered, Function<Retryable, R> retryable,
				Function<Permanent, R> permanent, Function<AccountFailure, R> account) {
			return account.apply(this);
		}

	}

}
