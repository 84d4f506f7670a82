package com.cloudgreet.relay.gateway;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import mockwebserver3.MockResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.function.client.WebClient;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code POST /v1/endpoints} under {@code Idempotency-Key}: a retry after a lost answer gets the
 * endpoint the first request created (its secret redacted, never stored in clear) instead of a
 * second endpoint.
 */
class EndpointIdempotencyIT extends GatewayIntegrationTest {

	private static final String CREATE = "{\"url\":\"https://example.com/hook\",\"eventTypes\":[\"order.paid\"]}";

	private static ConfigurableApplicationContext shortInFlight;

	@AfterAll
	static void stop() {
		if (shortInFlight != null) {
			shortInFlight.close();
		}
	}

	@Test
	void aCreateRetriedAfterTheClientGaveUpGetsTheFirstEndpoint() {
		String owners = "http://127.0.0.1:" + OWNERS.getPort();
		// An in-flight marker that outlives the create (1 s) but lapses soon after, so a retry would run again if the first was forgotten.
		shortInFlight = Gateways.start(Map.of("spring.embedded.kafka.brokers", this.broker.getBrokersAsString(),
				"relay.gateway.idempotency.in-flight-ttl", "3s", "relay.gateway.services.notification-url", owners,
				"relay.gateway.services.webhook-url", owners));
		NewTenant tenant = createTenant();
		AtomicInteger creates = ownerCreatesSlowly(tenant);
		String key = UUID.randomUUID().toString();
		String port = shortInFlight.getEnvironment().getProperty("local.server.port");

		// The client gives up while webhook-service works on the create: the answer is lost to it.
		Disposable first = WebClient.create("http://127.0.0.1:" + port)
			.post()
			.uri("/v1/endpoints")
			.header("Authorization", "Bearer " + tenant.apiKey())
			.header("Idempotency-Key", key)
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(CREATE)
			.retrieve()
			.toBodilessEntity()
			.subscribe((answer) -> { }, (ex) -> { });
		await().atMost(Duration.ofSeconds(10)).until(() -> creates.get() == 1);
		first.dispose();

		AtomicReference<EntityExchangeResult<JsonNode>> retried = new AtomicReference<>();
		await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(300)).until(() -> {
			retried.set(create(Gateways.client(shortInFlight), tenant, key, CREATE).expectBody(JsonNode.class).returnResult());
			return retried.get().getStatus().value() != 409;
		});
		assertThat(creates).as("endpoints webhook-service was asked to create").hasValue(1);
		assertThat(retried.get().getStatus().value()).isEqualTo(201);
		assertThat(retried.get().getResponseHeaders().getFirst("Idempotency-Replay")).isEqualTo("true");
		assertThat(retried.get().getResponseBody().get("id").asString()).isEqualTo("ep_" + tenant.id().substring(4));
		assertThat(retried.get().getResponseBody().get("secret").isNull()).as("the secret is not replayed").isTrue();
	}

	@Test
	void theSameKeyWithAnotherBodyIsUnprocessable() {
		NewTenant tenant = createTenant();
		ownerCreatesSlowly(tenant);
		String key = UUID.randomUUID().toString();
		create(this.web, tenant, key, CREATE).expectStatus().isCreated();
		create(this.web, tenant, key, CREATE.replace("order.paid", "order.refunded")).expectStatus()
			.isEqualTo(422)
			.expectBody()
			.jsonPath("$.type")
			.isEqualTo("https://relay.cloudgreet.com/problems/idempotency-key-reused");
	}

	/** webhook-service's create, answering after 1 s with an endpoint id derived from the tenant's. */
	private static AtomicInteger ownerCreatesSlowly(NewTenant tenant) {
		AtomicInteger creates = new AtomicInteger();
		OWNER_ROUTES.put("POST /internal/v1/endpoints", (request) -> {
			creates.incrementAndGet();
			return new MockResponse.Builder().code(201)
				.headersDelay(1, TimeUnit.SECONDS)
				.addHeader("Content-Type", "application/json")
				.body("{\"id\":\"ep_" + tenant.id().substring(4) + "\",\"url\":\"https://example.com/hook\",\"secret\":\"whsec_"
						+ UUID.randomUUID().toString().replace("-", "") + "\"}")
				.build();
		});
		return creates;
	}

	private static WebTestClient.ResponseSpec create(WebTestClient client, NewTenant tenant, String key, String body) {
		return client.post()
			.uri("/v1/endpoints")
			.header("Authorization", "Bearer " + tenant.apiKey())
			.header("Idempotency-Key", key)
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(body)
			.exchange();
	}

}
