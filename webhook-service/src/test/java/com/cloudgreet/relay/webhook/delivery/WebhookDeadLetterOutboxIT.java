package com.cloudgreet.relay.webhook.delivery;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import com.cloudgreet.relay.common.kafka.RelayKafkaHeaders;
import com.cloudgreet.relay.common.kafka.Topics;
import com.cloudgreet.relay.delivery.AttemptRecord;
import com.cloudgreet.relay.delivery.Capacity;
import com.cloudgreet.relay.delivery.DeliveryEngine;
import com.cloudgreet.relay.delivery.DeliveryQueue;
import com.cloudgreet.relay.delivery.Outcome;
import com.cloudgreet.relay.webhook.AbstractWebhookIT;
import com.cloudgreet.relay.webhook.testing.Receiver;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;
import org.springframework.kafka.test.EmbeddedKafkaBroker;
import org.springframework.kafka.test.utils.KafkaTestUtils;
import org.springframework.r2dbc.core.DatabaseClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The outbox of dead letters: a delivery marked dead-lettered or failed owes its DLT record until
 * Kafka has it. The crash between the two (kill -9 after the write, before the publish) is
 * simulated by writing the state the way the queue does and never publishing; the service's
 * engine, which sweeps every 1.5 s for records owed longer than 3 s (application-test.yml), must
 * publish it, once, with its reason and the headers the engine's own publish carries.
 */
class WebhookDeadLetterOutboxIT extends AbstractWebhookIT {

	private static final AttemptRecord UNAVAILABLE = new AttemptRecord(Instant.now(),
			new Outcome.Retryable("503", "HTTP 503", null, "busy"), 5);

	@Autowired
	private DeliveryEngine<WebhookJob> engine;

	@Autowired
	private DeliveryStore store;

	@Autowired
	private DatabaseClient db;

	@Autowired
	private EmbeddedKafkaBroker broker;

	private DeliveryQueue<WebhookJob> queue;

	private Consumer<String, byte[]> dlt;

	private final List<ConsumerRecord<String, byte[]>> published = new CopyOnWriteArrayList<>();

	@BeforeEach
	void readTheDeadLetterTopic() {
		this.queue = this.store.queue();
		Map<String, Object> props = KafkaTestUtils.consumerProps(this.broker, "outbox-" + this.tenant, false);
		props.put("auto.offset.reset", "earliest");
		this.dlt = new DefaultKafkaConsumerFactory<>(props, new StringDeserializer(), new ByteArrayDeserializer())
			.createConsumer();
		this.dlt.subscribe(List.of(Topics.deadLetter(Topics.WEBHOOK)));
	}

	@AfterEach
	void close() {
		this.dlt.close();
		this.engine.start();
	}

	@Test
	void sweepsADeadLetterWhosePublisherDiedAfterMarkingIt() {
		try (Receiver receiver = Receiver.ok()) {
			String endpointId = createEndpoint(receiver.url()).path("id").asString();
			WebhookJob job = storedAndClaimedByADeadOwner();
			String reason = "retry schedule exhausted after 4 tries; last: 503 HTTP 503";

			// What the engine writes before it publishes; it "dies" here and never publishes.
			assertThat(this.queue.recordFailure(job, UNAVAILABLE, null, reason).block()).isTrue();
			assertThat(owedReason(job.id())).isEqualTo(reason);

			ConsumerRecord<String, byte[]> dead = awaitPublished(job.eventId());
			assertThat(header(dead, RelayKafkaHeaders.DLT_REASON)).isEqualTo(reason);
			assertThat(header(dead, RelayKafkaHeaders.DELIVERY_ID)).isEqualTo(job.id());
			assertThat(header(dead, RelayKafkaHeaders.ENDPOINT_ID)).isEqualTo(endpointId);
			assertThat(header(dead, RelayKafkaHeaders.TENANT_ID)).isEqualTo(this.tenant);
			assertThat(new String(dead.value(), StandardCharsets.UTF_8)).contains(job.eventId());
			await().atMost(WAIT).until(() -> owedReason(job.id()) == null);
			assertThat(status(job.eventId()).path("status").asString()).isEqualTo("dead_lettered");
			assertThat(receiver.received()).as("the sweep publishes; it does not send").isEmpty();
			// Published once: later sweeps find nothing owed.
			assertPublishedOnceFor(job.eventId(), Duration.ofSeconds(4));
		}
	}

