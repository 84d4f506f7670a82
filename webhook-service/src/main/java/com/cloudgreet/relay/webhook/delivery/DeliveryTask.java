package com.cloudgreet.relay.webhook.delivery;

import java.time.Instant;
import java.util.List;

/**
 * One claimed delivery, with everything an attempt needs: where to send, what, and with which
 * secrets. {@code deliveryId} is the {@code webhook-id}: stable across retries and replays;
 * {@code traceparent} is the trace of the record the event came from, if it had one;
 * {@code acceptedAt} is when the event was accepted, the start of its accepted-to-delivered latency.
 * {@code signingSecrets} are decrypted: the current secret first, then every previous one still
 * in its grace period; empty if they could not be decrypted (the attempt then fails, retryably).
 */
public record DeliveryTask(String deliveryId, String tenantId, String eventId, String endpointId, String url,
		List<String> signingSecrets, String eventType, byte[] body, int attemptCount, int retriesUsed,
		String traceparent, Instant acceptedAt) {

	public DeliveryTask {
		signingSecrets = List.copyOf(signingSecrets);
	}

	public int nextAttemptNumber() {
		return this.attemptCount + 1;
	}

	/** Without secrets, URL or body: safe for a log line should one ever print a task. */
	@Override
	public String toString() {
		return "DeliveryTask[" + this.deliveryId + " of " + this.eventId + " to endpoint " + this.endpointId
				+ ", attempt " + nextAttemptNumber() + "]";
	}

}
