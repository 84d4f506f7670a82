package com.cloudgreet.relay.webhook.endpoint;

import java.time.Instant;
import java.util.List;

/**
 * A stored webhook endpoint. {@code rateLimit} is its deliveries per second across every
 * instance, or {@code null} for none. {@code secret} and {@code previousSecrets} are the stored (encrypted)
 * forms, the previous ones only those not yet expired, newest first; only the delivery path
 * decrypts them. Never serialised as is.
 */
public record Endpoint(String id, String tenantId, String url, String description, List<String> eventTypes,
		boolean enabled, String disabledReason, Instant disabledAt, String secret, List<String> previousSecrets,
		int consecutiveFailures, Instant failingSince, Instant createdAt, Instant updatedAt, Double rateLimit) {

	public Endpoint {
		eventTypes = List.copyOf(eventTypes);
		previousSecrets = List.copyOf(previousSecrets);
	}

}