	@Test
	void sweepsAPermanentFailureWhosePublisherDiedAfterRecordingIt() {
		try (Receiver receiver = Receiver.ok()) {
			createEndpoint(receiver.url());
			WebhookJob job = storedAndClaimedByADeadOwner();
			AttemptRecord gone = new AttemptRecord(Instant.now(),
					new Outcome.Permanent("410", "receiver answered 410 Gone", "gone"), 5);

			assertThat(this.queue.record(job, gone, DeliveryQueue.Step.FAILED).block()).isTrue();

			ConsumerRecord<String, byte[]> dead = awaitPublished(job.eventId());
			assertThat(header(dead, RelayKafkaHeaders.DLT_REASON))
				.isEqualTo("permanent failure: 410 receiver answered 410 Gone");
			await().atMost(WAIT).until(() -> owedReason(job.id()) == null);
			assertThat(status(job.eventId()).path("status").asString()).isEqualTo("failed");
			assertPublishedOnceFor(job.eventId(), Duration.ofSeconds(4));
		}
	}

	@Test
	void theEnginesOwnPublishLeavesNothingOwedToSweep() {
		try (Receiver receiver = new Receiver((n) -> Receiver.status(410))) {
			createEndpoint(receiver.url());

			String eventId = publish("outbox.gone", Map.of());

			await().atMost(WAIT).until(() -> status(eventId).path("status").asString().equals("failed"));
			ConsumerRecord<String, byte[]> dead = awaitPublished(eventId);
			assertThat(header(dead, RelayKafkaHeaders.DLT_REASON)).startsWith("permanent failure: 410");
			String deliveryId = header(dead, RelayKafkaHeaders.DELIVERY_ID);
			await().atMost(WAIT).until(() -> owedReason(deliveryId) == null);
			// Longer than the grace and two sweeps after it: nothing is published twice.
			assertPublishedOnceFor(eventId, Duration.ofSeconds(5));
			assertThat(receiver.received()).hasSize(1);
		}
	}

	/**
	 * A delivery stored while the engine is stopped (so nobody claims it), then claimed for a minute
	 * by an owner that will never come back; the engine runs again, to sweep.
	 */
	private WebhookJob storedAndClaimedByADeadOwner() {
		this.engine.stop();
		String eventId = publish("outbox.test", Map.of());
		await().atMost(WAIT).until(() -> status(eventId).path("deliveries").size() == 1);
		WebhookJob job = await().atMost(WAIT).until(this::claimMine, (claimed) -> claimed != null);
		assertThat(job.eventId()).isEqualTo(eventId);
		this.engine.start();
		return job;
	}

	/** Claims due deliveries and keeps this test's tenant's one (others' are given back). */
	private WebhookJob claimMine() {
		List<WebhookJob> claimed = this.queue
			.claimDue("dead-owner", List.of(), Capacity.unlimited(), 100, Duration.ofMinutes(1))
			.collectList()
			.block();
		WebhookJob mine = null;
		for (WebhookJob job : claimed) {
			if (job.tenantId().equals(this.tenant)) {
				mine = job;
			}
			else {
				this.queue.release(job, null).block();
			}
		}
		return mine;
	}

	private ConsumerRecord<String, byte[]> awaitPublished(String eventId) {
		await().atMost(WAIT).until(() -> !publishedFor(eventId).isEmpty());
		return publishedFor(eventId).get(0);
	}

	/** Exactly one DLT record of {@code eventId}, and still one throughout {@code period}. */
	private void assertPublishedOnceFor(String eventId, Duration period) {
		await().during(period).atMost(period.plusSeconds(5)).until(() -> publishedFor(eventId).size() == 1);
	}

	private List<ConsumerRecord<String, byte[]>> publishedFor(String eventId) {
		this.dlt.poll(Duration.ofMillis(200)).forEach(this.published::add);
		return this.published.stream().filter((record) -> eventId.equals(record.key())).toList();
	}

	private String owedReason(String deliveryId) {
		return this.db.sql("select dlt_reason from delivery where id = :id")
			.bind("id", deliveryId)
			.map((row) -> Optional.ofNullable(row.get(0, String.class)))
			.one()
			.block(Duration.ofSeconds(10))
			.orElse(null);
	}

	private static String header(ConsumerRecord<String, byte[]> record, String name) {
		var header = record.headers().lastHeader(name);
		return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
	}

}
