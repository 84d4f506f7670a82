package com.cloudgreet.relay.delivery;

import java.time.Instant;

/** One claimed delivery as the engine sees it; a channel's job type adds what it needs to send. */
public interface Job {

	Lease lease();

	String tenantId();

	/**
	 * Where it goes, as the engine bounds concurrency: a webhook endpoint, the SMTP account, the
	 * SMS provider account. At most {@link EngineSettings#perDestination()} attempts run per destination.
	 */
	String destination();

	/** Retry stages spent since the delivery was accepted or last replayed. */
	int retriesUsed();

	/** The W3C trace context of the record it came from, or {@code null}. */
	String traceparent();

	/** When the delivery was accepted (stored from its record): the start of its accepted-to-delivered latency. */
	Instant acceptedAt();

	default String id() {
		return lease().deliveryId();
	}

}
