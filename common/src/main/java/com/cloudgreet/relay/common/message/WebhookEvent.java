package com.cloudgreet.relay.common.message;

import java.time.Instant;
import java.util.regex.Pattern;

import com.cloudgreet.relay.common.json.RelayJson;
import tools.jackson.databind.JsonNode;

/**
 * A webhook event: the {@code data} of a {@code relay.webhook.requested} event and the body of
 * {@code POST /v1/events}. {@code eventId} is the producer's own id, kept for receivers to
 * de-duplicate; {@code sendAt}, if given, schedules every delivery of it; {@code payload} must be a JSON object of at most {@link Limits#WEBHOOK_PAYLOAD_BYTES}.
 */
public record WebhookEvent(String eventType, JsonNode payload, String eventId, Instant sendAt) implements Scheduled {

	/** Dotted names such as {@code invoice.paid}, as Svix and Stripe use. */
	private static final Pattern EVENT_TYPE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.\\-]*");

	private static final Pattern EVENT_ID = Pattern.compile("[A-Za-z0-9_.:\\-]+");

	/** An event to deliver at once. */
	public WebhookEvent(String eventType, JsonNode payload, String eventId) {
		this(eventType, payload, eventId, null);
	}

	public WebhookEvent {
		Violations violations = new Violations();
		if (violations.required("/eventType", eventType)) {
			violations.maxLength("/eventType", eventType, Limits.EVENT_TYPE_LENGTH);
			if (!EVENT_TYPE.matcher(eventType).matches()) {
				violations.add("/eventType", "may only contain letters, digits, '.', '_' and '-'");
			}
		}
		if (payload == null || payload.isNull() || payload.isMissingNode()) {
			violations.add("/payload", "is required");
		}
		else if (!payload.isObject()) {
			violations.add("/payload", "must be a JSON object");
		}
		else {
			// Measured as serialized, not as received: the same for the gateway's body and a Kafka record.
			long size = RelayJson.size(payload);
			if (size > Limits.WEBHOOK_PAYLOAD_BYTES) {
				violations.add("/payload", "must be at most " + Limits.WEBHOOK_PAYLOAD_BYTES + " bytes of JSON, was " + size);
			}
		}
		if (eventId != null) {
			violations.maxLength("/eventId", eventId, Limits.EVENT_ID_LENGTH);
			if (!EVENT_ID.matcher(eventId).matches()) {
				violations.add("/eventId", "may only contain letters, digits, '.', ':', '_' and '-'");
			}
		}
		violations.throwIfAny();
	}

}
