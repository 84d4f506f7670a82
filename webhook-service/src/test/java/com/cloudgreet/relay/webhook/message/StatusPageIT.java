package com.cloudgreet.relay.webhook.message;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import com.cloudgreet.relay.common.http.RelayHttpHeaders;
import com.cloudgreet.relay.common.id.IdKind;
import com.cloudgreet.relay.common.id.RelayIds;
import com.cloudgreet.relay.testsupport.QueryPlans;
import com.cloudgreet.relay.webhook.AbstractWebhookIT;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.r2dbc.core.DatabaseClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An event's status answers one page of attempts and one of deliveries at a time, its status is
 * still decided over every delivery, and every query behind the status and attempt-log API has an
 * index.
 */
class StatusPageIT extends AbstractWebhookIT {

	@Autowired
	DatabaseClient db;

	@Value("${spring.flyway.url}")
	String jdbcUrl;

	@Test
	void pagesAttemptsAndDeliveriesWithCursors() {
		// 105 deliveries, the last one still pending; 120 attempts spread over them
		String eventId = eventWithDeliveries(105, 120);

		List<java.time.Instant> attemptTimes = new ArrayList<>();
		String after = null;
		JsonNode first = null;
		do {
			JsonNode page = status(eventId, "attemptsAfter", after);
			first = first == null ? page : first;
			assertThat(page.path("attempts").size()).isLessThanOrEqualTo(50);
			assertThat(page.path("status").asString()).as("decided over all deliveries, not this page's")
				.isEqualTo("sending");
			page.path("attempts").forEach((a) -> attemptTimes.add(java.time.Instant.parse(a.path("at").asString())));
			after = page.path("next").path("attemptsAfter").isString() ? page.path("next").path("attemptsAfter").asString()
					: null;
		}
		while (after != null);
		assertThat(attemptTimes).hasSize(120).doesNotHaveDuplicates().isSorted();

		assertThat(first.path("deliveries").size()).isEqualTo(100);
		String deliveriesAfter = first.path("next").path("deliveriesAfter").asString();
		JsonNode rest = status(eventId, "deliveriesAfter", deliveriesAfter);
		assertThat(rest.path("deliveries").size()).isEqualTo(5);
		assertThat(rest.path("deliveries").path(0).path("id").asString()).isGreaterThan(deliveriesAfter);
		assertThat(rest.path("next").path("deliveriesAfter").isMissingNode()).isTrue();
	}

	@Test
	void answersNextNullWhenEverythingFits() {
		String eventId = eventWithDeliveries(2, 3);

		JsonNode page = status(eventId, "attemptsAfter", null);

		assertThat(page.path("attempts").size()).isEqualTo(3);
		assertThat(page.path("deliveries").size()).isEqualTo(2);
		assertThat(page.has("next") && page.path("next").isNull()).isTrue();
	}

	@ParameterizedTest
	@ValueSource(strings = {
			// GET /internal/v1/messages/{evt_id}
			"select id, event_type, created_at from event where tenant_id = 'ten_x' and id = 'evt_x'",
			"select d.id, d.endpoint_id, e.url, d.status from delivery d join endpoint e on e.id = d.endpoint_id "
					+ "where d.tenant_id = 'ten_x' and d.event_id = 'evt_x' and d.id > '' order by d.id limit 101",
			"select max(updated_at) from delivery where tenant_id = 'ten_x' and event_id = 'evt_x'",
			"select number, id from attempt where tenant_id = 'ten_x' and event_id = 'evt_x' "
					+ "and (at, id) > (select a.at, a.id from attempt a where a.id = 7 and a.tenant_id = 'ten_x') order by at, id limit 51",
			// GET /internal/v1/endpoints/{id}/attempts
			"select number from attempt where tenant_id = 'ten_x' and endpoint_id = 'ep_x' and at < now() order by at desc, id desc limit 50",
			// GET /internal/v1/endpoints
			"select id from endpoint where tenant_id = 'ten_x' and id > 'ep_x' order by id limit 51",
			// POST /internal/v1/endpoints/{id}/replay
			"update delivery set status = 'pending' where tenant_id = 'ten_x' and endpoint_id = 'ep_x' "
					+ "and created_at >= now() and status in ('failed', 'dead_lettered')",
			// retention: settled events past their age, a batch at a time
			"select e.tenant_id, e.id from event e where e.created_at < now() and not exists (select 1 from delivery d "
					+ "where d.tenant_id = e.tenant_id and d.event_id = e.id and (d.status = 'pending' or d.updated_at >= now())) limit 500",
			// bulk replay: failed and dead-lettered deliveries of a window
			"select id from delivery where status = any(array['failed', 'dead_lettered']) and created_at >= now() - interval '1 day' "
					+ "and created_at < now() order by created_at limit 10000" })
	void statusQueriesUseAnIndex(String sql) {
		assertThat(QueryPlans.sequentialScans(this.jdbcUrl, "webhook", sql)).isEmpty();
	}

