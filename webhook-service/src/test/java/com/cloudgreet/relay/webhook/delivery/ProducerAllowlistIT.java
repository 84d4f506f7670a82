package com.cloudgreet.relay.webhook.delivery;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.cloudgreet.relay.common.event.CloudEventCodec;
import com.cloudgreet.relay.common.id.IdKind;
import com.cloudgreet.relay.common.id.RelayIds;
import com.cloudgreet.relay.common.kafka.RelayKafkaHeaders;
import com.cloudgreet.relay.common.kafka.Topics;
import com.cloudgreet.relay.common.kafka.producer.ProducerSignature;
import com.cloudgreet.relay.common.kafka.producer.SigningKey;
import com.cloudgreet.relay.webhook.AbstractWebhookIT;
import com.cloudgreet.relay.webhook.testing.Receiver;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;
import org.springframework.kafka.test.EmbeddedKafkaBroker;
import org.springframework.kafka.test.utils.KafkaTestUtils;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Who may act for a tenant over Kafka: a record's producer (relay-producer, signed with its key)
 * must be allowed for the record's tenant, or the record is dead-lettered with the reason and
 * never fanned out. The test profile lists "gateway" for every tenant, "billing" for
 * {@link #BILLING_TENANT} only, and lets unsigned records act for every tenant (the direct
 * producers of the other tests); {@link StrictAnonymousIntakeIT} covers unsigned records refused.
 */
class ProducerAllowlistIT extends AbstractWebhookIT {

	/** base64 of "an-attacker-s-own-key-32-bytes!!": not the gateway's key. */
	private static final String FORGED_KEY = "YW4tYXR0YWNrZXItcy1vd24ta2V5LTMyLWJ5dGVzISE=";

	@Autowired
	private EmbeddedKafkaBroker broker;

	@Test
	void deadLettersEventOfProducerForTenantItMayNotActFor() {
		try (Receiver receiver = Receiver.ok(); Consumer<String, byte[]> dlt = deadLetterConsumer()) {
			createEndpoint(receiver.url(), "order.created");
			String id = publishSigned(BILLING, BILLING_KEY);

			assertThat(reason(dlt, id)).isEqualTo("producer 'billing' may not act for tenant '" + this.tenant + "'");
			assertNeverStoredNorSent(id, receiver);
		}
	}

	@Test
	void deadLettersEventWithForgedGatewaySignature() {
		try (Receiver receiver = Receiver.ok(); Consumer<String, byte[]> dlt = deadLetterConsumer()) {
			createEndpoint(receiver.url(), "order.created");
			String id = publishSigned("gateway", FORGED_KEY);

			assertThat(reason(dlt, id)).isEqualTo("producer signature invalid (producer 'gateway')");
			assertNeverStoredNorSent(id, receiver);
		}
	}

	@Test
	void deliversEventSignedByProducerForItsOwnTenant() {
		try (Receiver receiver = Receiver.ok()) {
			createEndpointFor(BILLING_TENANT, receiver.url(), "order.created");
			String id = publishSignedFor(BILLING_TENANT, BILLING, BILLING_KEY);

			await().atMost(WAIT).until(() -> receiver.count() == 1);
			assertThat(receiver.received().get(0).webhookId()).isNotBlank();
			get(BILLING_TENANT, "/internal/v1/messages/" + id).exchange().expectStatus().isOk();
		}
	}

	private String publishSigned(String producer, String key) {
		return publishSignedFor(this.tenant, producer, key);
	}

	/** An order.created event for {@code tenantId}, keyed by its id, signed as {@code producer} with {@code key}. */
	private String publishSignedFor(String tenantId, String producer, String key) {
		String id = RelayIds.next(IdKind.EVENT);
		byte[] value = CloudEventCodec.encode(eventFor(tenantId, id, "order.created", Map.of("order", id)));
		ProducerRecord<String, byte[]> record = new ProducerRecord<>(Topics.WEBHOOK, id, value);
		record.headers().add(RelayKafkaHeaders.CONTENT_TYPE, RelayKafkaHeaders.CLOUDEVENTS_JSON.getBytes(StandardCharsets.UTF_8));
		record.headers().add(RelayKafkaHeaders.PRODUCER, producer.getBytes(StandardCharsets.UTF_8));
		record.headers().add(RelayKafkaHeaders.PRODUCER_SIGNATURE, ProducerSignature
			.sign(SigningKey.decode(key, "test"), Topics.WEBHOOK, id, value).getBytes(StandardCharsets.UTF_8));
		this.kafka.send(record).join();
		return id;
	}

	/** Not in the tenant's log (nothing to retry or replay later) and never posted. */
	private void assertNeverStoredNorSent(String id, Receiver receiver) {
		await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
			get(this.tenant, "/internal/v1/messages/" + id).exchange().expectStatus().isNotFound();
			assertThat(receiver.count()).isZero();
		});
	}

	private static String reason(Consumer<String, byte[]> dlt, String key) {
		List<ConsumerRecord<String, byte[]>> found = new ArrayList<>();
		await().atMost(WAIT).until(() -> {
			dlt.poll(Duration.ofMillis(200)).forEach((r) -> {
				if (key.equals(r.key())) {
					found.add(r);
				}
			});
			return !found.isEmpty();
		});
		var header = found.get(0).headers().lastHeader(RelayKafkaHeaders.DLT_REASON);
		return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
	}

	private Consumer<String, byte[]> deadLetterConsumer() {
		Map<String, Object> props = KafkaTestUtils.consumerProps(this.broker, "dlt-" + this.tenant, false);
		props.put("auto.offset.reset", "earliest");
		Consumer<String, byte[]> consumer = new DefaultKafkaConsumerFactory<>(props, new StringDeserializer(),
				new ByteArrayDeserializer())
			.createConsumer();
		consumer.subscribe(List.of(Topics.deadLetter(Topics.WEBHOOK)));
		return consumer;
	}

}
