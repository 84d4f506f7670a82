package com.cloudgreet.relay.notification.sms;

import com.cloudgreet.relay.common.ratelimit.Limit;
import com.cloudgreet.relay.common.ratelimit.RateLimiter;
import com.cloudgreet.relay.delivery.DestinationThrottle;
import com.cloudgreet.relay.notification.config.NotificationProperties;
import reactor.core.publisher.Mono;

/**
 * Holds the SMS provider's send rate across every replica: the provider account is one
 * destination with one shared Redis bucket ({@link DestinationThrottle}: waits, never fails,
 * fails open without Redis).
 */
public class SmsThrottle {

	private final DestinationThrottle throttle;

	private final Limit limit;

	private final boolean enabled;

	public SmsThrottle(RateLimiter limiter, NotificationProperties.Sms settings) {
		this.throttle = new DestinationThrottle(limiter);
		this.enabled = settings.rateLimit().enabled();
		String sid = settings.twilio().accountSid();
		// An empty property (the default, and the log provider) still needs a budget id.
		String account = (sid == null || sid.isBlank()) ? "default" : sid;
		this.limit = new Limit(settings.rateLimit().name(), account, settings.rateLimit().perSecond(),
				settings.rateLimit().burst());
	}

	/** Completes when one more text may go out. */
	public Mono<Void> acquire() {
		return this.enabled ? this.throttle.acquire(this.limit) : Mono.empty();
	}

}
