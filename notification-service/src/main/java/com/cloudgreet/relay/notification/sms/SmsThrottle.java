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
		this(limiter, settings.rateLimit().enabled(), new Limit(settings.rateLimit().name(),
				accountOf(settings.twilio().accountSid()), settings.rateLimit().perSecond(), settings.rateLimit().burst()));
	}

	/** A failover account's throttle: its own bucket, named by its account SID like the first one's. */
	public SmsThrottle(RateLimiter limiter, NotificationProperties.Sms settings, NotificationProperties.SmsAccount account) {
		this(limiter, settings.rateLimit().enabled(), new Limit(settings.rateLimit().name(),
				accountOf(account.accountSid()),
				account.perSecond() != null ? account.perSecond() : settings.rateLimit().perSecond(),
				account.burst() != null ? account.burst() : settings.rateLimit().burst()));
	}

	private SmsThrottle(RateLimiter limiter, boolean enabled, Limit limit) {
		this.throttle = new DestinationThrottle(limiter);
		this.enabled = enabled;
		this.limit = limit;
	}

	/** An empty property (the default, and the log provider) still needs a budget id. */
	private static String accountOf(String sid) {
		return (sid == null || sid.isBlank()) ? "default" : sid;
	}

	/** Completes when one more text may go out. */
	public Mono<Void> acquire() {
		return this.enabled ? this.throttle.acquire(this.limit) : Mono.empty();
	}

}
