package com.cloudgreet.relay.system;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import com.cloudgreet.relay.common.json.RelayJson;
import com.cloudgreet.relay.common.kafka.Topics;
import com.cloudgreet.relay.testsupport.PathSpellings;
import com.cloudgreet.relay.testsupport.RawHttp;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The walking skeleton end to end: the three packaged services as separate processes, one real
 * Kafka broker (KRaft, in this JVM), the real Redis and PostgreSQL. A request enters at the
 * gateway, travels through Kafka to its consumer, is delivered and recorded in PostgreSQL, and
 * its status is read back through the gateway.
 */
class RelaySystemIT {

	private static final String ADMIN_TOKEN = RunningRelay.ADMIN_TOKEN;

	private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	private static final EmbeddedKafkaKraftBroker kafka = RunningRelay.KAFKA;

	private static final ServiceProcess gateway = RunningRelay.GATEWAY;

	private static final ServiceProcess notification = RunningRelay.NOTIFICATION;

	private static final ServiceProcess webhook = RunningRelay.WEBHOOK;

	private static String apiKey;

	@BeforeAll
	static void startRelay() throws Exception {
		RunningRelay.start();
		apiKey = createTenant();
	}

	@Test
	void emailAcceptedByTheGatewayIsDeliveredAndReportedDelivered() throws Exception {
		HttpResponse<String> accepted = post("/v1/messages/email", apiKey,
				"{\"to\":[\"jane@example.com\"],\"subject\":\"Hello\",\"text\":\"Hi from Relay\"}");

		assertThat(accepted.statusCode()).isEqualTo(202);
		JsonNode body = json(accepted);
		String id = body.get("id").asString();
		assertThat(id).startsWith("msg_");
		assertThat(body.get("status").asString()).isEqualTo("queued");
		assertThat(accepted.headers().firstValue("Location")).contains("/v1/messages/" + id);

		JsonNode status = awaitStatus(id, "delivered");
		assertThat(status.get("channel").asString()).isEqualTo("email");
		assertThat(status.get("attempts")).hasSize(1);
		assertThat(status.get("attempts").get(0).get("outcome").asString()).isEqualTo("delivered");
	}

	@Test
	void smsAcceptedByTheGatewayIsDelivered() throws Exception {
		HttpResponse<String> accepted = post("/v1/messages/sms", apiKey,
				"{\"to\":\"+14155550123\",\"body\":\"Your code is 123456\"}");

		assertThat(accepted.statusCode()).isEqualTo(202);
		awaitStatus(json(accepted).get("id").asString(), "delivered");
	}

