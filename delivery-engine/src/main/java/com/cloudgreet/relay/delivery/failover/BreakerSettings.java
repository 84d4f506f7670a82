package com.cloudgreet.relay.delivery.failover;

import java.time.Duration;

import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;

/**
 * Each provider's circuit breaker, when a channel has more than one: over the last
 * {@code slidingWindowSize} calls (once {@code minimumNumberOfCalls} were made), a failure rate of
 * {@code failureRateThreshold} percent or more opens it; after {@code waitInOpenState} it lets
 * {@code permittedCallsInHalfOpenState} calls through as probes, which close it again or reopen it.
 */
public record BreakerSettings(float failureRateThreshold, int slidingWindowSize, int minimumNumberOfCalls,
		Duration waitInOpenState, int permittedCallsInHalfOpenState) {

	public BreakerSettings {
		if (failureRateThreshold <= 0 || failureRateThreshold > 100) {
			throw new IllegalArgumentException("failureRateThreshold is a percentage in (0, 100]");
		}
		if (slidingWindowSize < 1 || minimumNumberOfCalls < 1 || permittedCallsInHalfOpenState < 1) {
			throw new IllegalArgumentException("window, minimum calls and half-open calls must be at least 1");
		}
		if (waitInOpenState == null || waitInOpenState.isNegative() || waitInOpenState.isZero()) {
			throw new IllegalArgumentException("waitInOpenState must be positive");
		}
	}

	public CircuitBreakerConfig config() {
		return CircuitBreakerConfig.custom()
			.slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
			.slidingWindowSize(this.slidingWindowSize)
			.minimumNumberOfCalls(this.minimumNumberOfCalls)
			.failureRateThreshold(this.failureRateThreshold)
			.waitDurationInOpenState(this.waitInOpenState)
			.permittedNumberOfCallsInHalfOpenState(this.permittedCallsInHalfOpenState)
			// Half-open on the first call after the wait, not on a timer thread: with no traffic
			// there is nothing to probe with anyway.
			.automaticTransitionFromOpenToHalfOpenEnabled(false)
			.build();
	}

}
