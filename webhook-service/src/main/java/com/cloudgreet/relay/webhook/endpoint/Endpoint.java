package com.cloudgreet.relay.webhook.endpoint;

import java.time.Instant;
import java.util.List;

/** A stored webhook endpoint, secrets included: never serialised as is. */
public record Endpoint(String id, String tenantId, String url, String description, List<String> eventTypes,
		boolean enabled, String disabledReason, Instant disabledAt, String secret, String previousSecret,
		Instant previousSecretExpiresAt, int consecutiveFailures, Instant failingSince, Instant createdAt,
		Instant updatedAt) {

	public Endpoint {
		eventTypes = List.copyOf(eventTypes);
	}

}
