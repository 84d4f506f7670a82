package com.cloudgreet.relay.gateway;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import com.cloudgreet.relay.common.kafka.Topics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Flux;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

class IdempotencyIT extends GatewayIntegrationTest {

	@Value("${local.server.port}")
	int port;

	@org.springframework.beans.factory.annotation.Autowired
	org.springframework.data.redis.core.ReactiveStringRedisTemplate redis;

	@Test
	void repeatWithTheSameKeyAndBodyReplaysTheFirstAnswerAndPublishesNothing() {
		NewTenant tenant = createTenant();
		String key = UUID.randomUUID().toString();
		JsonNode first = post(tenant, key, sms("once")).expectStatus()
			.isAccepted()
			.expectHeader()
			.doesNotExist("Idempotency-Replay")
			.expectBody(JsonNode.class)
			.returnResult()
			.getResponseBody();
		String id = first.get("id").asString();
		post(tenant, key, sms("once")).expectStatus()
			.isAccepted()
			.expectHeader()
			.valueEquals("Idempotency-Replay", "true")
			.expectHeader()
			.valueEquals("Location", "/v1/messages/" + id)
			.expectBody()
			.jsonPath("$.id")
			.isEqualTo(id);
		assertPublishedOnly(tenant, id);
	}

	@Test
	void sameKeyWithAnotherBodyIsUnprocessable() {
		NewTenant tenant = createTenant();
		String key = UUID.randomUUID().toString();
		post(tenant, key, sms("first")).expectStatus().isAccepted();
		post(tenant, key, sms("second")).expectStatus()
			.isEqualTo(422)
			.expectBody()
			.jsonPath("$.type")
			.isEqualTo("https://relay.cloudgreet.com/problems/idempotency-key-reused");
	}

	@Test
	void keysAreScopedToTheTenant() {
		NewTenant one = createTenant();
		NewTenant two = createTenant();
		String key = UUID.randomUUID().toString();
		post(one, key, sms("x")).expectStatus().isAccepted();
		post(two, key, sms("x")).expectStatus().isAccepted().expectHeader().doesNotExist("Idempotency-Replay");
	}

	@Test
	void rejectedRequestsAreRememberedToo() {
		NewTenant tenant = createTenant();
		String key = UUID.randomUUID().toString();
		post(tenant, key, "{\"to\":\"+1\",\"body\":\"x\"}").expectStatus().isEqualTo(422);
		post(tenant, key, "{\"to\":\"+1\",\"body\":\"x\"}").expectStatus()
			.isEqualTo(422)
			.expectHeader()
			.valueEquals("Idempotency-Replay", "true")
			.expectHeader()
			.contentType(MediaType.APPLICATION_PROBLEM_JSON);
	}

	@Test
	void concurrentDuplicatesPublishOnceAndTheOthersAreToldToWaitOrGetTheReplay() {
		NewTenant tenant = createTenant();
		String key = UUID.randomUUID().toString();
		WebClient client = WebClient.builder().baseUrl("http://127.0.0.1:" + this.port).build();
		record Answer(int status, String replay, String retryAfter, String id) {
		}
		List<Answer> answers = Flux.range(0, 20)
			.flatMap((i) -> client.post()
				.uri("/v1/messages/sms")
				.header("Authorization", "Bearer " + tenant.apiKey())
				.header("Idempotency-Key", key)
				.contentType(MediaType.APPLICATION_JSON)
				.bodyValue(sms("race"))
				.exchangeToMono((response) -> response.bodyToMono(JsonNode.class)
					.map((body) -> new Answer(response.statusCode().value(),
							response.headers().asHttpHeaders().getFirst("Idempotency-Replay"),
							response.headers().asHttpHeaders().getFirst("Retry-After"),
							body.has("id") ? body.get("id").asString() : null))), 20)
			.collectList()
			.block(Duration.ofSeconds(30));

		List<Answer> firsts = answers.stream().filter((a) -> a.status() == 202 && a.replay() == null).toList();
		assertThat(firsts).hasSize(1);
		String id = firsts.get(0).id();
		assertThat(answers).allSatisfy((a) -> {
			if (a.status() == 409) {
				assertThat(a.retryAfter()).isEqualTo("1");
			}
			else {
				assertThat(a.status()).isEqualTo(202);
				assertThat(a.id()).isEqualTo(id);
			}
		});
		assertPublishedOnly(tenant, id);
	}

