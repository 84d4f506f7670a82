package com.cloudgreet.relay.webhook.message;

import java.time.Instant;
import java.util.List;

import com.cloudgreet.relay.common.status.StatusPage;

/**
 * {@code GET /internal/v1/messages/{evt_id}}: the shared status shape with the webhook additions
 * {@code eventType} and {@code deliveries}. The aggregate status is the least finished of the
 * deliveries: queued or sending while any is pending, then scheduled, dead_lettered, failed,
 * canceled (once the rest are delivered), delivered.
 * One answer is bounded like every status answer ({@link StatusPage}): {@code deliveries} lists a
 * page of deliveries in id order, each with its attempts on this answer's page of attempts;
 * {@code next} (null on the last page) carries the cursors for more of either.
 */
public record MessageStatus(String id, String channel, String status, String eventType, Instant createdAt,
		Instant updatedAt, List<AttemptView> attempts, List<DeliveryView> deliveries, StatusPage next) {

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

	/** From the API statuses of all the event's deliveries (not only those on one page). */
	static String aggregate(List<String> statuses) {
		if (statuses.stream().anyMatch((s) -> s.equals("queued") || s.equals("sending"))) {
			// Queued while nothing has gone out yet: scheduled and canceled siblings have sent nothing.
			return statuses.stream().allMatch((s) -> s.equals("queued") || s.equals("scheduled") || s.equals("canceled"))
					? "queued" : "sending";
		}
		if (statuses.contains("scheduled")) {
			return "scheduled";
		}
		if (statuses.contains("dead_lettered")) {
			return "dead_lettered";
		}
		if (statuses.contains("failed")) {
			return "failed";
		}
		if (statuses.contains("canceled")) {
			return "canceled";
		}
		// All delivered, or no endpoint subscribed: nothing is left to do.
		return "delivered";
	}

}
