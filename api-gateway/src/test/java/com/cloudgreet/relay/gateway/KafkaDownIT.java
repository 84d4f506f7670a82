package com.cloudgreet.relay.gateway;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import com.cloudgreet.relay.testsupport.Ports;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A gateway whose Kafka is unreachable answers fast {@code 503}s with {@code Retry-After}, never
 * a hang and never a {@code 202}; an idempotency key used meanwhile stays free for the retry.
 */
class KafkaDownIT extends GatewayIntegrationTest {

	private static ConfigurableApplicationContext noKafka;

	@BeforeAll
	static void startWithoutKafka() throws Exception {
		int deadPort = Ports.unused();
		String owners = "http://127.0.0.1:" + OWNERS.getPort();
		// It starts without its topics checked, after waiting this long for the broker.
		noKafka = Gateways.start(Map.of("spring.kafka.bootstrap-servers", "127.0.0.1:" + deadPort,
				"relay.gateway.services.notification-url", owners, "relay.gateway.services.webhook-url", owners,
				"relay.kafka.topics.verify-timeout", "1s"));
	}

	@AfterAll
	static void stop() {
		noKafka.close();
	}

	@Test
	void answersFast503WithRetryAfterAndAcceptsNothing() {
		NewTenant tenant = createTenant();
		WebTestClient client = Gateways.client(noKafka);
		String key = UUID.randomUUID().toString();
		for (int attempt = 0; attempt < 2; attempt++) {
			long started = System.nanoTime();
			client.post()
				.uri("/v1/messages/sms")
				.header("Authorization", "Bearer " + tenant.apiKey())
				.header("Idempotency-Key", key)
				.contentType(MediaType.APPLICATION_JSON)
				.bodyValue(sms("lost?"))
				.exchange()
				.expectStatus()
				.isEqualTo(503)
				.expectHeader()
				.valueEquals("Retry-After", "5")
				.expectHeader()
				.doesNotExist("Location")
				.expectHeader()
				// The key was released, so this second attempt ran again instead of replaying a 503.
				.doesNotExist("Idempotency-Replay")
				.expectBody()
				.jsonPath("$.type")
				.isEqualTo("https://relay.cloudgreet.com/problems/service-unavailable");
			Duration took = Duration.ofNanos(System.nanoTime() - started);
			// Bounded by max.block.ms (1 s) once the producer exists; the very first send also creates
			// the producer, which on a busy shared machine takes a few more seconds.
			assertThat(took).isLessThan(attempt == 0 ? Duration.ofSeconds(6) : Duration.ofSeconds(2));
		}
		Gateways.management(noKafka)
			.get()
			.uri("/actuator/health")
			.exchange()
			.expectStatus()
			.isEqualTo(503)
			.expectBody()
			.jsonPath("$.components.kafka.status")
			.isEqualTo("DOWN");
	}

}
