package com.cloudgreet.relay.delivery;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

import com.cloudgreet.relay.common.ratelimit.Decision;
import com.cloudgreet.relay.common.ratelimit.Limit;
import com.cloudgreet.relay.common.ratelimit.RateLimiter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Holds a destination's send rate across every replica (an SMS provider account, a webhook
 * endpoint with a rate): each send first takes a token from the destination's shared Redis bucket
 * and waits (never fails) until one is free.
 *
 * <p>Sends that wait for the same destination at the same time share one Redis call: it asks for
 * as many tokens as there are waiting sends (at most {@value #MAX_BLOCK}, at most the burst) and,
 * once granted, releases exactly that many of them at once, so no token is ever held for later.
 * While one call is out, newcomers queue for the next. One call per text was a Redis round trip
 * and a Lua script per delivery; under load it is now one per block. Granted sends continue on
 * Reactor's parallel scheduler, not on the Redis client's single I/O thread, which otherwise ran
 * every send's next steps.
 */
public class DestinationThrottle {

	private static final Logger log = LoggerFactory.getLogger(DestinationThrottle.class);

	/** The most tokens one call asks for. */
	static final int MAX_BLOCK = 64;

	/** Spreads the wake-ups of replicas that were refused at the same moment. */
	private static final long MAX_JITTER_MILLIS = 20;

	private static final Decision FAIL_OPEN = new Decision(true, Duration.ZERO, List.of());

	private final RateLimiter limiter;

	private final Scheduler continueOn;

	private final Map<Limit, Bucket> buckets = new ConcurrentHashMap<>();

	public DestinationThrottle(RateLimiter limiter) {
		this(limiter, Schedulers.parallel());
	}

	DestinationThrottle(RateLimiter limiter, Scheduler continueOn) {
		this.limiter = limiter;
		this.continueOn = continueOn;
	}

	/** Completes when one more send under {@code limit} may go out; the limit's id is its Redis scope. */
	public Mono<Void> acquire(Limit limit) {
		return Mono.create((sink) -> this.buckets.computeIfAbsent(limit, Bucket::new).enqueue(sink));
	}

	/** The sends waiting for one limit's tokens, and whether a call for them is out. */
	private final class Bucket {

		private final Limit limit;

		private final List<Limit> limits;

		/** Microseconds per token, as the limiter counts them. */
		private final long intervalMicros;

		private final ArrayDeque<MonoSink<Void>> waiting = new ArrayDeque<>();

		private boolean asking;

		Bucket(Limit limit) {
			this.limit = limit;
			this.limits = List.of(limit);
			this.intervalMicros = Math.max(1, Math.round(1_000_000d / limit.ratePerSecond()));
		}

		void enqueue(MonoSink<Void> sink) {
			int ask;
			synchronized (this) {
				this.waiting.add(sink);
				ask = nextAsk();
			}
			// A send given up (the engine stopping) takes no token.
			sink.onCancel(() -> {
				synchronized (this) {
					this.waiting.remove(sink);
				}
			});
			if (ask > 0) {
				ask(ask);
			}
		}

		/** The block to ask for now (and marks a call out), or 0 if one is out or nobody waits. Holds the lock. */
		private int nextAsk() {
			if (this.asking || this.waiting.isEmpty()) {
				return 0;
			}
			this.asking = true;
			return blockSize(this.waiting.size());
		}

		/**
		 * The call out has ended: the block to ask for next (a call is out again), or 0 when nobody
		 * waits, and then the bucket is forgotten, so destinations that come and go leave nothing
		 * behind (a send that found it just before still completes: this bucket asks for it). Holds
		 * the lock.
		 */
		private int callEnded() {
			this.asking = false;
			int next = nextAsk();
			if (next == 0) {
				DestinationThrottle.this.buckets.remove(this.limit, this);
			}
			return next;
		}

		private int blockSize(int waitingNow) {
			return (int) Math.min(Math.min(waitingNow, MAX_BLOCK), this.limit.burst());
		}

		private void ask(int cost) {
			Mono.defer(() -> DestinationThrottle.this.limiter.check(this.limit.id(), this.limits, cost))
				.onErrorResume((ex) -> {
					// Fail open: an unreachable Redis must not stop delivery. The destination enforces its
					// own limit too, and its 429 + Retry-After is honoured, so overshoot corrects itself.
					log.warn("Rate limiter unavailable, sending to {} {} without its limit: {}", this.limit.name(),
							this.limit.id(), ex.toString());
					return Mono.just(FAIL_OPEN);
				})
				.subscribe((decision) -> decided(cost, decision), (ex) -> later(Duration.ofMillis(MAX_JITTER_MILLIS)));
		}

		private void decided(int cost, Decision decision) {
			if (decision.allowed()) {
				grant(cost);
				return;
			}
			long available = decision.states().isEmpty() ? 0 : decision.states().get(0).remaining();
			if (cost > 1 && available >= 1) {
				// Fewer tokens than asked for are free now: take those rather than wait for all.
				ask((int) Math.min(cost, available));
				return;
			}
			// Nothing free: wait until one token is (the answer's wait is for the whole block).
			long micros = Math.max(0, decision.retryAfter().toNanos() / 1000 - (cost - 1) * this.intervalMicros);
			later(Duration.ofNanos(micros * 1000).plusMillis(ThreadLocalRandom.current().nextLong(MAX_JITTER_MILLIS)));
		}

		/** {@code tokens} were spent: as many waiting sends go now. */
		private void grant(int tokens) {
			List<MonoSink<Void>> granted = new ArrayList<>(tokens);
			int next;
			synchronized (this) {
				while (granted.size() < tokens && !this.waiting.isEmpty()) {
					granted.add(this.waiting.poll());
				}
				next = callEnded();
			}
			if (!granted.isEmpty()) {
				DestinationThrottle.this.continueOn.schedule(() -> granted.forEach(MonoSink::success));
			}
			if (next > 0) {
				ask(next);
			}
		}

		private void later(Duration wait) {
			Mono.delay(wait).subscribe((tick) -> {
				int next;
				synchronized (this) {
					next = callEnded();
				}
				if (next > 0) {
					ask(next);
				}
			});
		}

	}

}
