package com.cloudgreet.relay.delivery;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.DoubleSupplier;

/**
 * The retry schedule as data (Svix's approach): stage {@code n} waits {@code delays[n]} after the
 * previous failure, spread by +/- {@code jitter} so a burst of failures does not retry in
 * lock-step. A receiver's {@code Retry-After} can lengthen a wait, up to {@code maxRetryAfter},
 * never shorten it. After the last stage the delivery is dead-lettered.
 */
public final class RetrySchedule {

	private final List<Duration> delays;

	private final double jitter;

	private final Duration maxRetryAfter;

	private final DoubleSupplier random;

	public RetrySchedule(List<Duration> delays, double jitter, Duration maxRetryAfter, DoubleSupplier random) {
		this.delays = List.copyOf(delays);
		this.jitter = jitter;
		this.maxRetryAfter = maxRetryAfter;
		this.random = random;
	}

	/** The wait before the next attempt, or empty when {@code retriesUsed} stages are all spent. */
	public Optional<Duration> nextDelay(int retriesUsed, Duration retryAfter) {
		if (retriesUsed >= this.delays.size()) {
			return Optional.empty();
		}
		Duration base = this.delays.get(retriesUsed);
		double factor = 1 + this.jitter * (this.random.getAsDouble() * 2 - 1);
		Duration delay = Duration.ofMillis(Math.round(base.toMillis() * factor));
		if (retryAfter != null && !retryAfter.isNegative()) {
			Duration bounded = retryAfter.compareTo(this.maxRetryAfter) > 0 ? this.maxRetryAfter : retryAfter;
			delay = bounded.compareTo(delay) > 0 ? bounded : delay;
		}
		return Optional.of(delay);
	}

	public int stages() {
		return this.delays.size();
	}

}
