package com.cloudgreet.relay.gateway.ratelimit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import com.cloudgreet.relay.common.ratelimit.Decision;
import com.cloudgreet.relay.common.ratelimit.Limit;
import com.cloudgreet.relay.common.ratelimit.LimitState;
import com.cloudgreet.relay.common.ratelimit.RateLimitKeys;
import com.cloudgreet.relay.common.ratelimit.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.github.resilience4j.ratelimiter.internal.AtomicRateLimiter;
import reactor.core.publisher.Mono;

/**
 * The fail-open fallback: one resilience4j RateLimiter per limit, in this process only. Each
 * instance admits its share of a limit (the limit divided by the expected replica count), so the
 * cluster as a whole stays near the configured limit while Redis is away, without coordination.
 *
 * <p>resilience4j's limiter is a refilling window: {@code burst / replicas} permits per
 * {@code burst / rate} seconds gives the same average rate and a comparable burst.
 */
public class LocalRateLimiter implements RateLimiter {

	/** Bounds memory during a long outage with many distinct clients; losing state only resets budgets. */
	private static final int MAX_LIMITERS = 50_000;

	private final int replicas;

	private final Map<String, Local> limiters = new ConcurrentHashMap<>();

	private record Local(Limit share, io.github.resilience4j.ratelimiter.RateLimiter limiter) {
	}

	public LocalRateLimiter(int replicas) {
		this.replicas = replicas;
	}

	@Override
	public Mono<Decision> check(String scope, List<Limit> limits, int cost) {
		return Mono.fromSupplier(() -> decide(scope, limits, cost));
	}

	/**
	 * Synchronous and non-blocking (a zero wait time): a Reactor operator around it would add
	 * nothing. Unlike the Redis script, permits taken from an earlier limit are not given back
	 * when a later one refuses; in a degraded mode that small over-charge is acceptable.
	 */
	private Decision decide(String scope, List<Limit> limits, int cost) {
		boolean allowed = true;
		Duration retryAfter = Duration.ZERO;
		List<LimitState> states = new ArrayList<>(limits.size());
		for (Limit limit : limits) {
			Local local = local(scope, limit);
			var limiter = local.limiter();
			if (allowed && !limiter.acquirePermission(cost)) {
				allowed = false;
			}
			var metrics = limiter.getMetrics();
			long remaining = Math.max(0, metrics.getAvailablePermissions());
			Duration wait = metrics instanceof AtomicRateLimiter.AtomicRateLimiterMetrics atomic
					? Duration.ofNanos(Math.max(0, atomic.getNanosToWait()))
					: limiter.getRateLimiterConfig().getLimitRefreshPeriod();
			if (!allowed && wait.compareTo(retryAfter) > 0) {
				retryAfter = wait;
			}
			Duration refill = limiter.getRateLimiterConfig().getLimitRefreshPeriod();
			states.add(new LimitState(local.share(), remaining, remaining >= local.share().burst() ? Duration.ZERO : refill));
		}
		if (!allowed && retryAfter.isZero()) {
			retryAfter = Duration.ofSeconds(1);
		}
		return new Decision(allowed, retryAfter, states);
	}

	private Local local(String scope, Limit limit) {
		String key = RateLimitKeys.key(scope, limit) + ":" + limit.ratePerSecond() + ":" + limit.burst();
		Local local = this.limiters.get(key);
		if (local != null) {
			return local;
		}
		if (this.limiters.size() >= MAX_LIMITERS) {
			this.limiters.clear();
		}
		return this.limiters.computeIfAbsent(key, (k) -> create(k, limit));
	}

	private Local create(String name, Limit limit) {
		long share = Math.max(1, limit.burst() / this.replicas);
		double rate = limit.ratePerSecond() / this.replicas;
		Duration period = Duration.ofNanos(Math.max(1_000_000L, Math.round(share / rate * 1e9)));
		RateLimiterConfig config = RateLimiterConfig.custom()
			.limitForPeriod((int) Math.min(Integer.MAX_VALUE, share))
			.limitRefreshPeriod(period)
			.timeoutDuration(Duration.ZERO)
			.build();
		return new Local(new Limit(limit.name(), limit.id(), rate, share),
				io.github.resilience4j.ratelimiter.RateLimiter.of(name, config));
	}

	/** Forgets every local budget; called when Redis is back and decides again. */
	public void reset() {
		this.limiters.clear();
	}

	int size() {
		return this.limiters.size();
	}

}
