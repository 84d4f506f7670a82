package com.cloudgreet.relay.webhook.delivery;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import com.cloudgreet.relay.common.Channel;
import com.cloudgreet.relay.common.event.CloudEvent;
import com.cloudgreet.relay.common.event.CloudEventCodec;
import com.cloudgreet.relay.common.http.RelayHttpHeaders;
import com.cloudgreet.relay.common.id.IdKind;
import com.cloudgreet.relay.common.id.RelayIds;
import com.cloudgreet.relay.common.json.RelayJson;
import com.cloudgreet.relay.testsupport.QueryPlans;
import com.cloudgreet.relay.webhook.AbstractWebhookIT;
import com.cloudgreet.relay.webhook.testing.Receiver;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Scheduled events and cancel (issue 21, item 1), through Kafka, PostgreSQL and real receivers. */
class ScheduledEventIT extends AbstractWebhookIT {

	@Value("${spring.flyway.url}")
	String jdbcUrl;

	@Test
	void deliversAScheduledEventOnceToEveryEndpointWhenDueAndNotBefore() {
		try (Receiver first = Receiver.ok(); Receiver second = Receiver.ok()) {
			createEndpoint(first.url(), "invoice.due");
			createEndpoint(second.url(), "invoice.due");
			Instant sendAt = Instant.now().plusSeconds(5);

			String id = publishScheduled("invoice.due", sendAt);

			JsonNode scheduled = awaitStatus(id, "scheduled");
			assertThat(scheduled.path("deliveries").findValuesAsString("status")).containsOnly("scheduled");
			awaitStatus(id, "delivered");
			await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3))
				.until(() -> first.count() == 1 && second.count() == 1);
			// Each receiver's clock reading as the request arrived, not a poll's: nothing before sendAt.
			assertThat(first.received().get(0).at()).as("not before sendAt").isAfterOrEqualTo(sendAt);
			assertThat(second.received().get(0).at()).as("not before sendAt").isAfterOrEqualTo(sendAt);
		}
	}

	@Test
	void neverDeliversACanceledEvent() {
		try (Receiver receiver = Receiver.ok()) {
			createEndpoint(receiver.url(), "invoice.due");
			createEndpoint(receiver.url() + "second", "invoice.due");
			String id = publishScheduled("invoice.due", Instant.now().plusSeconds(3));
			awaitStatus(id, "scheduled");

			cancel(id).expectStatus().isOk().expectBody()
				.jsonPath("$.status").isEqualTo("canceled")
				.jsonPath("$.deliveries").isEqualTo(2);

			// Canceling again answers the same; nothing goes out past the due time.
			cancel(id).expectStatus().isOk().expectBody().jsonPath("$.deliveries").isEqualTo(0);
			await().during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(8))
				.until(() -> "canceled".equals(status(id).path("status").asString()) && receiver.count() == 0);
			assertThat(status(id).path("deliveries").findValuesAsString("status")).containsOnly("canceled");
		}
	}

	@Test
	void refusesToCancelOnceDelivered() {
		try (Receiver receiver = Receiver.ok()) {
			createEndpoint(receiver.url(), "invoice.now");
			String id = publish("invoice.now", Map.of("n", 1));
			awaitStatus(id, "delivered");

			cancel(id).expectStatus().isEqualTo(409)
				.expectBody()
				.jsonPath("$.type").isEqualTo("https://relay.cloudgreet.com/problems/message-not-cancelable");
			cancel(RelayIds.next(IdKind.EVENT)).expectStatus().isNotFound();
			this.web.delete()
				.uri("/internal/v1/messages/{id}", id)
				.header(RelayHttpHeaders.INTERNAL_TOKEN, TOKEN)
				.header(RelayHttpHeaders.TENANT_ID, "ten_someone_else")
				.exchange()
				.expectStatus()
				.isNotFound();
		}
	}

	@Test
	void claimReadsOnlyDueDeliveriesThroughTheDueIndex() {
		// The candidate scan of DeliveryStore.Queue#claimDue: scheduled rows wait in delivery_due_idx.
		assertThat(QueryPlans.explain(this.jdbcUrl, "webhook", """
				select d.id from delivery d where d.status in ('pending', 'scheduled') and d.next_attempt_at <= now()
				and d.lease_until is null order by d.next_attempt_at limit 100"""))
			.anyMatch((line) -> line.contains("delivery_due_idx"))
			.noneMatch((line) -> line.contains("Seq Scan"));
	}

	private String publishScheduled(String eventType, Instant sendAt) {
		String id = RelayIds.next(IdKind.EVENT);
		JsonNode data = RelayJson.tree(Map.of("eventType", eventType, "payload", Map.of("n", 1), "sendAt",
				sendAt.toString()));
		publishRaw(id, CloudEventCodec.encode(CloudEvent.request(Channel.WEBHOOK, id, "/test", this.tenant, data)));
		return id;
	}

	private JsonNode awaitStatus(String id, String status) {
		return await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).until(() -> {
			var result = get(this.tenant, "/internal/v1/messages/" + id).exchange().returnResult(byte[].class);
			return result.getStatus().value() == 404 ? null : RelayJson.mapper().readTree(result.getResponseBodyContent());
		}, (json) -> json != null && status.equals(json.path("status").asString()));
	}

	private WebTestClient.ResponseSpec cancel(String id) {
		return this.web.delete()
			.uri("/internal/v1/messages/{id}", id)
			.header(RelayHttpHeaders.INTERNAL_TOKEN, TOKEN)
			.header(RelayHttpHeaders.TENANT_ID, this.tenant)
			.exchange();
	}

}
