package com.cloudgreet.relay.notification.delivery;

import java.time.Instant;

import com.cloudgreet.relay.common.event.RelayRequest;
import com.cloudgreet.relay.common.message.Scheduled;

/**
 * A request read from Kafka, to be stored: its id, tenant, CloudEvent as received and trace
 * context, and the request intake decoded from it (or {@code null}), handed on to a first attempt
 * claimed in the same statement so that it is not decoded twice.
 */
public record NewMessage(String id, String tenantId, String event, String traceparent, RelayRequest request) {

	public NewMessage(String id, String tenantId, String event, String traceparent) {
		this(id, tenantId, event, traceparent, null);
	}

	/** When the request asked to be sent ({@code null}: at once, or unknown without a decoded request). */
	public Instant sendAt() {
		return (this.request == null) ? null : ((Scheduled) this.request.payload()).sendAt();
	}

}