	@Test
	void webhookEventReachesASubscribedEndpointSigned() throws Exception {
		try (MockWebServer receiver = new MockWebServer()) {
			receiver.enqueue(new MockResponse.Builder().code(204).build());
			receiver.start();
			HttpResponse<String> endpoint = post("/v1/endpoints", apiKey,
					"{\"url\":\"" + receiver.url("/hooks") + "\",\"eventTypes\":[\"invoice.paid\"]}");
			assertThat(endpoint.statusCode()).as(endpoint.body()).isEqualTo(201);
			assertThat(json(endpoint).get("secret").asString()).startsWith("whsec_");

			HttpResponse<String> accepted = post("/v1/events", apiKey,
					"{\"eventType\":\"invoice.paid\",\"payload\":{\"invoice\":\"in_1\",\"amount\":4200}}");
			assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);

			RecordedRequest received = receiver.takeRequest(60, TimeUnit.SECONDS);
			assertThat(received).as("webhook received").isNotNull();
			assertThat(received.getHeaders().get("webhook-id")).isNotBlank();
			assertThat(received.getHeaders().get("webhook-signature")).startsWith("v1,");
			assertThat(received.getBody().utf8()).contains("\"invoice\":\"in_1\"");
			awaitStatus(json(accepted).get("id").asString(), "delivered");
		}
	}

	static Stream<Arguments> badRequests() {
		return Stream.of(Arguments.of("malformed JSON", "valid", "{\"to\":[\"jane@example.com\"", 400),
				Arguments.of("missing subject and body", "valid", "{\"to\":[\"jane@example.com\"]}", 422),
				Arguments.of("header injection in subject", "valid",
						"{\"to\":[\"a@example.com\"],\"subject\":\"x\\r\\nBcc: all@example.com\",\"text\":\"t\"}", 422),
				Arguments.of("unknown API key", "rk_unknown", "{\"to\":[\"jane@example.com\"],\"subject\":\"s\",\"text\":\"t\"}",
						401));
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("badRequests")
	void badInputGetsProblemDetailsAndPublishesNothing(String name, String key, String body, int status)
			throws Exception {
		long before = endOffsets(Topics.EMAIL);

		HttpResponse<String> response = post("/v1/messages/email", "valid".equals(key) ? apiKey : key, body);

		assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
		assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
				(type) -> assertThat(type).startsWith("application/problem+json"));
		JsonNode problem = json(response);
		assertThat(problem.get("type").asString()).startsWith("https://relay.cloudgreet.com/problems/");
		assertThat(problem.get("status").asInt()).isEqualTo(status);
		assertThat(endOffsets(Topics.EMAIL)).as("records on " + Topics.EMAIL).isEqualTo(before);
	}

	/**
	 * The client never saw the answer and its stored copy is gone too (a failed Redis store): the
	 * retry runs again, publishes the same id, and the consumer's de-duplication by id keeps it to
	 * one delivery.
	 */
	@Test
	void aRetryAfterALostAnswerRepublishesTheSameIdAndIsDeliveredOnce() throws Exception {
		String key = UUID.randomUUID().toString();
		String body = "{\"to\":\"+14155550123\",\"body\":\"exactly once\"}";
		HttpResponse<String> first = post("/v1/messages/sms", apiKey, body, key);
		assertThat(first.statusCode()).as(first.body()).isEqualTo(202);
		forgetIdempotencyKey(key);

		HttpResponse<String> retry = post("/v1/messages/sms", apiKey, body, key);
		assertThat(retry.statusCode()).as(retry.body()).isEqualTo(202);
		assertThat(retry.headers().firstValue("Idempotency-Replay")).as("ran again, not replayed").isEmpty();
		String id = json(first).get("id").asString();
		assertThat(json(retry).get("id").asString()).isEqualTo(id);

		awaitStatus(id, "delivered");
		await("notification-service consumed both records").atMost(Duration.ofSeconds(60))
			.until(() -> consumedToTheEnd("notification-service", Topics.SMS));
		assertThat(awaitStatus(id, "delivered").get("attempts")).hasSize(1);
	}

	static Stream<Arguments> protectedPaths() {
		List<Arguments> cases = new ArrayList<>();
		Map<ServiceProcess, List<String>> routes = Map.of(gateway,
				List.of("POST /admin/v1/tenants", "GET /admin/v1/tenants/ten_x", "POST /v1/messages/sms",
						"POST /v1/messages/email", "POST /v1/events", "GET /v1/messages/msg_x", "GET /v1/endpoints",
						"POST /v1/endpoints", "POST /admin/v1/replays", "DELETE /v1/messages/msg_x",
						"DELETE /v1/messages/evt_x", "POST /v1/portal-links",
						"POST /admin/v1/tenants/ten_x/portal-links/revoke", "GET /console/endpoints",
						"GET /console/messages", "GET /console/messages/evt_x", "POST /console/logout",
						"GET /console/operator/tenants", "GET /console/operator/dead-letters", "GET /console/operator/lag",
						"POST /console/operator/replay", "POST /console/operator/logout",
						"POST /admin/v1/operator-sessions/revoke"),
				notification, List.of("GET /internal/v1/messages/msg_x", "POST /internal/v1/messages/msg_x/retry",
						"DELETE /internal/v1/messages/msg_x", "POST /internal/v1/admin/replays",
						"GET /internal/v1/admin/dead-letters", "GET /internal/v1/admin/dead-letters/counts",
						"GET /internal/v1/admin/channels"),
				webhook, List.of("GET /internal/v1/endpoints", "POST /internal/v1/endpoints",
						"GET /internal/v1/messages/evt_x", "GET /internal/v1/messages", "DELETE /internal/v1/messages/evt_x",
						"POST /internal/v1/endpoints/ep_x/replay",
						"POST /internal/v1/admin/replays", "GET /internal/v1/admin/dead-letters",
						"GET /internal/v1/admin/dead-letters/counts", "GET /internal/v1/admin/endpoints/disabled"));
		routes.forEach((service, list) -> list.forEach((route) -> {
			String method = route.substring(0, route.indexOf(' '));
			String path = route.substring(route.indexOf(' ') + 1);
			cases.add(Arguments.of(service.name(), method, path));
			PathSpellings.of(path).forEach((spelling) -> cases.add(Arguments.of(service.name(), method, spelling)));
		}));
		return cases.stream();
	}

	/**
	 * Every spelling of every protected path, sent without credentials to the running services
	 * the way an attacker sends it (byte for byte), is refused: never a 2xx, never a 5xx. The
	 * console, without a session, may instead send the browser to its expired-link page (the
	 * operator pages: to the operator login).
	 */
	@ParameterizedTest(name = "{0}: {1} {2}")
	@MethodSource("protectedPaths")
	void everySpellingOfAProtectedPathIsRefusedWithoutCredentials(String service, String method, String path) {
		ServiceProcess target = Stream.of(gateway, notification, webhook)
			.filter((s) -> s.name().equals(service))
			.findFirst()
			.orElseThrow();
		// The consumer services trust a tenant header only behind the token: send one, as an intruder would.
		RawHttp.Answer answer = RawHttp.answer(target.port, method, path, Map.of("X-Relay-Tenant-Id", "ten_victim"),
				"POST".equals(method) ? "{\"name\":\"x\",\"url\":\"https://example.com/h\"}" : null);
		if (answer.status() == 303) {
			assertThat(answer.location()).as(service + " " + method + " " + path)
				.isIn("/console/expired", "/console/operator/login");
			return;
		}
		assertThat(answer.status()).as(service + " " + method + " " + path).isIn(401, 403, 404);
	}

	private static JsonNode awaitStatus(String id, String expected) {
		JsonNode[] last = new JsonNode[1];
		await("status of " + id + " becomes " + expected).atMost(Duration.ofSeconds(60))
			.pollInterval(Duration.ofMillis(250))
			.until(() -> {
				HttpResponse<String> response = get("/v1/messages/" + id, apiKey);
				if (response.statusCode() != 200) {
					return false;
				}
				last[0] = json(response);
				return expected.equals(last[0].get("status").asString());
			});
		return last[0];
	}

	private static String createTenant() throws Exception {
		HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(gateway.url() + "/admin/v1/tenants"))
			.header("Authorization", "Bearer " + ADMIN_TOKEN)
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"system-test-" + UUID.randomUUID()
					+ "\",\"rateLimit\":{\"requestsPerSecond\":100,\"burst\":200}}")));
		assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
		return json(response).get("apiKey").asString();
	}

	private static HttpResponse<String> post(String path, String key, String body) throws Exception {
		return post(path, key, body, null);
	}

	private static HttpResponse<String> post(String path, String key, String body, String idempotencyKey)
			throws Exception {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(gateway.url() + path))
			.header("Authorization", "Bearer " + key)
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString(body));
		if (idempotencyKey != null) {
			request.header("Idempotency-Key", idempotencyKey);
		}
		return send(request);
	}

	/** Deletes the gateway's record of {@code key} (relay:idem:{tenant}:sha256(key)) with redis-cli. */
	private static void forgetIdempotencyKey(String key) throws Exception {
		String hash = HexFormat.of()
			.formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
		Process scan = new ProcessBuilder("redis-cli", "--scan", "--pattern", "relay:idem:*:" + hash).start();
		List<String> keys = new String(scan.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines()
			.filter((line) -> !line.isBlank())
			.toList();
		assertThat(scan.waitFor()).isZero();
		assertThat(keys).as("the stored answer of the first request").hasSize(1);
		Process delete = new ProcessBuilder("redis-cli", "del", keys.get(0)).start();
		assertThat(delete.waitFor()).isZero();
	}

	private static boolean consumedToTheEnd(String group, String topic) {
		return kafka.doWithAdminFunction((admin) -> {
			try {
				var committed = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
				var partitions = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions();
				Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
				partitions.forEach((p) -> latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
				return admin.listOffsets(latest).all().get().entrySet().stream().allMatch((end) -> {
					var offset = committed.get(end.getKey());
					return end.getValue().offset() == 0 || (offset != null && offset.offset() >= end.getValue().offset());
				});
			}
			catch (Exception ex) {
				throw new IllegalStateException(ex);
			}
		});
	}

	private static HttpResponse<String> get(String path, String key) throws Exception {
		return send(HttpRequest.newBuilder(URI.create(gateway.url() + path)).header("Authorization", "Bearer " + key).GET());
	}

	private static HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
		return HTTP.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
	}

	private static JsonNode json(HttpResponse<String> response) {
		return RelayJson.mapper().readTree(response.body());
	}

	private static long endOffsets(String topic) {
		return kafka.doWithAdminFunction((admin) -> {
			try {
				var partitions = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions();
				Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
				partitions.forEach((p) -> latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
				return admin.listOffsets(latest).all().get().values().stream().mapToLong((o) -> o.offset()).sum();
			}
			catch (Exception ex) {
				throw new IllegalStateException(ex);
			}
		});
	}

}
