package com.cloudgreet.relay.common.ratelimit;

/**
 * One limit that applies to a request: a token bucket of {@code burst} tokens refilled at
 * {@code ratePerSecond}. {@code name} identifies it in headers and metrics ({@code tenant},
 * {@code ip}, {@code route-sms}, {@code twilio}); {@code id} is whose budget it is (a tenant id, an
 * IP address, a provider account).
 */
public record Limit(String name, String id, double ratePerSecond, long burst) {

	/*
	 * Bounds of a configured limit (admin API, properties), from the script's arithmetic
	 * (scripts/rate_limit.lua): it works in microseconds on Lua numbers, which are doubles and
	 * exact only up to 2^53 (about 9.0e15). A bucket's state is "now + interval x burst" at most,
	 * with now about 1.8e15 us (2026) and interval = 1e6 / rate. The minimum rate (one request per
	 * 1000 s, interval 1e9 us) times the maximum burst (1e6) is 1e15 us (32 years): state stays
	 * below 2.8e15, exact in Lua, far from overflowing Java's long, and a valid Redis TTL. Above
	 * 1e6 per second the interval would round below 1 us, so faster rates would not be faster.
	 */

	/** Slowest allowed rate: one request per 1000 seconds. */
	public static final double MIN_RATE_PER_SECOND = 0.001;

	/** {@link #MIN_RATE_PER_SECOND} for validation annotations. */
	public static final String MIN_RATE_TEXT = "0.001";

	/** Fastest allowed rate: one request per microsecond, the script's resolution. */
	public static final double MAX_RATE_PER_SECOND = 1_000_000;

	/** {@link #MAX_RATE_PER_SECOND} for validation annotations. */
	public static final String MAX_RATE_TEXT = "1000000";

	/** Largest allowed burst. */
	public static final long MAX_BURST = 1_000_000;

	public Limit {
		if (!isName(name)) {
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

	/**
	 * 1-32 of {@code [a-z0-9-]}. A loop, not {@code String.matches}: every request builds its
	 * limits, and {@code matches} compiled the pattern each time (about 1% of the gateway's CPU).
	 */
	private static boolean isName(String name) {
		if (name == null || name.isEmpty() || name.length() > 32) {
			return false;
		}
		for (int i = 0; i < name.length(); i++) {
			char c = name.charAt(i);
			if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
				return false;
			}
		}
		return true;
	}

}
