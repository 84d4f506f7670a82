package com.cloudgreet.relay.gateway.ratelimit;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import com.cloudgreet.relay.common.ratelimit.Decision;
import com.cloudgreet.relay.common.ratelimit.Limit;
import com.cloudgreet.relay.common.ratelimit.RateLimiter;
import com.cloudgreet.relay.common.ratelimit.RedisRateLimiter;
import com.cloudgreet.relay.gateway.config.GatewayProperties;
import com.cloudgreet.relay.gateway.config.GatewayProperties.FailureMode;
import com.cloudgreet.relay.gateway.problem.ApiProblem;
import io.lettuce.core.RedisCommandTimeoutException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.QueryTimeoutException;
import reactor.core.publisher.Mono;

/**
 * The gateway's limiter: Redis decides while it answers; when it cannot be reached, the configured
 * failure mode applies, the degradation is visible ({@link #degradedSince()}, metrics), and
 * Redis is probed again on a timer so recovery needs no restart.
 *
 * <p>A decision that takes longer than {@code redis-timeout} is different: Redis is reachable and
 * the script may well have run and taken the token after the gateway stopped waiting. Its outcome
 * is unknown, so that one request gets a fast {@code 503} with {@code Retry-After} and the
 * limiter stays on Redis. Degrading on timeouts would let a slow Redis (a busy moment, a long
 * command of someone else's) hand every replica its local share on top of the tokens the late
 * scripts take, admitting beyond the cluster's limit. Only failures that show Redis is away
 * (connection refused, reset or closed, commands rejected while disconnected) degrade.
 */
public class ResilientRateLimiter implements RateLimiter {

	private static final Logger log = LoggerFactory.getLogger(ResilientRateLimiter.class);

	/** A slow Redis is usually a passing moment, not an outage: the client may retry soon. */
	static final Duration TIMEOUT_RETRY_AFTER = Duration.ofSeconds(1);

	private final RedisRateLimiter redis;

	private final LocalRateLimiter local;

	private final FailureMode mode;

	private final long probeIntervalNanos;

	private final Duration retryAfter;

	private final Duration timeout;

	private final AtomicReference<Instant> degradedSince = new AtomicReference<>();

	private final AtomicLong nextProbe = new AtomicLong();

	private static final String DECISIONS = "relay.gateway.rate.limit.decisions";

	/** Per source ({@code redis}, {@code local}): the rejected and the allowed counter. */
	private final Map<String, Counter[]> decisions = new ConcurrentHashMap<>();

	private final Counter redisFailures;

	private final Counter redisTimeouts;

	private final MeterRegistry meters;

	public ResilientRateLimiter(RedisRateLimiter redis, LocalRateLimiter local, GatewayProperties properties,
			MeterRegistry meters) {
		this.redis = redis;
		this.local = local;
		this.mode = properties.gateway().rateLimit().redisFailureMode();
		this.probeIntervalNanos = properties.gateway().rateLimit().redisProbeInterval().toNanos();
		this.retryAfter = properties.gateway().unavailableRetryAfter();
		this.timeout = properties.gateway().rateLimit().redisTimeout();
		this.meters = meters;
		this.redisFailures = Counter.builder("relay.gateway.rate.limit.redis.failures")
			.description("Rate-limit decisions Redis could not make")
			.register(meters);
		this.redisTimeouts = Counter.builder("relay.gateway.rate.limit.redis.timeouts")
			.description("Rate-limit decisions Redis did not answer in time (refused with 503, not degraded)")
			.register(meters);
		meters.gauge("relay.gateway.rate.limit.degraded", this.degradedSince, (since) -> since.get() == null ? 0 : 1);
	}

	/**
	 * A decision, and whether Redis wrote the request's record with it ({@code false} when there
	 * was none, the request was refused, or the decision was made without Redis).
	 */
	public record Admission(Decision decision, boolean recorded) {
	}

	@Override
	public Mono<Decision> check(String scope, List<Limit> limits, int cost) {
		return admit(scope, limits, cost, null).map(Admission::decision);
	}

