package com.cloudgreet.relay.gateway;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

import com.cloudgreet.relay.common.kafka.Topics;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.http.MediaType;
import org.springframework.kafka.test.EmbeddedKafkaBroker;
import org.springframework.kafka.test.context.EmbeddedKafka;
import org.springframework.kafka.test.utils.KafkaTestUtils;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;

import static org.awaitility.Awaitility.await;

/**
 * One gateway context for every integration test that can share it: real PostgreSQL (relay_test),
 * real Redis (6379), an in-JVM KRaft broker, and one MockWebServer standing in for the owning
 * services' internal APIs (tests register answers per path).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureWebTestClient
@ActiveProfiles("test")
@EmbeddedKafka(partitions = 1, topics = { Topics.EMAIL, Topics.SMS, Topics.WEBHOOK })
public abstract class GatewayIntegrationTest {

	protected static final String ADMIN_TOKEN = "test-admin-token-at-least-32-characters";

	protected static final MockWebServer OWNERS = new MockWebServer();

	/** Answers of the fake owning services by "METHOD path"; unknown paths answer 404 problem. */
	protected static final Map<String, Function<RecordedRequest, MockResponse>> OWNER_ROUTES = new ConcurrentHashMap<>();

	protected static final List<RecordedRequest> OWNER_REQUESTS = java.util.Collections.synchronizedList(new ArrayList<>());

	static {
		OWNERS.setDispatcher(new Dispatcher() {
			@Override
			public MockResponse dispatch(RecordedRequest request) {
				OWNER_REQUESTS.add(request);
				var route = OWNER_ROUTES.get(request.getMethod() + " " + request.getTarget());
				if (route != null) {
					return route.apply(request);
				}
				return new MockResponse.Builder().code(404)
					.addHeader("Content-Type", "application/problem+json")
					.body("{\"type\":\"https://relay.cloudgreet.com/problems/not-found\",\"title\":\"Not found\",\"status\":404}")
					.build();
			}
		});
		try {
			OWNERS.start(java.net.InetAddress.getLoopbackAddress(), 0);
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	@DynamicPropertySource
	static void owners(DynamicPropertyRegistry registry) {
		String url = "http://127.0.0.1:" + OWNERS.getPort();
		registry.add("relay.gateway.services.notification-url", () -> url);
		registry.add("relay.gateway.services.webhook-url", () -> url);
	}

	@Autowired
	protected WebTestClient web;

	@Autowired
	protected EmbeddedKafkaBroker broker;

	protected record NewTenant(String id, String apiKey, String keyId) {
	}

	protected NewTenant createTenant() {
		return createTenant("{\"name\":\"test " + UUID.randomUUID() + "\"}");
	}

	protected NewTenant createTenant(String body) {
		JsonNode created = this.web.post()
			.uri("/admin/v1/tenants")
			.header("Authorization", "Bearer " + ADMIN_TOKEN)
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(body)
			.exchange()
			.expectStatus()
			.isCreated()
			.expectBody(JsonNode.class)
			.returnResult()
			.getResponseBody();
		return new NewTenant(created.get("id").asString(), created.get("apiKey").asString(),
				created.get("keyId").asString());
	}

	protected static String sms(String text) {
		return "{\"to\":\"+14155550123\",\"body\":\"" + text + "\"}";
	}

	protected static String email(String subject) {
		return "{\"to\":[\"ada@example.com\"],\"subject\":\"" + subject + "\",\"text\":\"hello\"}";
	}

	protected Consumer<String, byte[]> consumer(String topic) {
		Map<String, Object> props = KafkaTestUtils.consumerProps(this.broker, "test-" + UUID.randomUUID(), false);
		props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
		props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
		props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
		KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props);
		consumer.subscribe(List.of(topic));
		return consumer;
	}

	/** Every record on {@code topic} of {@code tenantId}, read until {@code until} is among them. */
	protected List<ConsumerRecord<String, byte[]>> recordsOf(String topic, String tenantId,
			java.util.function.Predicate<List<ConsumerRecord<String, byte[]>>> until) {
		List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
		try (Consumer<String, byte[]> consumer = consumer(topic)) {
			await().atMost(Duration.ofSeconds(20)).until(() -> {
				for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
					var header = record.headers().lastHeader("relay-tenant-id");
					if (header != null && new String(header.value()).equals(tenantId)) {
						records.add(record);
					}
				}
				return until.test(records);
			});
		}
		return records;
	}

}
