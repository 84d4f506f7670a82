package com.cloudgreet.relay.delivery;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import com.cloudgreet.relay.common.kafka.RelayKafkaHeaders;
import com.cloudgreet.relay.common.privacy.Redaction;
import org.apache.kafka.clients.producer.ProducerRecord;
import reactor.core.publisher.Mono;

import org.springframework.kafka.core.KafkaTemplate;

/**
 * Publishes to a channel's {@code <topic>-dlt}: the record as it came (poison) or the stored
 * CloudEvent (a delivery that failed or exhausted its schedule), with the reason, redacted and
 * bounded, in {@code relay-dlt-reason} and the tenant in {@code relay-tenant-id}. The Mono
 * completes when the broker has the record.
 */
public class DeadLetterPublisher {

	/** Kafka headers have no hard limit, but a reason is for humans and must not bloat records. */
	static final int MAX_REASON_LENGTH = 1000;

	private final KafkaTemplate<String, byte[]> kafka;

	public DeadLetterPublisher(KafkaTemplate<String, byte[]> kafka) {
		this.kafka = kafka;
	}

	public Mono<Void> publish(String topic, String key, byte[] value, String reason, String tenantId,
			Map<String, String> extraHeaders) {
		return Mono.defer(() -> {
			ProducerRecord<String, byte[]> record = new ProducerRecord<>(topic, key, value);
			header(record, RelayKafkaHeaders.DLT_REASON, reason(reason));
			if (tenantId != null) {
				header(record, RelayKafkaHeaders.TENANT_ID, tenantId);
			}
			extraHeaders.forEach((name, text) -> header(record, name, text));
			return Mono.fromFuture(() -> this.kafka.send(record));
		}).then();
	}

	/** Provider replies and parser messages echo recipients; DLT tooling and alerts read this header. */
	public static String reason(String reason) {
		String redacted = Redaction.redact(reason == null ? "unknown" : reason);
		return redacted.length() <= MAX_REASON_LENGTH ? redacted : redacted.substring(0, MAX_REASON_LENGTH) + "…";
	}

	private static void header(ProducerRecord<String, byte[]> record, String name, String value) {
		record.headers().add(name, value.getBytes(StandardCharsets.UTF_8));
	}

}