	@Test
	void signingSecretsAreStoredRedactedAndReplayedAsNull() throws Exception {
		NewTenant tenant = createTenant();
		String secret = "whsec_" + UUID.randomUUID().toString().replace("-", "");
		java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
		OWNER_ROUTES.put("POST /internal/v1/endpoints", (request) -> {
			calls.incrementAndGet();
			return new mockwebserver3.MockResponse.Builder().code(201)
				.addHeader("Content-Type", "application/json")
				.body("{\"id\":\"ep_0192f0c0a1b27c3d8e4f5a6b7c8d0abc\",\"url\":\"https://example.com/hook\",\"secret\":\""
						+ secret + "\"}")
				.build();
		});
		String key = UUID.randomUUID().toString();
		createEndpoint(tenant, key).expectStatus().isCreated().expectBody().jsonPath("$.secret").isEqualTo(secret);

		String stored = this.redis.opsForValue()
			.get("relay:idem:{" + tenant.id() + "}:" + java.util.HexFormat.of()
				.formatHex(java.security.MessageDigest.getInstance("SHA-256")
					.digest(key.getBytes(java.nio.charset.StandardCharsets.UTF_8))))
			.block(Duration.ofSeconds(5));
		assertThat(stored).startsWith("D|").contains("ep_0192f0c0a1b27c3d8e4f5a6b7c8d0abc").doesNotContain("whsec_");

		createEndpoint(tenant, key).expectStatus()
			.isCreated()
			.expectHeader()
			.valueEquals("Idempotency-Replay", "true")
			.expectBody()
			.jsonPath("$.id")
			.isEqualTo("ep_0192f0c0a1b27c3d8e4f5a6b7c8d0abc")
			.jsonPath("$.secret")
			.isEmpty();
		assertThat(calls).hasValue(1);
	}

	private org.springframework.test.web.reactive.server.WebTestClient.ResponseSpec createEndpoint(NewTenant tenant,
			String key) {
		return this.web.post()
			.uri("/v1/endpoints")
			.header("Authorization", "Bearer " + tenant.apiKey())
			.header("Idempotency-Key", key)
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"url\":\"https://example.com/hook\",\"eventTypes\":[\"order.paid\"]}")
			.exchange();
	}

	@Test
	void malformedKeysAreRefused() {
		NewTenant tenant = createTenant();
		post(tenant, "x".repeat(256), sms("x")).expectStatus()
			.isBadRequest()
			.expectBody()
			.jsonPath("$.type")
			.isEqualTo("https://relay.cloudgreet.com/problems/malformed-request");
	}

	/** Sends a marker after the fact; once it arrives, the tenant's records must be exactly {id, marker}. */
	private void assertPublishedOnly(NewTenant tenant, String id) {
		String marker = post(tenant, null, sms("marker")).expectStatus()
			.isAccepted()
			.expectBody(JsonNode.class)
			.returnResult()
			.getResponseBody()
			.get("id")
			.asString();
		List<ConsumerRecord<String, byte[]>> records = recordsOf(Topics.SMS, tenant.id(),
				(r) -> r.stream().anyMatch((record) -> new String(record.value()).contains(marker)));
		Set<String> ids = records.stream()
			.map((record) -> com.cloudgreet.relay.common.event.CloudEventCodec.decode(record.value()).event().id())
			.collect(Collectors.toSet());
		assertThat(records).hasSize(2);
		assertThat(ids).containsExactlyInAnyOrder(id, marker);
	}

	private org.springframework.test.web.reactive.server.WebTestClient.ResponseSpec post(NewTenant tenant, String key,
			String body) {
		var request = this.web.post()
			.uri("/v1/messages/sms")
			.header("Authorization", "Bearer " + tenant.apiKey())
			.contentType(MediaType.APPLICATION_JSON);
		if (key != null) {
			request.header("Idempotency-Key", key);
		}
		return request.bodyValue(body).exchange();
	}

}
