package com.cloudgreet.relay.notification;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import com.cloudgreet.relay.common.Channel;
import com.cloudgreet.relay.common.event.CloudEvent;
import com.cloudgreet.relay.common.event.CloudEventCodec;
import com.cloudgreet.relay.common.id.IdKind;
import com.cloudgreet.relay.common.id.RelayIds;
import com.cloudgreet.relay.common.json.RelayJson;
import com.cloudgreet.relay.common.kafka.RelayKafkaHeaders;
import com.cloudgreet.relay.common.kafka.Topics;
import com.cloudgreet.relay.delivery.DeliveryQueue;
import com.cloudgreet.relay.delivery.DeliveryQueue.OwedDeadLetter;
import com.cloudgreet.relay.notification.delivery.Engines;
import com.cloudgreet.relay.notification.delivery.MessageJob;
import com.cloudgreet.relay.notification.delivery.MessageStore;
import com.cloudgreet.relay.notification.delivery.NewMessage;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The outbox of dead letters: a message marked failed or dead-lettered owes its DLT record until
 * Kafka has it. The crash between the two (kill -9 after the write, before the publish) is
 * simulated by writing the state the way the queue does and never publishing; the service's
 * engine, which sweeps every 1.5 s for records owed longer than 3 s (application-test.yml), must
 * publish it, once, with its reason.
 */
class DeadLetterOutboxIT extends NotificationIT {

	private static final Duration LEASE = Duration.ofMinutes(1);

	private static final String DLT = Topics.deadLetter(Topics.SMS);

	@Autowired
	private MessageStore store;

	@Autowired
	private Engines engines;

	@Autowired
	private RecordingAlerter alerter;

	private DeliveryQueue<MessageJob> queue;

	private KafkaConsumer<String, byte[]> dlt;

	private final List<ConsumerRecord<String, byte[]>> published = new CopyOnWriteArrayList<>();

