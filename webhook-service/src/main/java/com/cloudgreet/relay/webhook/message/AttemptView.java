package com.cloudgreet.relay.webhook.message;

import java.time.Instant;

/**
 * One attempt in the shared status shape ({@code number, at, outcome, providerCode, detail,
 * latencyMs}) plus the webhook specifics: which delivery and endpoint, the HTTP status, the
 * response excerpt and the error.
 */
public record AttemptView(int number, Instant at, String outcome, String providerCode, String detail, long latencyMs,
		String deliveryId, String eventId, String endpointId, Integer statusCode, String responseExcerpt,
		String error) {

	static AttemptView of(int number, Instant at, String outcome, Integer statusCode, long latencyMs,
			String responseExcerpt, String error, String deliveryId, String eventId, String endpointId) {
		String detail = error != null ? error : statusCode == null ? null : "HTTP " + statusCode;
		return new AttemptView(number, at, outcome, statusCode == null ? null : statusCode.toString(), detail,
				latencyMs, deliveryId, eventId, endpointId, statusCode, responseExcerpt, error);
	}

}
