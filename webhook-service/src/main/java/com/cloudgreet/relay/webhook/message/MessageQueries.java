package com.cloudgreet.relay.webhook.message;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;

import io.r2dbc.spi.Readable;
import org.springframework.r2dbc.core.DatabaseClient;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** Read side of events, deliveries and attempts, always scoped by tenant. */
public class MessageQueries {

	private final DatabaseClient db;

	public MessageQueries(DatabaseClient db) {
		this.db = db;
	}

	record EventRow(String id, String eventType, Instant createdAt) {
	}

	record DeliveryRow(String id, String endpointId, String url, String status, int attemptCount, Instant nextAttemptAt,
			Instant updatedAt) {
	}

	Mono<EventRow> event(String tenantId, String id) {
		return this.db.sql("select id, event_type, created_at from event where tenant_id = :tenant and id = :id")
			.bind("tenant", tenantId)
			.bind("id", id)
			.map((row) -> new EventRow(row.get("id", String.class), row.get("event_type", String.class),
					instant(row, "created_at")))
			.one();
	}

	/** The event's deliveries with ids after {@code after} (empty: from the first), in id order. */
	Flux<DeliveryRow> deliveries(String tenantId, String eventId, String after, int limit) {
		return this.db
			.sql("select d.id, d.endpoint_id, e.url, d.status, d.attempt_count, d.next_attempt_at, d.updated_at "
					+ "from delivery d join endpoint e on e.id = d.endpoint_id "
					+ "where d.tenant_id = :tenant and d.event_id = :event and d.id > :after order by d.id limit :limit")
			.bind("tenant", tenantId)
			.bind("event", eventId)
			.bind("after", after == null ? "" : after)
			.bind("limit", limit)
			.map((row) -> new DeliveryRow(row.get("id", String.class), row.get("endpoint_id", String.class),
					row.get("url", String.class), row.get("status", String.class),
					row.get("attempt_count", Integer.class), instant(row, "next_attempt_at"),
					instant(row, "updated_at")))
			.all();
	}

	/** Every delivery's API status and the latest change, for the event's status over all its deliveries. */
	record Summary(List<String> statuses, Instant updatedAt) {
	}

	Mono<Summary> summary(String tenantId, String eventId) {
		return this.db
			.sql("select array_agg(distinct case when status <> 'pending' then status "
					+ "when attempt_count = 0 then 'queued' else 'sending' end) as statuses, max(updated_at) as updated_at "
					+ "from delivery where tenant_id = :tenant and event_id = :event")
			.bind("tenant", tenantId)
			.bind("event", eventId)
			.map((row) -> {
				String[] statuses = row.get("statuses", String[].class);
				return new Summary(statuses == null ? List.of() : List.of(statuses), instant(row, "updated_at"));
			})
			.one();
	}

	/** One line of the console's message list. */
	record EventSummary(String id, String channel, String status, String eventType, Instant createdAt) {
	}