	/** As {@link #check}, and writes {@code record} in the same Redis call if admitted. */
	public Mono<Admission> admit(String scope, List<Limit> limits, int cost, RedisRateLimiter.OnAdmit record) {
		if (this.degradedSince.get() != null && !probeDue()) {
			return degraded(scope, limits, cost).map((decision) -> new Admission(decision, false));
		}
		Mono<Decision> decision = (record == null) ? this.redis.check(scope, limits, cost)
				: this.redis.check(scope, limits, cost, record);
		return decision.timeout(this.timeout)
			.doOnNext((decided) -> recovered())
			.map((decided) -> new Admission(count(decided, "redis"), record != null && decided.allowed()))
			.onErrorResume((ex) -> !(ex instanceof IllegalArgumentException), (ex) -> {
				if (isTimeout(ex)) {
					return Mono.error(timedOut());
				}
				failed(ex);
				return degraded(scope, limits, cost).map((decided) -> new Admission(decided, false));
			});
	}

	/**
	 * Ours ({@code Mono.timeout}) or Lettuce's command timeout ({@code spring.data.redis.timeout},
	 * translated to {@link QueryTimeoutException}), whichever fires first.
	 */
	static boolean isTimeout(Throwable ex) {
		for (Throwable cause = ex; cause != null; cause = (cause.getCause() == cause) ? null : cause.getCause()) {
			if (cause instanceof TimeoutException || cause instanceof QueryTimeoutException
					|| cause instanceof RedisCommandTimeoutException) {
				return true;
			}
		}
		return false;
	}

	/** An unknown outcome: refuse this request, keep the limiter's state as it is. */
	private ApiProblem timedOut() {
		this.redisTimeouts.increment();
		this.meters.counter(DECISIONS, "source", "redis", "outcome", "timeout").increment();
		if (this.degradedSince.get() != null) {
			// A probe that timed out proves nothing either way: stay degraded, probe again later.
			this.nextProbe.set(System.nanoTime() + this.probeIntervalNanos);
		}
		return ApiProblem.unavailable("Rate limiting did not answer in time; nothing was accepted. Retry shortly.",
				TIMEOUT_RETRY_AFTER);
	}

	private Mono<Decision> degraded(String scope, List<Limit> limits, int cost) {
		if (this.mode == FailureMode.FAIL_CLOSED) {
			// Fail closed: without Redis no limit can be enforced exactly, and this deployment
			// prefers refusing traffic to admitting more than the limits allow.
			this.meters.counter(DECISIONS, "source", "none", "outcome", "unavailable")
				.increment();
			return Mono.error(ApiProblem.unavailable("Rate limiting is unavailable; try again shortly.", this.retryAfter));
		}
		// Fail open: a Redis outage must not take the API down with it. Each instance enforces its
		// share of every limit locally, so the cluster stays close to the configured rates.
		return this.local.check(scope, limits, cost).map((decision) -> count(decision, "local"));
	}

	private Decision count(Decision decision, String source) {
		// Looked up once: building the meter id and finding it in the registry on every request showed in profiles.
		Counter[] counters = this.decisions.computeIfAbsent(source, (key) -> new Counter[] {
				this.meters.counter(DECISIONS, "source", key, "outcome", "rejected"),
				this.meters.counter(DECISIONS, "source", key, "outcome", "allowed") });
		counters[decision.allowed() ? 1 : 0].increment();
		return decision;
	}

	/** One request per probe interval goes to Redis while degraded; the rest do not wait on it. */
	private boolean probeDue() {
		long now = System.nanoTime();
		long next = this.nextProbe.get();
		return now - next >= 0 && this.nextProbe.compareAndSet(next, now + this.probeIntervalNanos);
	}

	private void failed(Throwable ex) {
		this.redisFailures.increment();
		this.nextProbe.set(System.nanoTime() + this.probeIntervalNanos);
		if (this.degradedSince.compareAndSet(null, Instant.now())) {
			log.warn("Redis cannot decide rate limits ({}); degrading to {}", ex.toString(), this.mode);
		}
	}

	private void recovered() {
		Instant since = this.degradedSince.getAndSet(null);
		if (since != null) {
			this.local.reset();
			log.info("Redis decides rate limits again after {}", Duration.between(since, Instant.now()));
		}
	}

	/** When the current degradation began, or {@code null} while Redis decides. */
	public Instant degradedSince() {
		return this.degradedSince.get();
	}

	public FailureMode mode() {
		return this.mode;
	}

}
