package com.cloudgreet.relay.gateway.ratelimit;

import java.time.Instant;

import org.springframework.boot.health.contributor.AbstractReactiveHealthIndicator;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import reactor.core.publisher.Mono;

/**
 * Shows whether rate limits are decided exactly (Redis) or degraded: {@code DEGRADED} while
 * failing open on local limiters, {@code DOWN} while failing closed.
 */
public class RateLimiterHealthIndicator extends AbstractReactiveHealthIndicator {

	public static final Status DEGRADED = new Status("DEGRADED", "Rate limits are enforced per instance only");

	private final ResilientRateLimiter limiter;

	public RateLimiterHealthIndicator(ResilientRateLimiter limiter) {
		this.limiter = limiter;
	}

	@Override
	protected Mono<Health> doHealthCheck(Health.Builder builder) {
		Instant since = this.limiter.degradedSince();
		builder.withDetail("failureMode", this.limiter.mode().name().toLowerCase().replace('_', '-'));
		if (since == null) {
			return Mono.just(builder.up().withDetail("source", "redis").build());
		}
		builder.withDetail("degradedSince", since.toString());
		return Mono.just(switch (this.limiter.mode()) {
			case FAIL_OPEN -> builder.status(DEGRADED).withDetail("source", "local").build();
			case FAIL_CLOSED -> builder.down().withDetail("source", "none").build();
		});
	}

}
