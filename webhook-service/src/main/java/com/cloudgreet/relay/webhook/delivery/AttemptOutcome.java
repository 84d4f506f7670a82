package com.cloudgreet.relay.webhook.delivery;

import java.time.Duration;

/**
 * What one HTTP attempt came to. {@code statusCode} is null when no response arrived (timeout,
 * connection refused, address refused).
 */
public sealed interface AttemptOutcome {

	Integer statusCode();

	Duration latency();

	String responseExcerpt();

	/** A 2xx answer. */
	record Delivered(Integer statusCode, Duration latency, String responseExcerpt) implements AttemptOutcome {

		@Override
		public String name() {
			return "delivered";
		}

		@Override
		public String error() {
			return null;
		}

	}

	/**
	 * Worth retrying on the schedule: timeouts, connection errors, 3xx, 4xx and 5xx other than 410.
	 * {@code retryAfter} is the receiver's {@code Retry-After} on 429/503, if it sent one.
	 */
	record RetryableFailure(Integer statusCode, Duration latency, String responseExcerpt, String error,
			Duration retryAfter) implements AttemptOutcome {

		@Override
		public String name() {
			return "retryable_failure";
		}

	}

	/**
	 * Retrying cannot help: {@code 410 Gone} (the receiver asks us to stop, so the endpoint is
	 * disabled) or a target address the SSRF policy refuses.
	 */
	record PermanentFailure(Integer statusCode, Duration latency, String responseExcerpt, String error,
			boolean disableEndpoint) implements AttemptOutcome {

		@Override
		public String name() {
			return "permanent_failure";
		}

	}

	/** The attempt log's name of this outcome. */
	String name();

	/** What went wrong, or null for a delivered attempt. */
	String error();

}
