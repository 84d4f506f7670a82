package com.cloudgreet.relay.notification;

import java.util.ArrayList;
import java.util.List;

import com.cloudgreet.relay.common.http.RelayHttpHeaders;
import com.cloudgreet.relay.common.id.IdKind;
import com.cloudgreet.relay.common.id.RelayIds;
import com.cloudgreet.relay.common.json.RelayJson;
import com.cloudgreet.relay.testsupport.QueryPlans;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Value;

import static org.assertj.core.api.Assertions.assertThat;

/** The status API answers one page of attempts at a time, and every query behind it (and retention's) has an index. */
class StatusPageIT extends NotificationIT {

	@Value("${spring.flyway.url}")
	String jdbcUrl;

	@Test
	void pagesAttemptsOldestFirstWithACursor() {
		String id = messageWithAttempts(120);

		List<Integer> numbers = new ArrayList<>();
		String after = null;
		int pages = 0;
		do {
			JsonNode page = status(id, after);
			assertThat(page.path("attempts").size()).isLessThanOrEqualTo(50);
			page.path("attempts").forEach((attempt) -> numbers.add(attempt.path("number").asInt()));
			assertThat(page.has("next")).as("next is always present, null on the last page").isTrue();
			after = page.path("next").isNull() ? null : page.path("next").path("attemptsAfter").asString();
			pages++;
		}
		while (after != null);

		assertThat(pages).isEqualTo(3);
		assertThat(numbers).hasSize(120).isSorted().doesNotHaveDuplicates().startsWith(1).endsWith(120);
	}

	@Test
	void answersEveryAttemptOnOnePageWhenTheyFit() {
		String id = messageWithAttempts(50);

		JsonNode page = status(id, null);

		assertThat(page.path("attempts").size()).isEqualTo(50);
		assertThat(page.path("next").isNull()).isTrue();
	}

	@ParameterizedTest
	@ValueSource(strings = {
			// GET /internal/v1/messages/{id}: the message, then one page of its attempts
			"select id, channel, status, provider_message_id, created_at, updated_at from message where id = 'msg_x' and tenant_id = 'ten_x'",
			"select number, at, outcome, provider_code, detail, latency_ms from attempt where message_id = 'msg_x' and number > 50 order by number limit 51",
			// POST /internal/v1/messages/{id}/retry
			"update message set status = 'queued' where id = 'msg_x' and tenant_id = 'ten_x' and status in ('failed', 'dead_lettered')",
			// retention: settled messages past their age, a batch at a time
			"select id from message where status in ('delivered', 'failed', 'dead_lettered') and updated_at < now() limit 500",
			// bulk replay: failed and dead-lettered messages of a window
			"select id from message where status = any(array['failed', 'dead_lettered']) and created_at >= now() - interval '1 day' "
					+ "and created_at < now() and attempt_count > 0 order by created_at limit 10000" })
	void statusQueriesUseAnIndex(String sql) {
		assertThat(QueryPlans.sequentialScans(this.jdbcUrl, "notification", sql)).isEmpty();
	}

	private String messageWithAttempts(int attempts) {
		String id = RelayIds.next(IdKind.MESSAGE);
		this.db.sql("""
				insert into message (id, tenant_id, channel, status, event, attempt_count)
				values (:id, :tenant, 'sms', 'failed', '{}', :attempts)""")
			.bind("id", id)
			.bind("tenant", this.tenant)
			.bind("attempts", attempts)
			.then()
			.block();
		this.db.sql("""
				insert into attempt (message_id, number, at, outcome, provider_code, detail, latency_ms)
				select :id, n, now() - (:attempts - n) * interval '1 minute', 'retryable_failure', '503', 'HTTP 503', 12
				from generate_series(1, :attempts) n""")
			.bind("id", id)
			.bind("attempts", attempts)
			.then()
			.block();
		return id;
	}

	private JsonNode status(String id, String attemptsAfter) {
		// A loaded build machine answers the first calls of a fresh context slowly.
		byte[] body = this.web.mutate().responseTimeout(java.time.Duration.ofSeconds(30)).build().get()
			.uri((uri) -> {
				uri.path("/internal/v1/messages/{id}");
				if (attemptsAfter != null) {
					uri.queryParam("attemptsAfter", attemptsAfter);
				}
				return uri.build(id);
			})
			.header(RelayHttpHeaders.INTERNAL_TOKEN, TOKEN)
			.header(RelayHttpHeaders.TENANT_ID, this.tenant)
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.returnResult()
			.getResponseBody();
		return RelayJson.mapper().readTree(body);
	}

}
