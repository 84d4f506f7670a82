package com.cloudgreet.relay.gateway.ratelimit;

import java.util.List;

import com.cloudgreet.relay.common.ratelimit.Limit;
import com.cloudgreet.relay.gateway.config.GatewayProperties;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * How many API keys that no cache knows one client address may have looked up in the database
 * ({@code relay.gateway.rate-limit.key-lookup}). Without it every random {@code rk_...} costs a
 * query before any limit applies; the anonymous per-IP budget cannot be used for this, because a
 * real key must still authenticate from an address (often a shared proxy) whose failed attempts
 * spent it.
 */
@Component
public class KeyLookupBudget {

	private static final String NAME = "key-lookup";

	private final ResilientRateLimiter limiter;

	private final GatewayProperties.RateLimit properties;

	public KeyLookupBudget(ResilientRateLimiter limiter, GatewayProperties properties) {
		this.limiter = limiter;
		this.properties = properties.gateway().rateLimit();
	}

	/** Takes one lookup from {@code clientIp}'s budget, or fails with {@code 429} when it is spent. */
	public Mono<Void> spend(String clientIp) {
		if (!this.properties.enabled()) {
			return Mono.empty();
		}
		GatewayProperties.Rate rate = this.properties.keyLookup();
		Limit limit = new Limit(NAME, clientIp, rate.requestsPerSecond(), rate.burst());
		// The scope of the per-IP limit: its keys share a Redis Cluster slot with this one.
		return this.limiter.check("ip:" + clientIp, List.of(limit), 1)
			.flatMap((decision) -> decision.allowed() ? Mono.<Void>empty()
					: Mono.error(RateLimitFilter.refusal(decision)));
	}

}
