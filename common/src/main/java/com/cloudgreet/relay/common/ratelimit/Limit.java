package com.cloudgreet.relay.common.ratelimit;

/**
 * One limit that applies to a request: a token bucket of {@code burst} tokens refilled at
 * {@code ratePerSecond}. {@code name} identifies it in headers and metrics ({@code tenant},
 * {@code ip}, {@code route-sms}, {@code twilio}); {@code id} is whose budget it is (a tenant id, an
 * IP address, a provider account).
 */
public record Limit(String name, String id, double ratePerSecond, long burst) {

	public Limit {
		if (name == null || !name.matches("[a-z0-9\\-]{1,32}")) {
			throw new IllegalArgumentException("name must be 1-32 of [a-z0-9-], was " + name);
		}
		if (id == null || id.isEmpty() || id.length() > 200) {
			throw new IllegalArgumentException("id must be 1-200 characters");
		}
		if (!(ratePerSecond > 0)) {
			throw new IllegalArgumentException("ratePerSecond must be positive, was " + ratePerSecond);
		}
		if (burst < 1) {
			throw new IllegalArgumentException("burst must be at least 1, was " + burst);
		}
	}

}
