package com.cloudgreet.relay.notification.sms;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import com.cloudgreet.relay.common.ratelimit.Decision;
import com.cloudgreet.relay.common.ratelimit.Limit;
import com.cloudgreet.relay.common.ratelimit.RateLimiter;
import com.cloudgreet.relay.notification.config.NotificationProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

/**
 * Holds the SMS provider's send rate across every replica: each send first takes a token from one
 * shared Redis bucket, and waits (never fails) until one is free.
 */
public class SmsThrottle {

	private static final Logger log = LoggerFactory.getLogger(SmsThrottle.class);

	/** Spreads the wake-ups of replicas that were refused at the same moment. */
	private static final long MAX_JITTER_MILLIS = 20;

	private final RateLimiter limiter;

	private final Limit limit;

	private final boolean enabled;

	public SmsThrottle(RateLimiter limiter, NotificationProperties.Sms settings) {
		this.limiter = limiter;
		this.enabled = settings.rateLimit().enabled();
		String sid = settings.twilio().accountSid();
		// An empty property (the default, and the log provider) still needs a budget id.
		String account = (sid == null || sid.isBlank()) ? "default" : sid;
		this.limit = new Limit(settings.rateLimit().name(), account, settings.rateLimit().perSecond(),
				settings.rateLimit().burst());
	}

	/** Completes when one more text may go out. */
	public Mono<Void> acquire() {
		if (!this.enabled) {
			return Mono.empty();
		}
		return Mono.defer(() -> this.limiter.check(this.limit.name(), List.of(this.limit)))
			.onErrorResume((ex) -> {
				// Fail open: an unreachable Redis must not stop delivery. The provider enforces its
				// own limit too, and its 429 + Retry-After is honoured, so overshoot corrects itself.
				log.warn("SMS rate limiter unavailable, sending without the shared limit: {}", ex.toString());
				return Mono.just(new Decision(true, Duration.ZERO, List.of()));
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
