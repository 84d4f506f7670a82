package com.cloudgreet.relay.common.kafka;

/**
 * Kafka topic names: the public request topics and the dead-letter topics derived from them
 * ({@code <topic>-dlt}). Nothing else in Relay types a topic name. Retries are not topics: the
 * delivery engine schedules them in PostgreSQL.
 */
public final class Topics {

	public static final String EMAIL = "relay.email.v1";

	public static final String SMS = "relay.sms.v1";

	public static final String WEBHOOK = "relay.webhook.v1";

	public static final String DLT_SUFFIX = "-dlt";

	private Topics() {
	}

	public static String deadLetter(String topic) {
		return topic + DLT_SUFFIX;
	}

}
