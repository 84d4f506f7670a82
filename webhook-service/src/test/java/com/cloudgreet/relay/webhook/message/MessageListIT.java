package com.cloudgreet.relay.webhook.message;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import com.cloudgreet.relay.common.id.IdKind;
import com.cloudgreet.relay.common.id.RelayIds;
import com.cloudgreet.relay.webhook.AbstractWebhookIT;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.r2dbc.core.DatabaseClient;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code GET /internal/v1/messages}, the console's list: the tenant's events newest first, paged,
 * filtered by status and endpoint, and never another tenant's.
 */
class MessageListIT extends AbstractWebhookIT {

	@Autowired
	DatabaseClient db;

	@Test
	void listsTheTenantsEventsNewestFirstInPages() {
		String endpoint = newEndpoint(this.tenant);
		List<String> ids = new ArrayList<>();
		for (int i = 0; i < 5; i++) {
			ids.add(0, event(this.tenant, endpoint, i, i % 2 == 0 ? "delivered" : "failed"));
		}
		event(RelayIds.next(IdKind.TENANT), newEndpoint(RelayIds.next(IdKind.TENANT)), 9, "delivered");

		JsonNode first = list("?limit=3");
		JsonNode second = list("?limit=3&before=" + first.path("next").asString());

		List<String> seen = new ArrayList<>();
		first.path("data").forEach((e) -> seen.add(e.path("id").asString()));
		second.path("data").forEach((e) -> seen.add(e.path("id").asString()));
		assertThat(seen).containsExactlyElementsOf(ids);
		assertThat(second.path("next").isNull()).isTrue();
		assertThat(first.path("data").path(0).path("channel").asString()).isEqualTo("webhook");
		assertThat(first.path("data").path(0).path("eventType").asString()).isEqualTo("order.created");
	}

	@Test
	void filtersByStatusAndEndpoint() {
		String one = newEndpoint(this.tenant);
		String two = newEndpoint(this.tenant);
		String delivered = event(this.tenant, one, 0, "delivered");
		String failed = event(this.tenant, two, 1, "failed");

		assertThat(ids(list("?status=failed"))).containsExactly(failed);
		assertThat(ids(list("?status=delivered"))).containsExactly(delivered);
		assertThat(ids(list("?endpointId=" + one))).containsExactly(delivered);
		assertThat(ids(list("?endpointId=" + one + "&endpointId=" + two))).containsExactly(failed, delivered);
	}

	private static List<String> ids(JsonNode page) {
		List<String> ids = new ArrayList<>();
		page.path("data").forEach((e) -> ids.add(e.path("id").asString()));
		return ids;
	}

	private JsonNode list(String query) {
		return get(this.tenant, "/internal/v1/messages" + query).exchange()
			.expectStatus().isOk()
			.expectBody(JsonNode.class).returnResult().getResponseBody();
	}

	private String newEndpoint(String tenantId) {
		String id = RelayIds.next(IdKind.ENDPOINT);
		this.db.sql("insert into endpoint (id, tenant_id, url, secret, created_at, updated_at) "
				+ "values (:id, :tenant, 'https://example.com/hook', 'unused', now(), now())")
			.bind("id", id).bind("tenant", tenantId).then().block(Duration.ofSeconds(30));
		return id;
	}

	/** An event created {@code order} seconds after the others before it, with one delivery in {@code status}. */
	private String event(String tenantId, String endpointId, int order, String status) {
		String id = RelayIds.next(IdKind.EVENT);
		this.db.sql("insert into event (tenant_id, id, event_type, body, cloud_event, created_at) "
				+ "values (:tenant, :id, 'order.created', '\\x7b7d', '\\x7b7d', now() + :order * interval '1 second')")
			.bind("tenant", tenantId).bind("id", id).bind("order", order).then().block(Duration.ofSeconds(30));
		this.db.sql("insert into delivery (id, tenant_id, event_id, endpoint_id, status, attempt_count, next_attempt_at, "
				+ "created_at, updated_at) values (:delivery, :tenant, :id, :endpoint, :status, 1, now(), now(), now())")
			.bind("delivery", RelayIds.next(IdKind.DELIVERY)).bind("tenant", tenantId).bind("id", id)
			.bind("endpoint", endpointId).bind("status", status).then().block(Duration.ofSeconds(30));
		return id;
	}

}
