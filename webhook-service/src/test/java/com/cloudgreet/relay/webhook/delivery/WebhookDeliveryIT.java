package com.cloudgreet.relay.webhook.delivery;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import com.cloudgreet.relay.common.event.CloudEventCodec;
import com.cloudgreet.relay.common.id.IdKind;
import com.cloudgreet.relay.common.id.RelayIds;
import com.cloudgreet.relay.common.json.RelayJson;
import com.cloudgreet.relay.common.kafka.RelayKafkaHeaders;
import com.cloudgreet.relay.delivery.DeliveryEngine;
import com.cloudgreet.relay.common.kafka.Topics;
import com.cloudgreet.relay.webhook.AbstractWebhookIT;
import com.cloudgreet.relay.webhook.testing.IndependentSignature;
import com.cloudgreet.relay.webhook.testing.Receiver;
import mockwebserver3.MockResponse;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.http.HttpStatus;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;
import org.springframework.kafka.test.EmbeddedKafkaBroker;
import org.springframework.kafka.test.utils.KafkaTestUtils;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class WebhookDeliveryIT extends AbstractWebhookIT {

	@Autowired
	private EmbeddedKafkaBroker broker;

	@Autowired
	private KafkaListenerEndpointRegistry listeners;

	@Autowired
	private DeliveryEngine<WebhookJob> engine;

	@Test
	void deliversSignedEventToSubscribedEndpointsOnly() {
		try (Receiver paid = Receiver.ok(); Receiver everything = Receiver.ok(); Receiver other = Receiver.ok()) {
			JsonNode paidEndpoint = createEndpoint(paid.url(), "invoice.paid");
			JsonNode allEndpoint = createEndpoint(everything.url());
			createEndpoint(other.url(), "invoice.voided");

			String eventId = publish("invoice.paid", Map.of("invoice", "in_1", "amount", 4200));

			await().atMost(WAIT).until(() -> paid.count() == 1 && everything.count() == 1);
			await().atMost(WAIT).until(() -> status(eventId).path("status").asString().equals("delivered"));
			for (var pair : List.of(Map.entry(paid, paidEndpoint), Map.entry(everything, allEndpoint))) {
				Receiver.Received request = pair.getKey().received().get(0);
				String secret = pair.getValue().path("secret").asString();
				assertThat(IndependentSignature.verify(secret, request.webhookId(),
						request.headers().get("webhook-timestamp"), request.body(),
						request.headers().get("webhook-signature")))
					.as("signature verifies with an independent HMAC").isTrue();
				JsonNode body = RelayJson.read(request.body(), JsonNode.class);
				assertThat(body.path("type").asString()).isEqualTo("invoice.paid");
				assertThat(body.path("data").path("invoice").asString()).isEqualTo("in_1");
				assertThat(request.webhookId()).startsWith("dlv_");
			}
			assertThat(paid.received().get(0).webhookId()).isNotEqualTo(everything.received().get(0).webhookId());

			JsonNode status = status(eventId);
			assertThat(status.path("channel").asString()).isEqualTo("webhook");
			assertThat(status.path("eventType").asString()).isEqualTo("invoice.paid");
			assertThat(status.path("deliveries").size()).as("no delivery for the unsubscribed endpoint").isEqualTo(2);
			assertThat(other.count()).isZero();
			assertThat(status.path("attempts").size()).isEqualTo(2);
			assertThat(status.path("attempts").path(0).path("outcome").asString()).isEqualTo("delivered");
			assertThat(status.path("attempts").path(0).path("providerCode").asString()).isEqualTo("200");
		}
	}

	@Test
	void retriesWithTheSameWebhookIdUntilTheReceiverRecovers() {
		try (Receiver flaky = new Receiver((n) -> Receiver.status(n <= 2 ? 500 : 200))) {
			JsonNode endpoint = createEndpoint(flaky.url());

			String eventId = publish("order.created", Map.of("order", 1));

			await().atMost(WAIT).until(() -> status(eventId).path("status").asString().equals("delivered"));
			List<Receiver.Received> requests = flaky.received();
			assertThat(requests).hasSize(3);
			assertThat(requests.stream().map(Receiver.Received::webhookId).distinct()).hasSize(1);
			String secret = endpoint.path("secret").asString();
			assertThat(requests).allMatch((r) -> IndependentSignature.verify(secret, r.webhookId(),
					r.headers().get("webhook-timestamp"), r.body(), r.headers().get("webhook-signature")));
			assertThat(requests).extracting(Receiver.Received::bodyText).containsOnly(requests.get(0).bodyText());

			JsonNode delivery = status(eventId).path("deliveries").path(0);
			assertThat(delivery.path("id").asString()).isEqualTo(requests.get(0).webhookId());
			assertThat(outcomes(delivery.path("attempts"))).containsExactly("retryable_failure", "retryable_failure",
					"delivered");
			assertThat(delivery.path("attempts").path(0).path("statusCode").asInt()).isEqualTo(500);
			assertThat(delivery.path("attempts").path(0).path("responseExcerpt").asString()).isEqualTo("status 500");
		}
	}

	@Test
	void deadLettersAfterTheLastRetryStageAndReplayDeliversAfterRecovery() {
		AtomicBoolean down = new AtomicBoolean(true);
		try (Receiver receiver = new Receiver((n) -> Receiver.status(down.get() ? 503 : 200));
				Consumer<String, byte[]> dlt = deadLetterConsumer()) {
			JsonNode endpoint = createEndpoint(receiver.url());

			String eventId = publish("user.deleted", Map.of("user", "u_1"));

			await().atMost(WAIT).until(() -> status(eventId).path("status").asString().equals("dead_lettered"));
			// 1 attempt + one per retry stage (0s, 1s, 1s), all with the same webhook-id.
			assertThat(receiver.received()).hasSize(4);
			String webhookId = receiver.received().get(0).webhookId();
			assertThat(receiver.received()).extracting(Receiver.Received::webhookId).containsOnly(webhookId);
			ConsumerRecord<String, byte[]> dead = awaitRecord(dlt, eventId);
			assertThat(header(dead, RelayKafkaHeaders.DLT_REASON)).contains("retry schedule exhausted").contains("503");
			assertThat(header(dead, RelayKafkaHeaders.DELIVERY_ID)).isEqualTo(webhookId);
			assertThat(header(dead, RelayKafkaHeaders.ENDPOINT_ID)).isEqualTo(endpoint.path("id").asString());
			assertThat(header(dead, RelayKafkaHeaders.TENANT_ID)).isEqualTo(this.tenant);

			down.set(false);
			post(this.tenant, "/internal/v1/messages/" + eventId + "/retry").exchange()
				.expectStatus()
				.isEqualTo(HttpStatus.ACCEPTED)
				.expectBody()
				.jsonPath("$.id").isEqualTo(eventId)
				.jsonPath("$.status").isEqualTo("queued");

			await().atMost(WAIT).until(() -> status(eventId).path("status").asString().equals("delivered"));
			assertThat(receiver.received()).hasSize(5);
			assertThat(receiver.received().get(4).webhookId()).isEqualTo(webhookId);
			assertThat(status(eventId).path("attempts").size()).isEqualTo(5);

			post(this.tenant, "/internal/v1/messages/" + eventId + "/retry").exchange()
				.expectStatus()
				.isEqualTo(HttpStatus.CONFLICT)
				.expectBody()
				.jsonPath("$.type").isEqualTo("https://relay.cloudgreet.com/problems/message-not-retryable");
		}
	}

	@Test
	void replaysAnEndpointsFailedDeliveriesSinceAnInstant() {
		AtomicBoolean down = new AtomicBoolean(true);
		try (Receiver receiver = new Receiver((n) -> Receiver.status(down.get() ? 500 : 200))) {
			String endpointId = createEndpoint(receiver.url()).path("id").asString();
			Instant since = Instant.now().minusSeconds(1);
			// One event: four failures stay below the test's auto-disable rule (six).
			String eventId = publish("a.b", Map.of("n", 1));
			await().atMost(WAIT).until(() -> status(eventId).path("status").asString().equals("dead_lettered"));

			down.set(false);
			post(this.tenant, "/internal/v1/endpoints/" + endpointId + "/replay?since=" + Instant.now()).exchange()
				.expectStatus()
				.isEqualTo(HttpStatus.ACCEPTED)
				.expectBody()
				.jsonPath("$.deliveries").isEqualTo(0);
			post(this.tenant, "/internal/v1/endpoints/" + endpointId + "/replay?since=" + since).exchange()
				.expectStatus()
				.isEqualTo(HttpStatus.ACCEPTED)
				.expectBody()
				.jsonPath("$.deliveries").isEqualTo(1);

			await().atMost(WAIT).until(() -> status(eventId).path("status").asString().equals("delivered"));
			get(this.tenant, "/internal/v1/endpoints/" + endpointId + "/attempts?limit=3").exchange()
				.expectStatus()
				.isOk()
				.expectBody()
				.jsonPath("$.data.length()").isEqualTo(3)
				.jsonPath("$.data[0].outcome").isEqualTo("delivered")
				.jsonPath("$.data[0].latencyMs").isNumber();
		}
	}

	@Test
	void aHangingEndpointDoesNotDelayAHealthyOne() {
		try (Receiver hanging = new Receiver(
				(n) -> new MockResponse.Builder().code(200).headersDelay(30, TimeUnit.SECONDS).build());
				Receiver healthy = Receiver.ok()) {
			createEndpoint(hanging.url());
			createEndpoint(healthy.url());

			Map<String, Instant> published = new ConcurrentHashMap<>();
			int events = 30;
			for (int i = 0; i < events; i++) {
				published.put(publish("load.test", Map.of("i", i)), Instant.now());
			}

			await().atMost(WAIT).until(() -> healthy.count() >= events);
			List<Duration> latencies = new ArrayList<>();
			for (Receiver.Received request : healthy.received()) {
				String eventId = RelayJson.read(request.body(), JsonNode.class).path("eventId").asString();
				latencies.add(Duration.between(published.get(eventId), request.at()));
			}
			latencies.sort(null);
			// A healthy delivery takes milliseconds; head-of-line blocking behind the hanging
			// endpoint would cost at least one attempt timeout (2 s) per blocked delivery.
			assertThat(latencies.get(latencies.size() - 1)).as("slowest healthy delivery, all: %s", latencies)
				.isLessThan(Duration.ofMillis(1500));
			assertThat(hanging.count()).as("the hanging endpoint was attempted meanwhile").isGreaterThan(0);
		}
	}

	/**
	 * The test profile allows 32 attempts in flight, 8 per endpoint and 16 per tenant. Tenant A's
	 * four hanging endpoints would hold all 32 slots but for the per-tenant budget; with it, B's
	 * deliveries go out at once instead of waiting behind A's timeouts.
	 */
	@Test
	void aTenantsHangingEndpointsDoNotTakeAnotherTenantsSlots() {
		String tenantB = RelayIds.next(IdKind.TENANT);
		try (Receiver hanging = new Receiver(
				(n) -> new MockResponse.Builder().code(200).headersDelay(30, TimeUnit.SECONDS).build());
				Receiver healthy = Receiver.ok()) {
			for (int i = 0; i < 4; i++) {
				createEndpoint(hanging.url() + "/" + i);
			}
			createEndpointFor(tenantB, healthy.url());
			for (int i = 0; i < 20; i++) {
				publish("budget.test", Map.of("i", i));
			}
			// Tenant A holds its whole budget, and no more: without one it would take all 32 slots
			// (80 deliveries are due). Its attempts only time out after 2 s.
			await().atMost(WAIT).until(() -> hanging.count() >= 16);
			await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(1)).until(() -> hanging.count() == 16);

			Map<String, Instant> published = new ConcurrentHashMap<>();
			int events = 10;
			for (int i = 0; i < events; i++) {
				published.put(publishFor(tenantB, "budget.test", Map.of("i", i)), Instant.now());
			}

			await().atMost(WAIT).until(() -> healthy.count() >= events);
			List<Duration> latencies = new ArrayList<>();
			for (Receiver.Received request : healthy.received()) {
				String eventId = RelayJson.read(request.body(), JsonNode.class).path("eventId").asString();
				latencies.add(Duration.between(published.get(eventId), request.at()));
			}
			latencies.sort(null);
			// Waiting for one of A's slots would cost at least one attempt timeout (2 s).
			assertThat(latencies.get(latencies.size() - 1)).as("slowest delivery of tenant B, all: %s", latencies)
				.isLessThan(Duration.ofMillis(1500));
		}
	}

	@Test
	void autoDisablesAFailingEndpointAndResumesWhenReEnabled() {
		AtomicBoolean down = new AtomicBoolean(true);
		try (Receiver receiver = new Receiver((n) -> Receiver.status(down.get() ? 500 : 200))) {
			String endpointId = createEndpoint(receiver.url()).path("id").asString();
			List<String> events = List.of(publish("x.y", Map.of("n", 1)), publish("x.y", Map.of("n", 2)),
					publish("x.y", Map.of("n", 3)));

			// Test rule: 6 consecutive failures spanning at least 1 s.
			await().atMost(WAIT).until(() -> !endpoint(endpointId).path("enabled").asBoolean());
			assertThat(endpoint(endpointId).path("disabledReason").asString()).contains("consecutive failed attempts");
			int whileDisabled = receiver.count();

			down.set(false);
			patch(this.tenant, "/internal/v1/endpoints/" + endpointId).bodyValue(Map.of("enabled", true))
				.exchange()
				.expectStatus()
				.isOk()
				.expectBody()
				.jsonPath("$.enabled").isEqualTo(true)
				.jsonPath("$.disabledReason").doesNotExist();

			await().atMost(WAIT).until(() -> events.stream()
				.allMatch((id) -> status(id).path("status").asString().equals("delivered")));
			assertThat(receiver.count()).isGreaterThan(whileDisabled);
		}
	}

	@Test
	void goneDisablesTheEndpointAtOnce() {
		try (Receiver gone = new Receiver((n) -> Receiver.status(410))) {
			String endpointId = createEndpoint(gone.url()).path("id").asString();
			String eventId = publish("x.gone", Map.of());

			await().atMost(WAIT).until(() -> status(eventId).path("status").asString().equals("failed"));
			assertThat(gone.count()).isEqualTo(1);
			JsonNode endpoint = endpoint(endpointId);
			assertThat(endpoint.path("enabled").asBoolean()).isFalse();
			assertThat(endpoint.path("disabledReason").asString()).contains("410");
		}
	}

	@Test
	@ExtendWith(OutputCaptureExtension.class)
	void deliveryAttemptsContinueTheTraceOfTheRecordTheEventCameIn(CapturedOutput output) throws Exception {
		String traceId = "5af7651916cd43dd8448eb211c80319d";
		try (Receiver receiver = Receiver.ok()) {
			createEndpoint(receiver.url(), "trace.test");
			String id = RelayIds.next(IdKind.EVENT);
			var record = new ProducerRecord<>(Topics.WEBHOOK, id,
					CloudEventCodec.encode(event(id, "trace.test", Map.of("n", 1))));
			record.headers()
				.add(RelayKafkaHeaders.CONTENT_TYPE, RelayKafkaHeaders.CLOUDEVENTS_JSON.getBytes(StandardCharsets.UTF_8))
				.add("traceparent", ("00-" + traceId + "-00f067aa0ba902b7-01").getBytes(StandardCharsets.UTF_8));
			// A plain producer: the application's template would add a traceparent of its own.
			try (var producer = new KafkaProducer<String, byte[]>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
					this.broker.getBrokersAsString()), new StringSerializer(), new ByteArraySerializer())) {
				producer.send(record).get(10, TimeUnit.SECONDS);
			}

			await().atMost(WAIT).until(() -> receiver.count() == 1);
			String deliveryId = status(id).path("deliveries").path(0).path("id").asString();
			await().atMost(Duration.ofSeconds(10))
				.untilAsserted(() -> assertThat(output.getOut().lines().filter((line) -> line.contains(" message " + deliveryId + " ")))
					.singleElement(InstanceOfAssertFactories.STRING)
					.contains(traceId)
					.contains("Delivered"));
		}
	}

	@Test
	void signsWithBothSecretsDuringARotationsGracePeriod() {
		try (Receiver receiver = Receiver.ok()) {
			JsonNode created = createEndpoint(receiver.url());
			String oldSecret = created.path("secret").asString();
			JsonNode rotated = post(this.tenant, "/internal/v1/endpoints/" + created.path("id").asString() + "/rotate-secret")
				.exchange()
				.expectStatus()
				.isOk()
				.expectBody(JsonNode.class)
				.returnResult()
				.getResponseBody();
			String newSecret = rotated.path("secret").asString();
			assertThat(newSecret).startsWith("whsec_").isNotEqualTo(oldSecret);
			assertThat(rotated.path("previousSecretExpiresAt").isMissingNode()).isFalse();

			publish("rotation.test", Map.of());

			await().atMost(WAIT).until(() -> receiver.count() == 1);
			Receiver.Received request = receiver.received().get(0);
			String signature = request.headers().get("webhook-signature");
			assertThat(signature.split(" ")).hasSize(2);
			for (String secret : List.of(oldSecret, newSecret)) {
				assertThat(IndependentSignature.verify(secret, request.webhookId(),
						request.headers().get("webhook-timestamp"), request.body(), signature))
					.isTrue();
			}
		}
	}

	@Test
	void poisonRecordGoesToTheDeadLetterTopicAndConsumptionContinues() {
		try (Receiver receiver = Receiver.ok(); Consumer<String, byte[]> dlt = deadLetterConsumer()) {
			createEndpoint(receiver.url());
			String key = "poison-" + this.tenant;

			publishRaw(key, "{not json".getBytes(StandardCharsets.UTF_8));
			String eventId = publish("after.poison", Map.of());

			ConsumerRecord<String, byte[]> dead = awaitRecord(dlt, key);
			assertThat(header(dead, RelayKafkaHeaders.DLT_REASON)).isNotBlank();
			assertThat(new String(dead.value(), StandardCharsets.UTF_8)).isEqualTo("{not json");
			await().atMost(WAIT).until(() -> status(eventId).path("status").asString().equals("delivered"));
		}
	}

	/** A producer writing straight to Kafka is held to the gateway's cap: 256 KB of payload JSON. */
	@Test
	void anEventWhosePayloadIsOverTheCapIsDeadLetteredWithTheReason() {
		try (Receiver receiver = Receiver.ok(); Consumer<String, byte[]> dlt = deadLetterConsumer()) {
			createEndpoint(receiver.url());
			String id = RelayIds.next(IdKind.EVENT);

			publishRaw(id, CloudEventCodec.encode(event(id, "too.big", Map.of("blob", "x".repeat(300 * 1024)))));

			ConsumerRecord<String, byte[]> dead = awaitRecord(dlt, id);
			assertThat(header(dead, RelayKafkaHeaders.DLT_REASON)).contains("/data/payload").contains("262144 bytes");
			assertThat(receiver.count()).isZero();
		}
	}

	@Test
	void aRedeliveredRecordDoesNotDuplicateDeliveries() {
		try (Receiver receiver = Receiver.ok()) {
			createEndpoint(receiver.url());
			String eventId = publish("dup.test", Map.of("n", 1));
			await().atMost(WAIT).until(() -> receiver.count() == 1);

			// The same CloudEvent again, as after a consumer crash before its offset commit.
			publishRaw(eventId, com.cloudgreet.relay.common.event.CloudEventCodec
				.encode(event(eventId, "dup.test", Map.of("n", 1))));
			String marker = publish("dup.test", Map.of("n", 2));
			await().atMost(WAIT).until(() -> status(marker).path("status").asString().equals("delivered"));

			assertThat(status(eventId).path("deliveries").size()).isEqualTo(1);
			assertThat(receiver.count()).isEqualTo(2);
		}
	}

	@Test
	void everyDeliveryIsMadeAfterTheServiceStopsMidStreamAndRestarts() {
		// Slow enough that attempts are in flight when the service stops.
		try (Receiver receiver = new Receiver(
				(n) -> new MockResponse.Builder().code(200).headersDelay(150, TimeUnit.MILLISECONDS).build())) {
			createEndpoint(receiver.url());
			var container = this.listeners.getListenerContainer(WebhookEventListener.LISTENER_ID);
			List<String> events = new ArrayList<>();
			for (int i = 0; i < 40; i++) {
				events.add(publish("crash.test", Map.of("i", i)));
			}
			await().atMost(WAIT).until(() -> receiver.count() > 0);

			// Stop mid-stream: in-flight attempts are abandoned to their leases, uncommitted
			// records stay in Kafka, exactly as a killed instance leaves them.
			container.stop();
			this.engine.stop();
			for (int i = 40; i < 60; i++) {
				events.add(publish("crash.test", Map.of("i", i)));
			}
			this.engine.start();
			container.start();

			await().atMost(WAIT).until(() -> events.stream()
				.allMatch((id) -> status(id).path("status").asString().equals("delivered")));
			Map<String, Set<String>> webhookIdsByEvent = new HashMap<>();
			for (Receiver.Received request : receiver.received()) {
				String eventId = RelayJson.read(request.body(), JsonNode.class).path("eventId").asString();
				webhookIdsByEvent.computeIfAbsent(eventId, (k) -> new java.util.HashSet<>()).add(request.webhookId());
			}
			assertThat(webhookIdsByEvent.keySet()).containsExactlyInAnyOrderElementsOf(events);
			// Duplicates, if any, carry the same webhook-id, so receivers de-duplicate them.
			assertThat(webhookIdsByEvent.values()).allMatch((ids) -> ids.size() == 1);
		}
	}

	private static List<String> outcomes(JsonNode attempts) {
		List<String> outcomes = new ArrayList<>();
		attempts.forEach((attempt) -> outcomes.add(attempt.path("outcome").asString()));
		return outcomes;
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

	private static ConsumerRecord<String, byte[]> awaitRecord(Consumer<String, byte[]> consumer, String key) {
		List<ConsumerRecord<String, byte[]>> seen = new ArrayList<>();
		await().atMost(WAIT).until(() -> {
			consumer.poll(Duration.ofMillis(200)).forEach(seen::add);
			return seen.stream().anyMatch((r) -> key.equals(r.key()));
		});
		return seen.stream().filter((r) -> key.equals(r.key())).findFirst().orElseThrow();
	}

	private static String header(ConsumerRecord<String, byte[]> record, String name) {
		var header = record.headers().lastHeader(name);
		return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
	}


}
