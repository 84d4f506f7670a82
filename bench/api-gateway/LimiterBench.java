package bench;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import com.cloudgreet.relay.common.ratelimit.Limit;
import com.cloudgreet.relay.common.ratelimit.RedisRateLimiter;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import reactor.core.publisher.Flux;

/**
 * Limiter decisions per second through the gateway's own Redis client path: Lettuce, a
 * ReactiveStringRedisTemplate and common's RedisRateLimiter (one EVALSHA per decision), with
 * {@code concurrency} decisions in flight, over {@code tenants} distinct tenants.
 *
 * <p>Usage: java -cp CP LimiterBench.java PORT LIMITS_PER_DECISION CONCURRENCY SECONDS
 */
public class LimiterBench {

	public static void main(String[] args) {
		int port = Integer.parseInt(args[0]);
		int limitsPerDecision = Integer.parseInt(args[1]);
		int concurrency = Integer.parseInt(args[2]);
		int seconds = Integer.parseInt(args[3]);
		int tenants = 1000;

		var factory = new LettuceConnectionFactory(new RedisStandaloneConfiguration("127.0.0.1", port));
		factory.afterPropertiesSet();
		factory.start();
		var limiter = new RedisRateLimiter(new ReactiveStringRedisTemplate(factory));

		// Warm up the JIT and load the script (EVALSHA falls back to EVAL once).
		run(limiter, tenants, limitsPerDecision, concurrency, Duration.ofSeconds(3));
		long decisions = run(limiter, tenants, limitsPerDecision, concurrency, Duration.ofSeconds(seconds));
		System.out.printf("limiter: %d decisions in %d s = %.0f decisions/s (%d limit(s) each, %d in flight)%n",
				decisions, seconds, decisions / (double) seconds, limitsPerDecision, concurrency);
		factory.destroy();
	}

	private static long run(RedisRateLimiter limiter, int tenants, int limitsPerDecision, int concurrency,
			Duration duration) {
		AtomicLong done = new AtomicLong();
		long end = System.nanoTime() + duration.toNanos();
		Flux.range(0, Integer.MAX_VALUE)
			.takeWhile((i) -> System.nanoTime() < end)
			.flatMap((i) -> {
				String tenant = "bench-" + (i % tenants);
				List<Limit> limits = limitsPerDecision == 1 ? List.of(new Limit("tenant", tenant, 1e6, 1_000_000))
						: List.of(new Limit("tenant", tenant, 1e6, 1_000_000), new Limit("route-sms", tenant, 1e6, 1_000_000));
				return limiter.check(tenant, limits).doOnNext((d) -> done.incrementAndGet());
			}, concurrency)
			.blockLast();
		return done.get();
	}

}
