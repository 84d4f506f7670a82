package com.cloudgreet.relay.webhook.message;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import com.cloudgreet.relay.common.http.RelayHttpHeaders;
import com.cloudgreet.relay.webhook.AbstractWebhookIT;
import com.cloudgreet.relay.webhook.testing.Receiver;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The operator's bulk replay of webhook deliveries, by endpoint and window, with no tenant header. */
class BulkReplayIT extends AbstractWebhookIT {

	@Test
	void replaysAnEndpointsDeadLetteredDeliveriesWithTheirWebhookIds() {
		AtomicBoolean down = new AtomicBoolean(true);
		try (Receiver receiver = new Receiver((n) -> Receiver.status(down.get() ? 500 : 200))) {
			String endpointId = createEndpoint(receiver.url()).path("id").asString();
			String eventId = publish("a.b", Map.of("n", 1));
			await().atMost(WAIT).until(() -> status(eventId).path("status").asString().equals("dead_lettered"));
			down.set(false);

			this.web.post()
				.uri("/internal/v1/admin/replays")
				.header(RelayHttpHeaders.INTERNAL_TOKEN, TOKEN)
				.header("Content-Type", "application/json")
				.bodyValue(Map.of("endpointId", endpointId, "from", Instant.now().minus(1, ChronoUnit.HOURS).toString(),
						"to", Instant.now().plus(1, ChronoUnit.HOURS).toString(), "statuses", java.util.List.of("dead_lettered")))
				.exchange()
				.expectStatus()
				.isAccepted()
				.expectBody()
				.jsonPath("$.replayed").isEqualTo(1)
				.jsonPath("$.remaining").isEqualTo(0);

			await().atMost(WAIT).until(() -> status(eventId).path("status").asString().equals("delivered"));
			assertThat(receiver.received().stream().map(Receiver.Received::webhookId).distinct()).hasSize(1);
		}
	}

	@Test
	void tenantScopedRoutesStillRequireTheTenant() {
		this.web.get()
			.uri("/internal/v1/endpoints")
			.header(RelayHttpHeaders.INTERNAL_TOKEN, TOKEN)
			.exchange()
			.expectStatus()
			.isBadRequest();
	}

}
