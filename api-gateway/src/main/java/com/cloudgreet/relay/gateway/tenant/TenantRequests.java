package com.cloudgreet.relay.gateway.tenant;

import com.cloudgreet.relay.common.message.AllowedSenders;
import com.cloudgreet.relay.common.message.InvalidMessageException;
import com.cloudgreet.relay.common.message.Violation;
import com.cloudgreet.relay.common.ratelimit.Limit;
import com.fasterxml.jackson.annotation.JsonInclude;

/** Bodies of the admin API; each validates itself like the message payloads do. */
public final class TenantRequests {

	private TenantRequests() {
	}

	/**
	 * {@code POST /admin/v1/tenants}.
	 *
	 * @param senders the tenant's sender allowlist; absent or empty lists allow only the default sender
	 */
	public record CreateTenant(String name, RateLimit rateLimit, AllowedSenders senders) {

		public CreateTenant {
			senders = senders == null ? AllowedSenders.NONE : senders;
			if (name == null || name.isBlank() || name.length() > 200 || name.chars().anyMatch(Character::isISOControl)) {
				throw InvalidMessageException.of("/name", "is required: 1 to 200 characters, no control characters");
			}
		}

	}

	/** {@code PUT /admin/v1/tenants/{id}/rate-limit}; {@code null} fields restore the default. */
	@JsonInclude(JsonInclude.Include.NON_NULL)
	public record RateLimit(Double requestsPerSecond, Long burst) {

		public RateLimit {
			java.util.List<Violation> violations = new java.util.ArrayList<>();
			// Bounds that keep the limiter script's arithmetic exact (see Limit).
			if (requestsPerSecond == null || !(requestsPerSecond >= Limit.MIN_RATE_PER_SECOND)
					|| requestsPerSecond > Limit.MAX_RATE_PER_SECOND) {
				violations.add(new Violation("/requestsPerSecond",
						"is required: a number from " + Limit.MIN_RATE_TEXT + " to " + Limit.MAX_RATE_TEXT));
			}
			if (burst == null || burst < 1 || burst > Limit.MAX_BURST) {
				violations.add(new Violation("/burst", "is required: an integer from 1 to " + Limit.MAX_BURST));
			}
			if (!violations.isEmpty()) {
				throw new InvalidMessageException(violations);
			}
		}

		static RateLimit of(Double requestsPerSecond, Long burst) {
			return requestsPerSecond == null || burst == null ? null : new RateLimit(requestsPerSecond, burst);
		}

	}

	/** The one answer that ever shows a key. */
	public record CreatedKey(String id, String apiKey, String keyId) {
	}

}
