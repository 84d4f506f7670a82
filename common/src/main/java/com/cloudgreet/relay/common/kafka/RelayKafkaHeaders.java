package com.cloudgreet.relay.common.kafka;

/** Kafka record header names Relay reads or writes. */
public final class RelayKafkaHeaders {

	/** CloudEvents Kafka binding, structured mode: the record value is the whole event. */
	public static final String CONTENT_TYPE = "content-type";

	public static final String CLOUDEVENTS_JSON = "application/cloudevents+json";

	/** Why a record was dead-lettered, in words a human can act on (poison records, permanent failures). */
	public static final String DLT_REASON = "relay-dlt-reason";

	/** The tenant of a record, copied from the event so DLT tooling can filter without parsing. */
	public static final String TENANT_ID = "relay-tenant-id";

	/** Which delivery of a webhook event a DLT record is; absent on poison records. */
	public static final String DELIVERY_ID = "relay-delivery-id";

	/** The endpoint of that delivery. */
	public static final String ENDPOINT_ID = "relay-endpoint-id";

	/**
	 * The principal that produced a record, as named in the consumers' {@code relay.kafka.producers};
	 * absent on an unsigned record (principal {@code anonymous}).
	 */
	public static final String PRODUCER = "relay-producer";

	/** {@code v1,<base64 HMAC-SHA256>} with that principal's key over the record (ProducerSignature). */
	public static final String PRODUCER_SIGNATURE = "relay-producer-signature";

	private RelayKafkaHeaders() {
	}

}
