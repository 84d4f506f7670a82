package com.cloudgreet.relay.common.ratelimit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.springframework.core.io.ClassPathResource;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import reactor.core.publisher.Mono;

/**
 * {@link RateLimiter} backed by one Lua script ({@code scripts/rate_limit.lua}): every limit of a
 * request is decided and charged atomically in a single round trip, on Redis server time, so any
 * number of replicas together admit exactly what the limits allow and a restart forgets nothing.
 * There is no read-modify-write loop to retry under contention, unlike compare-and-swap designs.
 */
public class RedisRateLimiter implements RateLimiter {

	/**
	 * Built from the script's text, read once: a resource-backed script asks its resource for a
	 * last-modified time on every call, a class-loader lookup that profiling put at 46% of the
	 * gateway's CPU under load. A script inside a jar never changes.
	 */
	@SuppressWarnings("rawtypes")
	static final RedisScript<List> SCRIPT = RedisScript.of(readScript("scripts/rate_limit.lua"), List.class);

	private static final double MICROS_PER_SECOND = 1_000_000d;

	private final ReactiveStringRedisTemplate redis;

	public RedisRateLimiter(ReactiveStringRedisTemplate redis) {
		this.redis = redis;
	}

	/**
	 * A value to {@code SET} (with a time to live) in the same atomic call as the decision, only if
	 * the request is admitted: one round trip instead of two for a caller that must record what it
	 * admitted. The key must carry the decision's scope as its hash tag ({@link RateLimitKeys#tagged}),
	 * or Redis Cluster refuses the script.
	 */
	public record OnAdmit(String key, String value, Duration ttl) {
	}

	@Override
	public Mono<Decision> check(String scope, List<Limit> limits, int cost) {
		return check(scope, limits, cost, "", null);
	}

	/** As {@link #check(String, List, int)}, and writes {@code record} if the request is admitted. */
	public Mono<Decision> check(String scope, List<Limit> limits, int cost, OnAdmit record) {
		return check(scope, limits, cost, "", record);
	}

	/** As {@link #check(String, List, int)} with an explicit clock in microseconds; for tests. */
	Mono<Decision> check(String scope, List<Limit> limits, int cost, String nowMicros) {
		return check(scope, limits, cost, nowMicros, null);
	}

	private Mono<Decision> check(String scope, List<Limit> limits, int cost, String nowMicros, OnAdmit record) {
		if (limits.isEmpty()) {
			return Mono.error(new IllegalArgumentException("at least one limit is required"));
		}
		if (cost < 1) {
			return Mono.error(new IllegalArgumentException("cost must be at least 1"));
		}
		List<String> keys = new ArrayList<>(limits.size() + 1);
		List<String> args = new ArrayList<>(4 + 2 * limits.size());
		args.add(Integer.toString(cost));
		args.add(nowMicros);
		args.add(record == null ? "" : Long.toString(Math.max(1, record.ttl().toMillis())));
		for (Limit limit : limits) {
			keys.add(RateLimitKeys.key(scope, limit));
			long interval = Math.max(1, Math.round(MICROS_PER_SECOND / limit.ratePerSecond()));
			args.add(Long.toString(interval));
			// Exact, not wrapped: configured limits stay far below overflow (see Limit's bounds), but a
			// fallback share or a future caller must fail loudly rather than admit everything.
			args.add(Long.toString(Math.multiplyExact(interval, limit.burst())));
		}
		if (record != null) {
			keys.add(record.key());
			args.add(record.value());
		}
		return this.redis.execute(SCRIPT, keys, args).next().map((reply) -> decision(limits, reply));
	}

	private static Decision decision(List<Limit> limits, List<?> reply) {
		boolean allowed = number(reply.get(0)) == 1;
		Duration retryAfter = micros(number(reply.get(1)));
		List<LimitState> states = new ArrayList<>(limits.size());
		for (int i = 0; i < limits.size(); i++) {
			long remaining = Math.max(0, number(reply.get(2 + 2 * i)));
			states.add(new LimitState(limits.get(i), remaining, micros(number(reply.get(3 + 2 * i)))));
		}
		return new Decision(allowed, retryAfter, states);
	}

	private static String readScript(String path) {
		try (var in = new ClassPathResource(path).getInputStream()) {
			return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
		}
		catch (java.io.IOException ex) {
			throw new java.io.UncheckedIOException("Cannot read " + path, ex);
		}
	}

	private static long number(Object value) {
		return ((Number) value).longValue();
	}

	private static Duration micros(long micros) {
		return Duration.ofNanos(Math.max(0, micros) * 1000);
	}

}
