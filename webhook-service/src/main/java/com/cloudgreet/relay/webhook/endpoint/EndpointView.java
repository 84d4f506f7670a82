package com.cloudgreet.relay.webhook.endpoint;

import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * An endpoint as the API shows it. {@code secret} is present only in the answers to create and
 * rotate, the only moments a client can copy it (as with Stripe's signing secrets).
 */
public record EndpointView(String id, String url, List<String> eventTypes, String description, boolean enabled,
		String disabledReason, Instant disabledAt, Instant createdAt, Instant updatedAt,
		@JsonInclude(JsonInclude.Include.NON_NULL) Double rateLimit,
		@JsonInclude(JsonInclude.Include.NON_NULL) String secret,
		@JsonInclude(JsonInclude.Include.NON_NULL) Instant previousSecretExpiresAt) {

	static EndpointView of(Endpoint endpoint) {
		return new EndpointView(endpoint.id(), endpoint.url(), endpoint.eventTypes(), endpoint.description(),
				endpoint.enabled(), endpoint.disabledReason(), endpoint.disabledAt(), endpoint.createdAt(),
				endpoint.updatedAt(), endpoint.rateLimit(), null, null);
	}

	/** With the plaintext {@code secret} just generated (the row holds it encrypted). */
	static EndpointView withSecret(Endpoint endpoint, String secret, Instant previousSecretExpiresAt) {
		return new EndpointView(endpoint.id(), endpoint.url(), endpoint.eventTypes(), endpoint.description(),
				endpoint.enabled(), endpoint.disabledReason(), endpoint.disabledAt(), endpoint.createdAt(),
				endpoint.updatedAt(), endpoint.rateLimit(), secret, previousSecretExpiresAt);
	}

}