	/** An event with {@code deliveries} deliveries (the last one pending, due tomorrow) and {@code attempts} attempts among them. */
	private String eventWithDeliveries(int deliveries, int attempts) {
		String eventId = RelayIds.next(IdKind.EVENT);
		String prefix = RelayIds.next(IdKind.ENDPOINT);
		run("insert into event (tenant_id, id, event_type, body, cloud_event, created_at) "
				+ "values (:tenant, :event, 'invoice.paid', '\\x7b7d', '\\x7b7d', now())", eventId, prefix, deliveries, attempts);
		run("insert into endpoint (id, tenant_id, url, secret, created_at, updated_at) "
				+ "select :prefix || n, :tenant, 'https://example.com/hook', 'unused', now(), now() "
				+ "from generate_series(1, :deliveries) n", eventId, prefix, deliveries, attempts);
		run("insert into delivery (id, tenant_id, event_id, endpoint_id, status, attempt_count, next_attempt_at, created_at, updated_at) "
				+ "select 'dlv_' || :prefix || lpad(n::text, 4, '0'), :tenant, :event, :prefix || n, "
				+ "case when n = :deliveries then 'pending' else 'failed' end, 1, now() + interval '1 day', now(), now() "
				+ "from generate_series(1, :deliveries) n", eventId, prefix, deliveries, attempts);
		run("insert into attempt (delivery_id, tenant_id, event_id, endpoint_id, number, at, outcome, status_code, latency_ms) "
				+ "select 'dlv_' || :prefix || lpad((n % :deliveries + 1)::text, 4, '0'), :tenant, :event, "
				+ ":prefix || (n % :deliveries + 1), 1, now() - (:attempts - n) * interval '1 second', "
				+ "'retryable_failure', 503, 10 from generate_series(1, :attempts) n", eventId, prefix, deliveries, attempts);
		return eventId;
	}

	private void run(String sql, String eventId, String prefix, int deliveries, int attempts) {
		var spec = this.db.sql(sql).bind("tenant", this.tenant);
		for (var entry : java.util.Map.of("event", (Object) eventId, "prefix", prefix, "deliveries", deliveries,
				"attempts", attempts).entrySet()) {
			if (sql.contains(":" + entry.getKey())) {
				spec = spec.bind(entry.getKey(), entry.getValue());
			}
		}
		spec.then().block(Duration.ofSeconds(30));
	}

	private JsonNode status(String eventId, String cursor, String value) {
		return this.web.mutate()
			.responseTimeout(Duration.ofSeconds(30))
			.build()
			.get()
			.uri((uri) -> {
				uri.path("/internal/v1/messages/{id}");
				if (value != null) {
					uri.queryParam(cursor, value);
				}
				return uri.build(eventId);
			})
			.header(RelayHttpHeaders.INTERNAL_TOKEN, TOKEN)
			.header(RelayHttpHeaders.TENANT_ID, this.tenant)
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody(JsonNode.class)
			.returnResult()
			.getResponseBody();
	}

}