	/**
	 * The tenant's events newest first, each with its status over all its deliveries (the same rule
	 * as {@link MessageStatus#aggregate}, in SQL so that the status filter and the page agree);
	 * {@code before} is the last id of the previous page, {@code endpointIds} (empty: any) keeps
	 * events with a delivery to one of them.
	 */
	Flux<EventSummary> events(String tenantId, String status, List<String> endpointIds, String before, int limit) {
		return this.db.sql("select e.id, e.event_type, e.created_at, s.status from event e cross join lateral ("
				+ "select case when bool_or(d.st in ('queued', 'sending')) then "
				+ "case when bool_and(d.st = 'queued') then 'queued' else 'sending' end "
				+ "when bool_or(d.st = 'dead_lettered') then 'dead_lettered' when bool_or(d.st = 'failed') then 'failed' "
				+ "else 'delivered' end as status from (select case when status <> 'pending' then status "
				+ "when attempt_count = 0 then 'queued' else 'sending' end as st from delivery "
				+ "where tenant_id = e.tenant_id and event_id = e.id) d) s "
				+ "where e.tenant_id = :tenant and (:status = '' or s.status = :status) "
				+ "and (cardinality(:endpoints::text[]) = 0 or exists (select 1 from delivery x where x.tenant_id = e.tenant_id "
				+ "and x.event_id = e.id and x.endpoint_id = any(:endpoints::text[]))) "
				+ "and (:before = '' or (e.created_at, e.id) < (select b.created_at, b.id from event b "
				+ "where b.tenant_id = :tenant and b.id = :before)) "
				+ "order by e.created_at desc, e.id desc limit :limit")
			.bind("tenant", tenantId)
			.bind("status", status == null ? "" : status)
			.bind("endpoints", endpointIds.toArray(String[]::new))
			.bind("before", before == null ? "" : before)
			.bind("limit", limit)
			.map((row) -> new EventSummary(row.get("id", String.class), "webhook", row.get("status", String.class),
					row.get("event_type", String.class), instant(row, "created_at")))
			.all();
	}

	/** An attempt of an event's and its row id, the cursor of the next page. */
	record EventAttempt(long id, AttemptView view) {
	}

	/**
	 * The event's attempts in the order they were made, after the attempt {@code afterId} (null:
	 * from the first); index attempt_event_idx (V4).
	 */
	Flux<EventAttempt> attemptsOfEvent(String tenantId, String eventId, Long afterId, int limit) {
		String after = afterId == null ? ""
				: "and (at, id) > (select a.at, a.id from attempt a where a.id = :after and a.tenant_id = :tenant) ";
		var spec = this.db
			.sql(ATTEMPTS + ", id from attempt where tenant_id = :tenant and event_id = :event " + after
					+ "order by at, id limit :limit")
			.bind("tenant", tenantId)
			.bind("event", eventId)
			.bind("limit", limit);
		if (afterId != null) {
			spec = spec.bind("after", afterId);
		}
		return spec.map((row) -> new EventAttempt(row.get("id", Long.class), attempt(row))).all();
	}

	/** Newest first, optionally only before {@code before}. */
	Flux<AttemptView> attemptsOfEndpoint(String tenantId, String endpointId, Instant before, int limit) {
		return this.db
			.sql(ATTEMPTS + " from attempt where tenant_id = :tenant and endpoint_id = :endpoint and at < :before "
					+ "order by at desc, id desc limit :limit")
			.bind("tenant", tenantId)
			.bind("endpoint", endpointId)
			.bind("before", (before == null ? Instant.parse("9999-12-31T00:00:00Z") : before)
				.atOffset(java.time.ZoneOffset.UTC))
			.bind("limit", limit)
			.map(MessageQueries::attempt)
			.all();
	}

	Mono<Boolean> endpointExists(String tenantId, String endpointId) {
		return this.db.sql("select 1 from endpoint where tenant_id = :tenant and id = :id")
			.bind("tenant", tenantId)
			.bind("id", endpointId)
			.map((row) -> true)
			.one()
			.defaultIfEmpty(false);
	}

	private static final String ATTEMPTS = "select number, at, outcome, status_code, latency_ms, response_excerpt, error, "
			+ "delivery_id, event_id, endpoint_id";

	private static AttemptView attempt(Readable row) {
		return AttemptView.of(row.get("number", Integer.class), instant(row, "at"), row.get("outcome", String.class),
				row.get("status_code", Integer.class), row.get("latency_ms", Long.class),
				row.get("response_excerpt", String.class), row.get("error", String.class),
				row.get("delivery_id", String.class), row.get("event_id", String.class),
				row.get("endpoint_id", String.class));
	}

	private static Instant instant(Readable row, String column) {
		OffsetDateTime value = row.get(column, OffsetDateTime.class);
		return value == null ? null : value.toInstant();
	}


}
