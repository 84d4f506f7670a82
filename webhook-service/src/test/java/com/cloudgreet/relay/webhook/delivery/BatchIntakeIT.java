package com.cloudgreet.relay.webhook.delivery;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.cloudgreet.relay.common.event.CloudEventCodec;
import com.cloudgreet.relay.common.id.IdKind;
import com.cloudgreet.relay.common.id.RelayIds;
import com.cloudgreet.relay.common.kafka.RelayKafkaHeaders;
import com.cloudgreet.relay.common.kafka.Topics;
import com.cloudgreet.relay.webhook.AbstractWebhookIT;
import com.cloudgreet.relay.webhook.testing.Receiver;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;
import org.springframework.kafka.test.EmbeddedKafkaBroker;
import org.springframework.kafka.test.utils.KafkaTestUtils;
import org.springframework.r2dbc.core.DatabaseClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * One poll as the listener gets it: several tenants' events with a poison record between them,
 * handed to the listener directly so the batch is exactly this one (a broker may split a poll).
 */
class BatchIntakeIT extends AbstractWebhookIT {

	private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";

	@Autowired
	private WebhookEventListener listener;

	@Autowired
	private EmbeddedKafkaBroker broker;

	@Autowired
	private DatabaseClient db;

	private final String tenantB = RelayIds.next(IdKind.TENANT);

	@Test
	void storesEveryGoodEventOnceAndDeadLettersOnlyThePoisonOneWithItsReason() {
		try (Receiver ordersA = Receiver.ok(); Receiver everythingA = Receiver.ok(); Receiver ordersB = Receiver.ok();
				Consumer<String, byte[]> dlt = deadLetterConsumer()) {
			createEndpoint(ordersA.url(), "order.created");
			createEndpoint(everythingA.url());
			createEndpointFor(this.tenantB, ordersB.url(), "order.created");
			String created = RelayIds.next(IdKind.EVENT);
			String paid = RelayIds.next(IdKind.EVENT);
			String createdB = RelayIds.next(IdKind.EVENT);
			String poisonKey = "poison-" + this.tenant;
			List<ConsumerRecord<String, byte[]>> batch = List.of(
					record(0, created, encoded(this.tenant, created, "order.created"), TRACE_ID),
					record(1, paid, encoded(this.tenant, paid, "order.paid"), null),
					record(2, poisonKey, "{not json".getBytes(StandardCharsets.UTF_8), null),
					record(3, createdB, encoded(this.tenantB, createdB, "order.created"), null));

			this.listener.onEvents(batch);

			// Returned: everything is stored (the offsets would commit now), each event once.
			assertThat(count("select count(*) from event where tenant_id in (:a, :b)")).isEqualTo(3);
			assertThat(count("select count(*) from delivery where tenant_id in (:a, :b)")).as("2 + 1 + 1").isEqualTo(4);
			assertThat(traceparent(created)).contains(TRACE_ID);
			assertThat(traceparent(paid)).isNull();
			await().atMost(WAIT)
				.until(() -> ordersA.count() == 1 && everythingA.count() == 2 && ordersB.count() == 1);

			this.listener.onEvents(batch);

			assertThat(count("select count(*) from event where tenant_id in (:a, :b)")).isEqualTo(3);
			assertThat(count("select count(*) from delivery where tenant_id in (:a, :b)")).isEqualTo(4);
			assertThat(status(created).path("deliveries").size()).isEqualTo(2);
			assertThat(status(paid).path("deliveries").size()).isEqualTo(1);

			// One dead letter per delivery of the poison record, none of a good one.
			List<ConsumerRecord<String, byte[]>> dead = deadLetters(dlt, poisonKey, 2,
					List.of(created, paid, createdB, poisonKey));
			assertThat(dead).extracting(ConsumerRecord::key).containsOnly(poisonKey);
			assertThat(new String(dead.get(0).value(), StandardCharsets.UTF_8)).isEqualTo("{not json");
			assertThat(dead).allSatisfy((record) -> assertThat(header(record, RelayKafkaHeaders.DLT_REASON))
				.startsWith("malformed JSON"));
			assertThat(ordersA.count() + everythingA.count() + ordersB.count()).as("no delivery twice").isEqualTo(4);
		}
	}

	private static ConsumerRecord<String, byte[]> record(long offset, String key, byte[] value, String traceId) {
		var record = new ConsumerRecord<>(Topics.WEBHOOK, 0, offset, key, value);
		if (traceId != null) {
			record.headers().add("traceparent", ("00-" + traceId + "-00f067aa0ba902b7-01").getBytes(StandardCharsets.UTF_8));
		}
		return record;
	}

	private static byte[] encoded(String tenantId, String id, String eventType) {
		return CloudEventCodec.encode(eventFor(tenantId, id, eventType, Map.of("id", id)));
	}

	private long count(String sql) {
		return this.db.sql(sql).bind("a", this.tenant).bind("b", this.tenantB)
			.map((row) -> row.get(0, Long.class))
			.one()
			.block();
	}

	private String traceparent(String eventId) {
		return this.db.sql("select traceparent from event where tenant_id = :tenant and id = :id")
			.bind("tenant", this.tenant)
			.bind("id", eventId)
			.map((row) -> Optional.ofNullable(row.get("traceparent", String.class)))
			.one()
			.block()
			.orElse(null);
	}

	/** The DLT's records with one of {@code keys}, once {@code poison} records of {@code poisonKey} have arrived. */
	private static List<ConsumerRecord<String, byte[]>> deadLetters(Consumer<String, byte[]> consumer, String poisonKey,
			int poison, List<String> keys) {
		List<ConsumerRecord<String, byte[]>> seen = new ArrayList<>();
		await().atMost(WAIT).until(() -> {
			consumer.poll(Duration.ofMillis(200)).forEach(seen::add);
			return seen.stream().filter((r) -> poisonKey.equals(r.key())).count() >= poison;
		});
		return seen.stream().filter((r) -> keys.contains(r.key())).toList();
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

	private static String header(ConsumerRecord<String, byte[]> record, String name) {
		var header = record.headers().lastHeader(name);
		return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
	}

}
