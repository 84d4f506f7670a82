package com.cloudgreet.relay.gateway.openapi;

import java.util.List;

/** Shapes of answers, for the OpenAPI document only (handlers write these as JSON bytes). */
public final class ApiSchemas {

	private ApiSchemas() {
	}

	/** The 202 answer to a message or event. */
	public record Accepted(String id, String status, String channel) {
	}

	/** The status of a message or event ({@code deliveries} and {@code eventType} only for events). */
	public record MessageStatus(String id, String channel, String status, String eventType, String createdAt,
			String updatedAt, List<Attempt> attempts, List<Delivery> deliveries, Next next) {

		/** Cursors for the rest (null on the last page): pass each back as the query parameter of its name. */
		public record Next(String attemptsAfter, String deliveriesAfter) {
		}

		/**
		 * {@code recipients}: email only, each recipient's answer to the attempt. {@code provider}:
		 * email and SMS only, the provider that answered (failover: {@code primary} or a name from
		 * relay.email.providers / relay.sms.providers); null when every provider's circuit breaker
		 * was open, so nothing was sent. Named MessageAttempt: the endpoint API's attempts are
		 * "Attempt", and one name for both left this one out of the document.
		 */
		@io.swagger.v3.oas.annotations.media.Schema(name = "MessageAttempt")
		public record Attempt(int number, String at, String outcome, String provider, String providerCode,
				String detail, Long latencyMs, List<Recipient> recipients) {
		}

		/** {@code outcome} is {@code accepted} or {@code refused}; a refusal has the SMTP reply code and text. */
		public record Recipient(String address, String outcome, String code, String detail) {
		}

		public record Delivery(String id, String endpointId, String url, String status, String nextAttemptAt,
				List<Attempt> attempts) {
		}

	}

	/** An RFC 9457 problem, with {@code errors} for validation failures. */
	public record Problem(String type, String title, int status, String detail, String instance, List<Error> errors) {

		public record Error(String pointer, String detail) {
		}

	}

}
