package com.cloudgreet.relay.webhook.delivery;

import java.time.Duration;
import java.time.Instant;

/**
 * When an endpoint that keeps failing is switched off: after {@code consecutiveFailures} failed
 * attempts in a row that span at least {@code failingFor}. Requiring both keeps a burst of
 * failures (many events during a five-minute outage) from disabling an endpoint that is merely
 * down for a deploy, while an endpoint that is gone for days stops wasting attempts (Svix
 * disables after five days of failures).
 */
public record AutoDisableRule(boolean enabled, int consecutiveFailures, Duration failingFor) {

	public boolean shouldDisable(int failuresInARow, Instant failingSince, Instant now) {
		return this.enabled && failuresInARow >= this.consecutiveFailures && failingSince != null
				&& !failingSince.plus(this.failingFor).isAfter(now);
	}

	public String reason(int failuresInARow, Instant failingSince) {
		return "disabled automatically after " + failuresInARow + " consecutive failed attempts since " + failingSince;
	}

}
