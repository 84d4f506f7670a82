package com.cloudgreet.relay.notification.delivery;

/** A request read from Kafka, to be stored: its id, tenant, CloudEvent as received and trace context. */
public record NewMessage(String id, String tenantId, String event, String traceparent) {
}
