package com.cloudgreet.relay.gateway;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

import com.cloudgreet.relay.common.event.CloudEventCodec;
import com.cloudgreet.relay.common.kafka.Topics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * An {@code Idempotency-Key} request whose answer never reached Redis (Redis went away between
 * the Kafka acknowledgement and the store) runs again on retry, and publishes the same message id
 * again: the topic holds that one id only, so consumers de-duplicate it. The Redis here is this
 * test's own process, stopped by a producer interceptor at the moment of the acknowledgement.
 */
class IdempotencyRecoveryIT extends GatewayIntegrationTest {

	private static RedisProcess redis;

	private static ConfigurableApplicationContext gateway;

	@BeforeAll
	static void startRedis() throws Exception {
		redis = new RedisProcess();
		redis.start();
	}

	@AfterAll
	static void stopAll() throws Exception {
		AcknowledgementHook.NEXT.set(null);
		if (gateway != null) {
			gateway.close();
		}
		redis.close();
	}

	@Test
	void retryAfterAFailedStoreOfTheAnswerRepublishesTheSameMessageId() throws Exception {
		String owners = "http://127.0.0.1:" + OWNERS.getPort();
		gateway = Gateways.start(Map.of("spring.embedded.kafka.brokers", this.broker.getBrokersAsString(),
				"relay.gateway.services.notification-url", owners, "relay.gateway.services.webhook-url", owners,
				"spring.data.redis.url", redis.url(),
				"spring.kafka.producer.properties.interceptor.classes", AcknowledgementHook.class.getName()));
		WebTestClient client = Gateways.client(gateway);
		NewTenant tenant = createTenant();
		String key = UUID.randomUUID().toString();

		AtomicReference<Exception> stopFailure = new AtomicReference<>();
		AcknowledgementHook.NEXT.set(() -> {
			try {
				redis.stop();
			}
			catch (InterruptedException ex) {
				stopFailure.set(ex);
			}
		});
		String first = post(client, tenant, key).expectStatus()
			.isAccepted()
			.expectBody(JsonNode.class)
			.returnResult()
			.getResponseBody()
			.get("id")
			.asString();
		assertThat(AcknowledgementHook.NEXT.get()).as("the hook ran").isNull();
		assertThat(stopFailure.get()).isNull();

		// Redis comes back empty: the answer was never stored, the in-flight marker is gone.
		redis.start();
		AtomicReference<EntityExchangeResult<JsonNode>> retried = new AtomicReference<>();
		await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(300)).until(() -> {
			retried.set(post(client, tenant, key).expectBody(JsonNode.class).returnResult());
			return retried.get().getStatus().value() == 202;
		});
		assertThat(retried.get().getResponseHeaders().getFirst("Idempotency-Replay")).as("ran again, not replayed")
			.isNull();
		assertThat(retried.get().getResponseBody().get("id").asString()).isEqualTo(first);

		List<ConsumerRecord<String, byte[]>> records = recordsOf(Topics.SMS, tenant.id(), (r) -> r.size() >= 2);
		assertThat(records).hasSizeGreaterThanOrEqualTo(2)
			.allSatisfy((record) -> assertThat(CloudEventCodec.decode(record.value()).id()).isEqualTo(first));
	}

	private static WebTestClient.ResponseSpec post(WebTestClient client, NewTenant tenant, String key) {
		return client.post()
			.uri("/v1/messages/sms")
			.header("Authorization", "Bearer " + tenant.apiKey())
			.header("Idempotency-Key", key)
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(sms("lost answer"))
			.exchange();
	}

}
