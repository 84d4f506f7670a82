package com.cloudgreet.relay.webhook.delivery;

import java.time.Instant;
import java.util.List;

import com.cloudgreet.relay.delivery.Job;
import com.cloudgreet.relay.delivery.Lease;

/**
 * One claimed delivery of an event to an endpoint, with everything an attempt needs: where to
 * send, what, and with which secrets. Its id is the {@code webhook-id}: stable across retries and
 * replays; {@code traceparent} is the trace of the record the event came from, if it had one;
 * {@code acceptedAt} is when the event was accepted. {@code signingSecrets} are decrypted: the
 * current secret first, then every previous one still in its grace period; empty if they could not
 * be decrypted (the attempt then fails, retryably). {@code rateLimit} is the endpoint's deliveries
 * per second, or {@code null}.
 */
public record WebhookJob(Lease lease, String tenantId, String eventId, String endpointId, String url,
		List<String> signingSecrets, String eventType, byte[] body, int attemptCount, int retriesUsed,
		String traceparent, Instant acceptedAt, Double rateLimit) implements Job {

	public WebhookJob {
		signingSecrets = List.copyOf(signingSecrets);
	}

	/** The endpoint: concurrency and rate are bounded per endpoint. */
	@Override
	public String destination() {
		return this.endpointId;
	}

	public int nextAttemptNumber() {
		return this.attemptCount + 1;
	}

	/** Without secrets, URL or body: safe for a log line should one ever print a job. */
	@Override
	public String toString() {
		return "WebhookJob[" + id() + " of " + this.eventId + " to endpoint " + this.endpointId + ", attempt "
				+ nextAttemptNumber() + "]";
	}

}
