package com.cloudgreet.relay.webhook.message;

import java.time.Instant;
import java.util.Comparator;
import java.util.List;

/**
 * {@code GET /internal/v1/messages/{evt_id}}: the shared status shape with the webhook additions
 * {@code eventType} and {@code deliveries}. The aggregate status is the least finished of the
 * deliveries: queued or sending while any is pending, then dead_lettered, failed, delivered.
 */
public record MessageStatus(String id, String channel, String status, String eventType, Instant createdAt,
		Instant updatedAt, List<AttemptView> attempts, List<DeliveryView> deliveries) {

	public record DeliveryView(String id, String endpointId, String url, String status, Instant nextAttemptAt,
			List<AttemptView> attempts) {
	}

	/** A delivery's API status from its stored one: pending reads queued until the first attempt. */
	static String deliveryStatus(String stored, int attemptCount) {
		if ("pending".equals(stored)) {
			return attemptCount == 0 ? "queued" : "sending";
		}
		return stored;
	}

	static String aggregate(List<DeliveryView> deliveries) {
		List<String> statuses = deliveries.stream().map(DeliveryView::status).toList();
		if (statuses.stream().anyMatch((s) -> s.equals("queued") || s.equals("sending"))) {
			return statuses.stream().allMatch("queued"::equals) ? "queued" : "sending";
		}
		if (statuses.contains("dead_lettered")) {
			return "dead_lettered";
		}
		if (statuses.contains("failed")) {
			return "failed";
		}
		// All delivered, or no endpoint subscribed: nothing is left to do.
		return "delivered";
	}

	static Comparator<AttemptView> byTime() {
		return Comparator.comparing(AttemptView::at).thenComparing(AttemptView::number);
	}

}
