package com.cloudgreet.relay.gateway.console;

import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * What the console pages show, read from the owners' internal answers. Unknown fields are ignored:
 * the owners may add fields without breaking the console.
 */
final class ConsoleViews {

	private ConsoleViews() {
	}

	@JsonIgnoreProperties(ignoreUnknown = true)
	record Endpoint(String id, String url, List<String> eventTypes, String description, boolean enabled,
			String disabledReason, Instant createdAt) {
	}

	@JsonIgnoreProperties(ignoreUnknown = true)
	record EndpointPage(List<Endpoint> data, String next) {
	}

	@JsonIgnoreProperties(ignoreUnknown = true)
	record MessageSummary(String id, String channel, String status, String eventType, Instant createdAt) {
	}

	@JsonIgnoreProperties(ignoreUnknown = true)
	record MessagePage(List<MessageSummary> data, String next) {
	}

	@JsonIgnoreProperties(ignoreUnknown = true)
	record Attempt(int number, Instant at, String outcome, String providerCode, String detail, long latencyMs,
			String endpointId, Integer statusCode, String responseExcerpt, String error) {
	}

	@JsonIgnoreProperties(ignoreUnknown = true)
	record Delivery(String id, String endpointId, String url, String status) {
	}

	@JsonIgnoreProperties(ignoreUnknown = true)
	record Message(String id, String channel, String status, String eventType, Instant createdAt, Instant updatedAt,
			List<Attempt> attempts, List<Delivery> deliveries) {

		Message {
			attempts = attempts == null ? List.of() : attempts;
			deliveries = deliveries == null ? List.of() : deliveries;
		}

		/** Only what the grant covers: a link limited to some endpoints shows their deliveries alone. */
		Message within(PortalGrant grant) {
			return new Message(this.id, this.channel, this.status, this.eventType, this.createdAt, this.updatedAt,
					this.attempts.stream().filter((a) -> a.endpointId() == null || grant.allows(a.endpointId())).toList(),
					this.deliveries.stream().filter((d) -> grant.allows(d.endpointId())).toList());
		}

	}

}
