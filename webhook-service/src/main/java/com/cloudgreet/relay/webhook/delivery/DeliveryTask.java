package com.cloudgreet.relay.webhook.delivery;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * One claimed delivery, with everything an attempt needs: where to send, what, and with which
 * secrets. {@code deliveryId} is the {@code webhook-id}: stable across retries and replays;
 * {@code traceparent} is the trace of the record the event came from, if it had one.
 */
public record DeliveryTask(String deliveryId, String tenantId, String eventId, String endpointId, String url,
		String secret, String previousSecret, Instant previousSecretExpiresAt, String eventType, byte[] body,
		int attemptCount, int retriesUsed, String traceparent) {

	/** The secrets that sign now: the current one, plus the previous one during a rotation's grace period. */
	public List<String> signingSecrets(Instant now) {
		List<String> secrets = new ArrayList<>(2);
		secrets.add(this.secret);
		if (this.previousSecret != null && this.previousSecretExpiresAt != null
				&& now.isBefore(this.previousSecretExpiresAt)) {
			secrets.add(this.previousSecret);
		}
		return secrets;
	}

	public int nextAttemptNumber() {
		return this.attemptCount + 1;
	}

}
