package com.cloudgreet.relay.webhook.delivery;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.cloudgreet.relay.webhook.AbstractWebhookIT;
import com.cloudgreet.relay.webhook.testing.Receiver;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * An endpoint's optional {@code rateLimit} (deliveries per second) holds across instances through
 * the shared Redis limiter (real Redis, real HTTP receiver): deliveries wait for it, none fails.
 */
class EndpointRateIT extends AbstractWebhookIT {

	private static final int RATE = 5;

	private static final int EVENTS = 20;

	@Test
	void deliversNoFasterThanTheEndpointsRateAndFailsNone() {
		try (Receiver receiver = Receiver.ok()) {
			JsonNode endpoint = post(this.tenant, "/internal/v1/endpoints")
				.bodyValue(Map.of("url", receiver.url(), "rateLimit", RATE))
				.exchange()
				.expectStatus()
				.isEqualTo(HttpStatus.CREATED)
				.expectBody(JsonNode.class)
				.returnResult()
				.getResponseBody();
			assertThat(endpoint.path("rateLimit").asDouble()).isEqualTo(RATE);
			List<String> events = new ArrayList<>();
			for (int i = 0; i < EVENTS; i++) {
				events.add(publish("rate.test", Map.of("i", i)));
			}

			await().atMost(WAIT).until(() -> events.stream()
				.allMatch((id) -> status(id).path("status").asString().equals("delivered")));

			List<Instant> arrivals = receiver.received().stream().map(Receiver.Received::at).sorted().toList();
			assertThat(arrivals).hasSize(EVENTS);
			// A bucket of one second's worth (5), then 5 per second: within any stretch of two seconds
			// at most 5 + 10 arrive (one more for the limiter's microsecond rounding), and the 15
			// beyond the first burst need about 3 s.
			for (int i = 0; i < arrivals.size(); i++) {
				Instant until = arrivals.get(i).plusSeconds(2);
				int within = 0;
				for (int j = i; j < arrivals.size() && arrivals.get(j).isBefore(until); j++) {
					within++;
				}
				assertThat(within).as("arrivals in the 2 s from arrival %d: %s", i, arrivals)
					.isLessThanOrEqualTo(RATE + 2 * RATE + 1);
			}
			assertThat(Duration.between(arrivals.get(0), arrivals.get(EVENTS - 1)))
				.isGreaterThanOrEqualTo(Duration.ofMillis((EVENTS - RATE) * 1000L / RATE - 400));
			// Waiting for the rate is not a failure: one attempt each.
			assertThat(events).allSatisfy((id) -> assertThat(status(id).path("deliveries").path(0).path("attempts").size())
				.isEqualTo(1));
		}
	}

	@Test
	void anUpdateChangesOrRemovesTheRate() {
		String id = createEndpoint("http://127.0.0.1:9/hook").path("id").asString();
		assertThat(endpoint(id).has("rateLimit")).isFalse();

		patch(this.tenant, "/internal/v1/endpoints/" + id).bodyValue(Map.of("rateLimit", 0.5))
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.rateLimit").isEqualTo(0.5);
		patch(this.tenant, "/internal/v1/endpoints/" + id).bodyValue(Map.of("rateLimit", 0))
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.rateLimit").doesNotExist();
	}

	@Test
	void refusesARateOutOfBounds() {
		for (Object rate : List.of(-1, 0, 0.0001, 1_000_000)) {
			post(this.tenant, "/internal/v1/endpoints").bodyValue(Map.of("url", "http://127.0.0.1:9/hook", "rateLimit", rate))
				.exchange()
				.expectStatus()
				.isEqualTo(HttpStatus.UNPROCESSABLE_CONTENT)
				.expectBody()
				.jsonPath("$.errors[0].pointer").isEqualTo("/rateLimit");
		}
	}

}
