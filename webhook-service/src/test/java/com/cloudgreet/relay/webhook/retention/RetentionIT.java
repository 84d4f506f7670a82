package com.cloudgreet.relay.webhook.retention;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import com.cloudgreet.relay.common.id.IdKind;
import com.cloudgreet.relay.common.id.RelayIds;
import com.cloudgreet.relay.delivery.retention.RetentionJob;
import com.cloudgreet.relay.delivery.retention.RetentionSettings;
import com.cloudgreet.relay.webhook.AbstractWebhookIT;
import com.cloudgreet.relay.webhook.delivery.DeliveryStore;
import com.cloudgreet.relay.webhook.testing.Receiver;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpStatus;
import org.springframework.r2dbc.core.DatabaseClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** relay.retention: settled events go after their age, in batches; bodies go once nothing can send them again. */
class RetentionIT extends AbstractWebhookIT {

	@Autowired
	DatabaseClient db;

	@Autowired
	DeliveryStore store;

	@Test
	void deletesSettledEventsWithTheirDeliveriesAndAttemptsOnceOldEnough() {
		String endpoint = RelayIds.next(IdKind.ENDPOINT);
		sql("insert into endpoint (id, tenant_id, url, secret, enabled, created_at, updated_at) "
				+ "values ('" + endpoint + "', :tenant, 'https://example.com/h', 'unused', false, now(), now())");
		String delivered = event(endpoint, "delivered", "10 days", "10 days");
		String noEndpoints = event(null, null, "10 days", null);
		String recentlyFailed = event(endpoint, "failed", "10 days", "1 hour");
		String stillPending = event(endpoint, "pending", "10 days", "10 days");
		String young = event(endpoint, "dead_lettered", "1 day", "1 day");

		// 25 days from now with settled-after 30d: everything settled before 5 days ago goes.
		Clock later = Clock.fixed(Instant.now().plus(Duration.ofDays(25)), ZoneOffset.UTC);
		RetentionJob job = new RetentionJob("webhook events", this.store::deleteSettledBefore,
				new RetentionSettings(true, Duration.ofDays(30), 1, Duration.ofHours(1)), later);
		long deleted = job.purge().block(Duration.ofSeconds(30));

		assertThat(deleted).as("batches of one until none is left").isGreaterThanOrEqualTo(2);
		assertThat(remainingEvents()).contains(recentlyFailed, stillPending, young)
			.doesNotContain(delivered, noEndpoints);
		assertThat(count("select count(*) from delivery where tenant_id = :tenant and event_id = '" + delivered + "'"))
			.isZero();
		assertThat(count("select count(*) from attempt where tenant_id = :tenant and event_id = '" + delivered + "'"))
			.isZero();
		assertThat(count("select count(*) from attempt where tenant_id = :tenant and event_id = '" + young + "'"))
			.isEqualTo(1);
	}

	@Test
	void clearsTheBodyOnceDeliveredAndKeepsItForReplayUntilThen() {
		AtomicBoolean down = new AtomicBoolean(true);
		try (Receiver receiver = new Receiver((n) -> Receiver.status(down.get() ? 500 : 200))) {
			createEndpoint(receiver.url());
			String eventId = publish("order.shipped", Map.of("order", 7));
			await().atMost(WAIT).until(() -> status(eventId).path("status").asString().equals("dead_lettered"));
			assertThat(bodyLength(eventId)).as("a dead-lettered event keeps its body for a replay").isPositive();

			down.set(false);
			post(this.tenant, "/internal/v1/messages/" + eventId + "/retry").exchange()
				.expectStatus()
				.isEqualTo(HttpStatus.ACCEPTED);
			await().atMost(WAIT).until(() -> status(eventId).path("status").asString().equals("delivered"));

			assertThat(receiver.received().get(receiver.count() - 1).bodyText()).contains("order.shipped");
			assertThat(bodyLength(eventId)).as("nothing sends a delivered event again").isZero();
		}
	}

	/** An event created {@code age} ago with one delivery in {@code status}, last changed {@code changed} ago, and one attempt. */
	private String event(String endpoint, String status, String age, String changed) {
		String id = RelayIds.next(IdKind.EVENT);
		sql("insert into event (tenant_id, id, event_type, body, cloud_event, created_at) values (:tenant, '" + id
				+ "', 'a.b', '\\x7b7d', '\\x7b7d', now() - interval '" + age + "')");
		if (endpoint != null) {
			String delivery = RelayIds.next(IdKind.DELIVERY);
			sql("insert into delivery (id, tenant_id, event_id, endpoint_id, status, attempt_count, next_attempt_at, "
					+ "created_at, updated_at) values ('" + delivery + "', :tenant, '" + id + "', '" + endpoint + "', '"
					+ status + "', 1, now() + interval '1 day', now() - interval '" + age + "', now() - interval '"
					+ changed + "')");
			sql("insert into attempt (delivery_id, tenant_id, event_id, endpoint_id, number, at, outcome, latency_ms) "
					+ "values ('" + delivery + "', :tenant, '" + id + "', '" + endpoint
					+ "', 1, now() - interval '" + changed + "', 'retryable_failure', 5)");
		}
		return id;
	}

	private List<String> remainingEvents() {
		return this.db.sql("select id from event where tenant_id = :tenant")
			.bind("tenant", this.tenant)
			.map((row) -> row.get("id", String.class))
			.all()
			.collectList()
			.block(Duration.ofSeconds(30));
	}

	private long count(String sql) {
		return this.db.sql(sql).bind("tenant", this.tenant).map((row) -> row.get(0, Long.class)).one()
			.block(Duration.ofSeconds(30));
	}

	private int bodyLength(String eventId) {
		return this.db.sql("select octet_length(body) + octet_length(cloud_event) as n from event "
				+ "where tenant_id = :tenant and id = :id")
			.bind("tenant", this.tenant)
			.bind("id", eventId)
			.map((row) -> row.get("n", Integer.class))
			.one()
			.block(Duration.ofSeconds(30));
	}

	private void sql(String sql) {
		this.db.sql(sql).bind("tenant", this.tenant).then().block(Duration.ofSeconds(30));
	}

}