	@BeforeEach
	void readTheDeadLetterTopic() {
		this.queue = this.store.queue(Channel.SMS);
		this.dlt = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, this.brokers,
				ConsumerConfig.GROUP_ID_CONFIG, "outbox-reader-" + UUID.randomUUID(),
				ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new StringDeserializer(),
				new ByteArrayDeserializer());
		this.dlt.subscribe(List.of(DLT));
	}

	@AfterEach
	void close() {
		this.dlt.close();
		this.engines.of(Channel.SMS).start();
	}

	@Test
	void sweepsADeadLetterWhosePublisherDiedAfterMarkingIt() {
		MessageJob job = storeClaimedBy("crashed-owner");
		String reason = "retry schedule exhausted after 3 tries; last: 503/20503 Service unavailable";
		// What the engine writes before it publishes; it "dies" here and never publishes.
		assertThat(this.queue.deadLetter(job, reason).block(Duration.ofSeconds(10))).isTrue();
		assertThat(owedReason(job.id())).isEqualTo(reason);

		ConsumerRecord<String, byte[]> dead = awaitPublished(job.id());
		assertThat(header(dead, RelayKafkaHeaders.DLT_REASON)).isEqualTo(reason);
		assertThat(header(dead, RelayKafkaHeaders.TENANT_ID)).isEqualTo(this.tenant);
		assertThat(header(dead, RelayKafkaHeaders.CONTENT_TYPE)).isEqualTo(RelayKafkaHeaders.CLOUDEVENTS_JSON);
		assertThat(text(dead)).isEqualTo(job.event());
		await().atMost(Duration.ofSeconds(10)).until(() -> owedReason(job.id()) == null);
		assertThat(this.alerter.alerts()).anyMatch((alert) -> job.id().equals(alert.messageId())
				&& reason.equals(alert.reason()));
		assertThat(status(job.id()).path("status").asString()).isEqualTo("dead_lettered");
		// Published once: later sweeps find nothing owed.
		assertPublishedOnceFor(job.id(), Duration.ofSeconds(4));
	}

	@Test
	void sweepsAPermanentFailureWhosePublisherDiedAfterRecordingIt() {
		MessageJob job = storeClaimedBy("crashed-owner");
		assertThat(this.queue
			.record(job, new com.cloudgreet.relay.delivery.AttemptRecord(java.time.Instant.now(),
					new com.cloudgreet.relay.delivery.Outcome.Permanent("400/21211", "not a valid phone number"), 8),
					DeliveryQueue.Step.FAILED)
			.block(Duration.ofSeconds(10))).isTrue();

		ConsumerRecord<String, byte[]> dead = awaitPublished(job.id());
		assertThat(header(dead, RelayKafkaHeaders.DLT_REASON))
			.isEqualTo("permanent failure: 400/21211 not a valid phone number");
		await().atMost(Duration.ofSeconds(10)).until(() -> owedReason(job.id()) == null);
		assertThat(status(job.id()).path("status").asString()).isEqualTo("failed");
		assertPublishedOnceFor(job.id(), Duration.ofSeconds(4));
	}

	@Test
	void theEnginesOwnPublishLeavesNothingOwedToSweep() {
		String to = phoneNumber();
		TWILIO.stubFor(post(urlEqualTo(TWILIO_MESSAGES)).withFormParam("To", equalTo(to))
			.willReturn(aResponse().withStatus(400)
				.withHeader("Content-Type", "application/json")
				.withBody("{\"code\":21211,\"message\":\"not a valid phone number\",\"status\":400}")));

		String id = publishSms(to, "rejected");

		awaitStatus(id, "failed");
		awaitPublished(id);
		await().atMost(Duration.ofSeconds(10)).until(() -> owedReason(id) == null);
		// Longer than the grace and two sweeps after it: nothing is published twice.
		assertPublishedOnceFor(id, Duration.ofSeconds(5));
	}

	@Test
	void aSweepHoldsWhatItPickedSoAnotherSkipsIt() {
		this.engines.of(Channel.SMS).stop();
		MessageJob job = storeClaimedBy("crashed-owner");
		assertThat(this.queue.deadLetter(job, "gave up").block(Duration.ofSeconds(10))).isTrue();
		assertThat(this.queue.claimOwedDeadLetters(Duration.ofSeconds(3), 100)
			.filter((owed) -> owed.job().id().equals(job.id()))
			.collectList()
			.block(Duration.ofSeconds(10))).as("not owed for longer than the grace yet").isEmpty();
		this.db.sql("update message set dlt_at = now() - interval '10 seconds' where id = :id")
			.bind("id", job.id())
			.then()
			.block(Duration.ofSeconds(10));

		List<OwedDeadLetter<MessageJob>> first = owedNow(job.id());
		List<OwedDeadLetter<MessageJob>> second = owedNow(job.id());

		assertThat(first).hasSize(1);
		assertThat(first.get(0).reason()).isEqualTo("gave up");
		assertThat(first.get(0).exhausted()).isTrue();
		assertThat(first.get(0).job().event()).isEqualTo(job.event());
		assertThat(second).as("held by the first sweep").isEmpty();
		assertThat(owedReason(job.id())).as("still owed until published").isEqualTo("gave up");
		this.queue.deadLetterPublished(first.get(0).job()).block(Duration.ofSeconds(10));
		this.queue.deadLetterPublished(first.get(0).job()).block(Duration.ofSeconds(10));
		assertThat(owedReason(job.id())).isNull();
	}

	private List<OwedDeadLetter<MessageJob>> owedNow(String id) {
		return this.queue.claimOwedDeadLetters(Duration.ofSeconds(3), 100)
			.filter((owed) -> owed.job().id().equals(id))
			.collectList()
			.block(Duration.ofSeconds(10));
	}

	private ConsumerRecord<String, byte[]> awaitPublished(String id) {
		await().atMost(Duration.ofSeconds(30)).until(() -> !publishedFor(id).isEmpty());
		return publishedFor(id).get(0);
	}

	/** Exactly one DLT record of {@code id}, and still one throughout {@code period}. */
	private void assertPublishedOnceFor(String id, Duration period) {
		await().during(period).atMost(period.plusSeconds(5)).until(() -> publishedFor(id).size() == 1);
	}

	private List<ConsumerRecord<String, byte[]>> publishedFor(String id) {
		this.dlt.poll(Duration.ofMillis(200)).forEach(this.published::add);
		return this.published.stream().filter((record) -> text(record).contains(id)).toList();
	}

	private MessageJob storeClaimedBy(String owner) {
		String id = RelayIds.next(IdKind.MESSAGE);
		CloudEvent event = CloudEvent.request(Channel.SMS, id, "/tests", this.tenant,
				RelayJson.tree(Map.of("to", phoneNumber(), "body", "owed")));
		String json = new String(CloudEventCodec.encode(event), StandardCharsets.UTF_8);
		MessageStore.Ingested ingested = this.store
			.ingest(Channel.SMS, List.of(new NewMessage(id, this.tenant, json, null)), 1, owner, LEASE)
			.block(Duration.ofSeconds(10));
		assertThat(ingested.claimed()).hasSize(1);
		return ingested.claimed().get(0);
	}

	private String owedReason(String id) {
		return this.db.sql("select dlt_reason from message where id = :id")
			.bind("id", id)
			.map((row) -> java.util.Optional.ofNullable(row.get(0, String.class)))
			.one()
			.block(Duration.ofSeconds(10))
			.orElse(null);
	}

}
