package com.cloudgreet.relay.common.kafka;

/**
 * Kafka topic names: the public request topics and the suffixes of the retry and dead-letter
 * topics derived from them. Nothing else in Relay types a topic name.
 *
 * <p>Retry topics are {@code <topic>-retry-<n>} (one per configured delay, n from 0) and the
 * dead-letter topic is {@code <topic>-dlt}; these match spring-kafka's non-blocking retry naming
 * so direct consumers of the DLT can rely on it.
 */
public final class Topics {

	public static final String EMAIL = "relay.email.v1";

	public static final String SMS = "relay.sms.v1";

	public static final String WEBHOOK = "relay.webhook.v1";

	public static final String RETRY_SUFFIX = "-retry";

	public static final String DLT_SUFFIX = "-dlt";

	private Topics() {
	}

	public static String retry(String topic, int stage) {
		return topic + RETRY_SUFFIX + "-" + stage;
	}

	public static String deadLetter(String topic) {
		return topic + DLT_SUFFIX;
	}

}
