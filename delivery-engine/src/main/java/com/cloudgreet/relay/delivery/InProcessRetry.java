package com.cloudgreet.relay.delivery;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

import io.github.resilience4j.core.IntervalBiFunction;
import io.github.resilience4j.retry.RetryConfig;

/**
 * The few fast retries of one claim, before a retry stage is spent: resilience4j Retry over
 * {@link TransientAttempt} errors, jittered exponentially. A provider's own Retry-After replaces
 * the backoff, and one longer than {@code maxRetryAfterInProcess} ends the in-process retries so
 * the schedule in PostgreSQL takes over.
 */
public final class InProcessRetry {

	private InProcessRetry() {
	}

	public static RetryConfig config(EngineSettings settings) {
		IntervalBiFunction<Object> interval = (attempt, result) -> {
			if (result.isLeft() && result.getLeft() instanceof TransientAttempt transientAttempt
					&& transientAttempt.failure().retryAfter() != null) {
				return transientAttempt.failure().retryAfter().toMillis();
			}
			double base = settings.initialBackoff().toMillis() * Math.pow(settings.backoffMultiplier(), attempt - 1);
			return (long) (base * (0.5 + ThreadLocalRandom.current().nextDouble()));
		};
		Duration maxWait = settings.maxRetryAfterInProcess();
		return RetryConfig.custom()
			.maxAttempts(settings.inProcessAttempts())
			.intervalBiFunction(interval)
			.retryOnException((ex) -> ex instanceof TransientAttempt transientAttempt
					&& (transientAttempt.failure().retryAfter() == null
							|| transientAttempt.failure().retryAfter().compareTo(maxWait) <= 0))
			.build();
	}

	/** Carries a retryable outcome through resilience4j's error-based retry. */
	public static final class TransientAttempt extends RuntimeException {

		private final Outcome.Retryable failure;

		public TransientAttempt(Outcome.Retryable failure) {
			super(failure.describe(), null, false, false);
			this.failure = failure;
		}

		public Outcome.Retryable failure() {
			return this.failure;
		}

	}

}
