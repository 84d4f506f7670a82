package com.cloudgreet.relay.delivery;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import com.cloudgreet.relay.common.ratelimit.Decision;
import com.cloudgreet.relay.common.ratelimit.Limit;
import com.cloudgreet.relay.common.ratelimit.RateLimiter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

/**
 * Holds a destination's send rate across every replica (an SMS provider account, a webhook
 * endpoint with a rate): each send first takes a token from the destination's shared Redis bucket
 * and waits (never fails) until one is free.
 */
public class DestinationThrottle {

	private static final Logger log = LoggerFactory.getLogger(DestinationThrottle.class);

	/** Spreads the wake-ups of replicas that were refused at the same moment. */
	private static final long MAX_JITTER_MILLIS = 20;

	private static final Decision FAIL_OPEN = new Decision(true, Duration.ZERO, List.of());

	private final RateLimiter limiter;

	public DestinationThrottle(RateLimiter limiter) {
		this.limiter = limiter;
	}

	/** Completes when one more send under {@code limit} may go out; the limit's id is its Redis scope. */
	public Mono<Void> acquire(Limit limit) {
		List<Limit> limits = List.of(limit);
		return Mono.defer(() -> this.limiter.check(limit.id(), limits))
			.onErrorResume((ex) -> {
				// Fail open: an unreachable Redis must not stop delivery. The destination enforces its
				// own limit too, and its 429 + Retry-After is honoured, so overshoot corrects itself.
				log.warn("Rate limiter unavailable, sending to {} {} without its limit: {}", limit.name(), limit.id(),
						ex.toString());
				return Mono.just(FAIL_OPEN);
			})
			.flatMap((decision) -> decision.allowed() ? Mono.<Void>empty()
					: Mono.delay(decision.retryAfter().plusMillis(ThreadLocalRandom.current().nextLong(MAX_JITTER_MILLIS)))
						.then(Mono.error(Refused.INSTANCE)))
			.retryWhen(Retry.indefinitely().filter(Refused.class::isInstance));
	}

	private static final class Refused extends RuntimeException {

		static final Refused INSTANCE = new Refused();

		private Refused() {
			super("rate limited", null, false, false);
		}

	}

}
