package com.cloudgreet.relay.notification.delivery;

import java.time.Duration;
import java.util.Optional;
import java.util.function.Function;

import com.cloudgreet.relay.common.privacy.Redaction;

/**
 * What one provider call came to. Senders never signal errors: every failure, including timeouts
 * and connection errors, is classified here, so the retry decision is made once, by type.
 */
public sealed interface SendOutcome {

	/** The provider's own code (SMTP reply code, HTTP status, Twilio error code), if it gave one. */
	String providerCode();

	/**
	 * A short human-readable excerpt of what the provider said; never message bodies or secrets.
	 * Recipients are masked when an outcome is made: providers echo the address or number they
	 * refuse, and this text goes on to the delivery log, log lines, the DLT reason and alerts.
	 */
	String detail();

	/**
	 * Exhaustive case analysis (the project targets Java 17, without pattern switches): adding an
	 * outcome breaks every caller at compile time.
	 */
	<R> R match(Function<Delivered, R> delivered, Function<RetryableFailure, R> retryable,
			Function<PermanentFailure, R> permanent);

	/** The outcome name used in the delivery log and the status API. */
	default String outcomeName() {
		return match((d) -> "delivered", (r) -> "retryable_failure", (p) -> "permanent_failure");
	}

	/** Accepted by the provider; {@code providerMessageId} is its id for the message (Twilio SM sid). */
	record Delivered(String providerCode, String detail, String providerMessageId) implements SendOutcome {

		public Delivered {
			detail = Redaction.redact(detail);
		}

		@Override
		public <R> R match(Function<Delivered, R> delivered, Function<RetryableFailure, R> retryable,
				Function<PermanentFailure, R> permanent) {
			return delivered.apply(this);
		}

	}

	/** Worth trying again later; {@code retryAfter} is the provider's own hint, if any. */
	record RetryableFailure(String providerCode, String detail, Duration retryAfter) implements SendOutcome {

		public RetryableFailure {
			detail = Redaction.redact(detail);
		}

		public Optional<Duration> retryAfterHint() {
			return Optional.ofNullable(this.retryAfter);
		}

		@Override
		public <R> R match(Function<Delivered, R> delivered, Function<RetryableFailure, R> retryable,
				Function<PermanentFailure, R> permanent) {
			return retryable.apply(this);
		}

	}

	/** Will never succeed as sent (rejected recipient, invalid number): fail at once. */
	record PermanentFailure(String providerCode, String detail) implements SendOutcome {

		public PermanentFailure {
			detail = Redaction.redact(detail);
		}

		@Override
		public <R> R match(Function<Delivered, R> delivered, Function<RetryableFailure, R> retryable,
				Function<PermanentFailure, R> permanent) {
			return permanent.apply(this);
		}

	}

}
