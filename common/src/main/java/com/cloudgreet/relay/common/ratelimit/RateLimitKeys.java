package com.cloudgreet.relay.common.ratelimit;

/**
 * Redis key names of the rate limiter. The scope sits in a {hash tag}, so every key of one
 * decision hashes to the same Redis Cluster slot and one script may touch them all.
 */
public final class RateLimitKeys {

	private static final String PREFIX = "relay:rl:";

	private RateLimitKeys() {
	}

	public static String key(String scope, Limit limit) {
		return PREFIX + "{" + sanitize(scope) + "}:" + limit.name() + ":" + sanitize(limit.id());
	}

	/**
	 * A key of another kind ({@code prefix} such as {@code relay:accepted:}) in the slot of
	 * {@code scope}'s limits, so one script call may write it beside the decision.
	 */
	public static String tagged(String prefix, String scope, String name) {
		return prefix + "{" + sanitize(scope) + "}:" + name;
	}

	/** Braces would break the hash tag; nothing else in a scope is special to Redis. */
	private static String sanitize(String part) {
		return part.replace('{', '_').replace('}', '_');
	}

}
