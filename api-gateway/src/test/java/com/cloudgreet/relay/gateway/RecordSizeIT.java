package com.cloudgreet.relay.gateway;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import com.cloudgreet.relay.common.message.Limits;

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
		email(this.web, tenant, 1_048_000).expectStatus()
			.isEqualTo(413)
			.expectHeader()
			.contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectHeader()
			.doesNotExist("Retry-After")
			.expectBody()
			.jsonPath("$.type")
			.isEqualTo("https://relay.cloudgreet.com/problems/payload-too-large");
		email(this.web, tenant, 10_000).expectStatus().isAccepted();
	}

	@Test
	void webhookPayloadOverItsCapIsUnprocessableNamingTheField() {
		NewTenant tenant = createTenant();
		String body = "{\"eventType\":\"blob.created\",\"payload\":{\"blob\":\""
				+ "x".repeat(Limits.WEBHOOK_PAYLOAD_BYTES) + "\"}}";
		this.web.post()
			.uri("/v1/events")
			.header("Authorization", "Bearer " + tenant.apiKey())
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(body)
			.exchange()
			.expectStatus()
			.isEqualTo(422)
			.expectBody()
			.jsonPath("$.errors[0].pointer")
			.isEqualTo("/payload");
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
			email(Gateways.client(gateway), tenant, 1_500_000).expectStatus()
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

	/**
	 * An email whose body is {@code bytes} long. Every field has a cap of its own (a webhook payload
	 * 256 KB, an email's text and html 256 K characters each), so the bulk is three-byte characters
	 * spread over text and html.
	 */
	private static WebTestClient.ResponseSpec email(WebTestClient client, NewTenant tenant, int bytes) {
		String prefix = "{\"to\":[\"a@example.com\"],\"subject\":\"big\",\"text\":\"";
		String middle = "\",\"html\":\"";
		String suffix = "\"}";
		int room = bytes - prefix.length() - middle.length() - suffix.length();
		int text = Math.min(room / 3, Limits.EMAIL_BODY_LENGTH);
		int html = room / 3 - text;
		String body = prefix + "\u20ac".repeat(text) + middle + "\u20ac".repeat(html) + "x".repeat(room % 3) + suffix;
		return client.post()
			.uri("/v1/messages/email")
			.header("Authorization", "Bearer " + tenant.apiKey())
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(body.getBytes(StandardCharsets.UTF_8))
			.exchange();
	}

}
