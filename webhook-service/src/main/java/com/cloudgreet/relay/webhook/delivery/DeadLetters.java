package com.cloudgreet.relay.webhook.delivery;

import java.nio.charset.StandardCharsets;

import com.cloudgreet.relay.common.Channel;
import com.cloudgreet.relay.common.alert.DeadLetterAlerter;
import com.cloudgreet.relay.common.kafka.RelayKafkaHeaders;
import com.cloudgreet.relay.common.kafka.Topics;
import com.cloudgreet.relay.common.metrics.DeliveryMetrics;
import com.cloudgreet.relay.common.metrics.RelayMetrics.Cause;
import com.cloudgreet.relay.common.privacy.Redaction;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import reactor.core.publisher.Mono;

/**
 * Publishes to {@code relay.webhook.v1-dlt}: poison records as they came, and the original
 * CloudEvent of each delivery that exhausted its schedule (one record per delivery, with the
 * delivery and endpoint in headers so DLT tooling can tell them apart).
 */
public class DeadLetters {

	/** Which delivery of the event died; absent on poison records. */
	public static final String DELIVERY_ID_HEADER = "relay-delivery-id";

	public static final String ENDPOINT_ID_HEADER = "relay-endpoint-id";

	static final String TOPIC = Topics.deadLetter(Topics.WEBHOOK);

	private static final Logger log = LoggerFactory.getLogger(DeadLetters.class);

	private final KafkaTemplate<String, byte[]> kafka;

	private final DeadLetterAlerter alerter;

	private final DeliveryMetrics metrics;

	public DeadLetters(KafkaTemplate<String, byte[]> kafka, DeadLetterAlerter alerter, DeliveryMetrics metrics) {
		this.kafka = kafka;
		this.alerter = alerter;
		this.metrics = metrics;
	}

	/** A record that cannot be decoded: straight to the DLT with the reason, never retried. */
	public Mono<Void> poison(String key, byte[] value, String cause) {
		// Parser messages may quote what they could not read, and a record's key is the producer's
		// choice; neither may carry a recipient into the header, the log or the alert.
		String reason = Redaction.redact(cause);
		var record = new ProducerRecord<>(TOPIC, key, value);
		header(record, RelayKafkaHeaders.DLT_REASON, reason);
		String shownKey = key == null ? "(no key)" : Redaction.redact(key);
		log.warn("Poison record on {} (key {}) sent to {}: {}", Topics.WEBHOOK, shownKey, TOPIC, reason);
		this.alerter.deadLettered(Channel.WEBHOOK, shownKey, "(unknown)", reason);
		return send(record).doOnSuccess((sent) -> this.metrics.deadLettered(Cause.UNREADABLE));
	}

	public Mono<Void> delivery(DeliveryTask task, byte[] cloudEvent, String cause) {
		// The last error may quote the receiver's answer or the endpoint URL.
		String reason = Redaction.redact(cause);
		var record = new ProducerRecord<>(TOPIC, task.eventId(), cloudEvent);
		header(record, RelayKafkaHeaders.CONTENT_TYPE, RelayKafkaHeaders.CLOUDEVENTS_JSON);
		header(record, RelayKafkaHeaders.DLT_REASON, reason);
		header(record, RelayKafkaHeaders.TENANT_ID, task.tenantId());
		header(record, DELIVERY_ID_HEADER, task.deliveryId());
		header(record, ENDPOINT_ID_HEADER, task.endpointId());
		this.alerter.deadLettered(Channel.WEBHOOK, task.eventId(), task.tenantId(),
				"delivery " + task.deliveryId() + " to endpoint " + task.endpointId() + ": " + reason);
		return send(record).doOnSuccess((sent) -> this.metrics.deadLettered(Cause.EXHAUSTED));
	}

	/** An endpoint switched off automatically is as actionable as a dead letter, so it alerts the same way. */
	public void endpointDisabled(String tenantId, String endpointId, String reason) {
		this.alerter.deadLettered(Channel.WEBHOOK, endpointId, tenantId, "endpoint disabled: " + Redaction.redact(reason));
	}

	private Mono<Void> send(ProducerRecord<String, byte[]> record) {
		return Mono.fromFuture(() -> this.kafka.send(record)).then();
	}

	private static void header(ProducerRecord<String, byte[]> record, String name, String value) {
		record.headers().add(name, value.getBytes(StandardCharsets.UTF_8));
	}

}
