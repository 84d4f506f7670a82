package com.cloudgreet.relay.common.ratelimit;

import java.util.List;

import reactor.core.publisher.Mono;

/**
 * Decides whether a request may proceed under every limit that applies to it, atomically.
 *
 * <p>All limits of one call share {@code scope} (e.g. a tenant id or client IP), which becomes the
 * Redis Cluster hash tag of their keys, so one script call can touch all of them.
 */
public interface RateLimiter {

	/**
	 * Spends {@code cost} tokens from every limit, or from none if any would go negative. Errors
	 * (Redis unreachable) are signalled as errors; what to do then is the caller's policy.
	 */
	Mono<Decision> check(String scope, List<Limit> limits, int cost);

	default Mono<Decision> check(String scope, List<Limit> limits) {
		return check(scope, limits, 1);
	}

}
