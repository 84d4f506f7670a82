package com.cloudgreet.relay.common.ratelimit;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;

import static org.assertj.core.api.Assertions.assertThat;

/** Runs the Lua script against the real Redis at 127.0.0.1:6379 (started by .ci/run or ./dev/up). */
class RedisRateLimiterIT {

	private static final long SECOND = 1_000_000L;

	private static final long T0 = 1_700_000_000L * SECOND;

	private static LettuceConnectionFactory connections;

	private static ReactiveStringRedisTemplate redis;

	private static RedisRateLimiter limiter;

	@BeforeAll
	static void connect() {
		connections = new LettuceConnectionFactory(new RedisStandaloneConfiguration("127.0.0.1", 6379));
		connections.afterPropertiesSet();
		connections.start();
		redis = new ReactiveStringRedisTemplate(connections);
		limiter = new RedisRateLimiter(redis);
	}

	@AfterAll
	static void disconnect() {
		connections.destroy();
	}

	private static String scope() {
		return "test-" + UUID.randomUUID();
	}

	/*
	 * Tests with an explicit clock use slow rates: a key's TTL runs on Redis's real clock, so a
	 * fast bucket could expire between two calls of a slow test machine and forget its state.
	 */
	private static Decision at(String scope, long micros, List<Limit> limits) {
		return limiter.check(scope, limits, 1, Long.toString(micros)).block();
	}

	@Test
	void admitsBurstThenRejectsWithRetryAfterOfOneInterval() {
		String scope = scope();
		List<Limit> limits = List.of(new Limit("tenant", "t1", 0.1, 5));
		for (int i = 0; i < 5; i++) {
			Decision decision = at(scope, T0, limits);
			assertThat(decision.allowed()).as("request %d", i + 1).isTrue();
			assertThat(decision.tightest().remaining()).isEqualTo(4 - i);
		}
		Decision rejected = at(scope, T0, limits);
		assertThat(rejected.allowed()).isFalse();
		assertThat(rejected.retryAfter()).isEqualTo(Duration.ofSeconds(10));
		assertThat(rejected.tightest().remaining()).isZero();
		assertThat(rejected.tightest().resetAfter()).isEqualTo(Duration.ofSeconds(50));
	}

	@Test
	void refillsContinuouslyAtTheRate() {
		String scope = scope();
		List<Limit> limits = List.of(new Limit("tenant", "t1", 0.01, 2));
		assertThat(at(scope, T0, limits).allowed()).isTrue();
		assertThat(at(scope, T0, limits).allowed()).isTrue();
		assertThat(at(scope, T0 + 50 * SECOND, limits).allowed()).as("half an interval later").isFalse();
		assertThat(at(scope, T0 + 100 * SECOND, limits).allowed()).as("one interval later").isTrue();
		assertThat(at(scope, T0 + 100 * SECOND, limits).allowed()).isFalse();
	}

	@Test
	void rejectedRequestChargesNoLimit() {
		String scope = scope();
		Limit loose = new Limit("tenant", "t1", 0.01, 10);
		Limit tight = new Limit("route-sms", "t1", 0.01, 1);
		assertThat(at(scope, T0, List.of(loose, tight)).allowed()).isTrue();
		Decision rejected = at(scope, T0, List.of(loose, tight));
		assertThat(rejected.allowed()).isFalse();
		assertThat(rejected.states().get(0).remaining()).as("loose limit untouched").isEqualTo(9);
		assertThat(at(scope, T0, List.of(loose)).tightest().remaining()).isEqualTo(8);
	}

	@Test
	void costSpendsSeveralTokens() {
		String scope = scope();
		List<Limit> limits = List.of(new Limit("provider", "acct", 0.01, 5));
		assertThat(limiter.check(scope, limits, 3, Long.toString(T0)).block().tightest().remaining()).isEqualTo(2);
		assertThat(limiter.check(scope, limits, 3, Long.toString(T0)).block().allowed()).isFalse();
	}

	@Test
	void idleKeysExpireOnceTheBucketIsFull() {
		String scope = scope();
		// One token of a 0.1/s bucket spent: full again, and so forgettable, after ten seconds.
		Limit limit = new Limit("tenant", "t1", 0.1, 2);
		assertThat(limiter.check(scope, List.of(limit)).block().allowed()).isTrue();
		Long ttl = redis.getExpire(RateLimitKeys.key(scope, limit)).map(Duration::toMillis).block();
		assertThat(ttl).isBetween(1L, 10_000L);
	}

	@Test
	void concurrentCallersTogetherNeverExceedTheBurst() {
		String scope = scope();
		// A refill of one token per 1000 s keeps the test's own duration from adding tokens.
		List<Limit> limits = List.of(new Limit("tenant", "t1", 0.001, 50));
		AtomicInteger admitted = new AtomicInteger();
		Flux.range(0, 400)
			.parallel(16)
			.runOn(Schedulers.parallel())
			.flatMap((i) -> limiter.check(scope, limits))
			.filter(Decision::allowed)
			.doOnNext((d) -> admitted.incrementAndGet())
			.sequential()
			.blockLast();
		assertThat(admitted).hasValue(50);
	}

	@Test
	void anAdmittedRequestWritesItsRecordInTheSameCallAndARefusedOneDoesNot() {
		String scope = scope();
		List<Limit> limits = List.of(new Limit("tenant", "t1", 0.001, 1));
		String admittedKey = RateLimitKeys.tagged("relay:test-record:", scope, "first");
		String refusedKey = RateLimitKeys.tagged("relay:test-record:", scope, "second");
		Decision admitted = limiter
			.check(scope, limits, 1, new RedisRateLimiter.OnAdmit(admittedKey, "v1", Duration.ofSeconds(60)))
			.block();
		Decision refused = limiter
			.check(scope, limits, 1, new RedisRateLimiter.OnAdmit(refusedKey, "v2", Duration.ofSeconds(60)))
			.block();
		assertThat(admitted.allowed()).isTrue();
		assertThat(admitted.states()).hasSize(1);
		assertThat(admitted.tightest().remaining()).isZero();
		assertThat(refused.allowed()).isFalse();
		assertThat(redis.opsForValue().get(admittedKey).block()).isEqualTo("v1");
		assertThat(redis.getExpire(admittedKey).block()).isBetween(Duration.ofSeconds(1), Duration.ofSeconds(60));
		assertThat(redis.hasKey(refusedKey).block()).isFalse();
		assertThat(admittedKey).startsWith("relay:test-record:{" + scope + "}:");
	}

	@Test
	void keysOfOneScopeShareAHashTag() {
		String a = RateLimitKeys.key("ten_1", new Limit("tenant", "ten_1", 1, 1));
		String b = RateLimitKeys.key("ten_1", new Limit("route-sms", "ten_1", 1, 1));
		assertThat(a).startsWith("relay:rl:{ten_1}:");
		assertThat(b).startsWith("relay:rl:{ten_1}:");
		assertThat(RateLimitKeys.key("a}b{c", new Limit("ip", "x", 1, 1))).isEqualTo("relay:rl:{a_b_c}:ip:x");
	}

}
