package com.cloudgreet.relay.notification.delivery;

import java.nio.charset.StandardCharsets;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/**
 * Which try of a message a record belongs to. A manual retry starts a new generation and stamps
 * it on the re-published record; retry-topic and DLT copies keep the header. Records from
 * producers (the gateway, kcat, ...) carry none: generation 0.
 */
public final class Generations {

	/** Belongs in common's RelayKafkaHeaders once the lead moves it there. */
	public static final String HEADER = "relay-generation";

	private Generations() {
	}

	public static int of(ConsumerRecord<?, ?> record) {
		Header header = record.headers().lastHeader(HEADER);
		if (header == null) {
			return 0;
		}
		try {
			return Integer.parseInt(new String(header.value(), StandardCharsets.UTF_8).trim());
		}
		catch (NumberFormatException ex) {
			return 0;
		}
	}

}
