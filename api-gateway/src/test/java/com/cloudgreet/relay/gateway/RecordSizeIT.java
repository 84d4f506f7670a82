package com.cloudgreet.relay.gateway;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * A body that fits the HTTP cap but not a Kafka record is {@code 413}, never a {@code 503} that
 * would have the client retry something that can never fit.
 */
class RecordSizeIT extends GatewayIntegrationTest {

	@Test
	void bodyUnderTheHttpCapButOverTheProducersRecordLimitIsContentTooLarge() {
		NewTenant tenant = createTenant();
		// 1 MB body cap and 1 MiB max.request.size: the envelope and headers tip the record over.
		event(this.web, tenant, 1_048_000).expectStatus()
			.isEqualTo(413)
			.expectHeader()
			.contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectHeader()
			.doesNotExist("Retry-After")
			.expectBody()
			.jsonPath("$.type")
			.isEqualTo("https://relay.cloudgreet.com/problems/payload-too-large");
		event(this.web, tenant, 10_000).expectStatus().isAccepted();
	}

	@Test
	void recordTheBrokerRefusesAsTooLargeIsContentTooLarge() {
		String owners = "http://127.0.0.1:" + OWNERS.getPort();
		// The producer would send 3 MB, but the broker's max.message.bytes (about 1 MiB) refuses it.
		try (ConfigurableApplicationContext gateway = Gateways.start(Map.of("spring.embedded.kafka.brokers",
				this.broker.getBrokersAsString(), "relay.gateway.services.notification-url", owners,
				"relay.gateway.services.webhook-url", owners, "relay.gateway.max-body-size", "3MB",
				"spring.kafka.producer.properties.max.request.size", "4000000"))) {
			NewTenant tenant = createTenant();
			event(Gateways.client(gateway), tenant, 2_000_000).expectStatus()
				.isEqualTo(413)
				.expectHeader()
				.doesNotExist("Retry-After")
				.expectBody()
				.jsonPath("$.type")
				.isEqualTo("https://relay.cloudgreet.com/problems/payload-too-large");
		}
	}

	@Test
	void bodyCapAboveTheProducersRecordLimitStopsStartUp() {
		org.assertj.core.api.Assertions
			.assertThatThrownBy(() -> Gateways.start(Map.of("spring.embedded.kafka.brokers",
					this.broker.getBrokersAsString(), "relay.gateway.max-body-size", "2MB")).close())
			.hasStackTraceContaining("relay.gateway.max-body-size (2097152 bytes) exceeds the Kafka producer's max.request.size");
	}

	/** A webhook event whose body is about {@code bytes} long (payloads have no field-level cap). */
	private static WebTestClient.ResponseSpec event(WebTestClient client, NewTenant tenant, int bytes) {
		String prefix = "{\"eventType\":\"blob.created\",\"payload\":{\"blob\":\"";
		String body = prefix + "x".repeat(bytes - prefix.length() - 3) + "\"}}";
		return client.post()
			.uri("/v1/events")
			.header("Authorization", "Bearer " + tenant.apiKey())
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(body)
			.exchange();
	}

}
