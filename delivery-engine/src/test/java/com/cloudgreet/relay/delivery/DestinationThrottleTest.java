package com.cloudgreet.relay.delivery;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import com.cloudgreet.relay.common.ratelimit.Decision;
import com.cloudgreet.relay.common.ratelimit.Limit;
import com.cloudgreet.relay.common.ratelimit.LimitState;
import com.cloudgreet.relay.common.ratelimit.RateLimiter;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import static org.assertj.core.api.Assertions.assertThat;

/** Sends waiting at once share Redis calls, and take exactly the tokens granted. */
class DestinationThrottleTest {

	private static final Limit LIMIT = new Limit("sms-provider", "ACtest", 100, 1000);

	@Test
	void waitingSendsShareOneCallPerBlock() {
		List<Integer> costs = new CopyOnWriteArrayList<>();
		RateLimiter slowRedis = (scope, limits, cost) -> {
			costs.add(cost);
			return Mono.delay(Duration.ofMillis(20)).thenReturn(new Decision(true, Duration.ZERO, List.of()));
		};
		DestinationThrottle throttle = new DestinationThrottle(slowRedis);

		Long granted = Flux.range(0, 300)
			.flatMap((i) -> throttle.acquire(LIMIT).thenReturn(i), 300)
			.count()
			.block(Duration.ofSeconds(10));

		assertThat(granted).isEqualTo(300);
		assertThat(costs.stream().mapToInt(Integer::intValue).sum()).isEqualTo(300);
		assertThat(costs).allMatch((cost) -> cost <= DestinationThrottle.MAX_BLOCK).hasSizeLessThan(30);
	}

	@Test
	void aRefusedBlockTakesWhatIsFreeAndWaitsForTheRest() {
		// A bucket of 5 tokens refilled at one per 10 ms; it refuses a cost above what it holds.
		Bucket bucket = new Bucket(5, Duration.ofMillis(10));
		DestinationThrottle throttle = new DestinationThrottle(bucket);

		long started = System.nanoTime();
		Long granted = Flux.range(0, 40)
			.flatMap((i) -> throttle.acquire(LIMIT).thenReturn(i), 40)
			.count()
			.block(Duration.ofSeconds(10));
		Duration took = Duration.ofNanos(System.nanoTime() - started);

		assertThat(granted).isEqualTo(40);
		// Every token spent went to a send: none asked for and left over.
		assertThat(bucket.spent()).isEqualTo(40);
		// 5 at once, the other 35 at one per 10 ms.
		assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis(300));
	}

	@Test
	void anUnreachableLimiterLetsSendsGo() {
		DestinationThrottle throttle = new DestinationThrottle((scope, limits, cost) -> Mono.error(new IllegalStateException("down")));

		Long granted = Flux.range(0, 50).flatMap((i) -> throttle.acquire(LIMIT).thenReturn(i), 50).count()
			.block(Duration.ofSeconds(5));

		assertThat(granted).isEqualTo(50);
	}

	/** An in-memory token bucket answering like the Redis limiter: all of a cost or nothing. */
	private static final class Bucket implements RateLimiter {

		private final long started = System.nanoTime();

		private final long initial;

		private final long refillNanos;

		private long spent;

		Bucket(long initial, Duration refill) {
			this.initial = initial;
			this.refillNanos = refill.toNanos();
		}

		@Override
		public synchronized Mono<Decision> check(String scope, List<Limit> limits, int cost) {
			long available = this.initial + (System.nanoTime() - this.started) / this.refillNanos - this.spent;
			if (cost <= available) {
				this.spent += cost;
				return Mono.just(new Decision(true, Duration.ZERO,
						List.of(new LimitState(limits.get(0), available - cost, Duration.ZERO))));
			}
			Duration wait = Duration.ofNanos((cost - available) * this.refillNanos);
			return Mono.just(new Decision(false, wait, List.of(new LimitState(limits.get(0), available, wait))));
		}

		synchronized long spent() {
			return this.spent;
		}

	}

}
