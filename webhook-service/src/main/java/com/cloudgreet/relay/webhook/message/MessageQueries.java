package com.cloudgreet.relay.webhook.message;

import java.time.Instant;
import java.time.OffsetDateTime;

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

	Flux<DeliveryRow> deliveries(String tenantId, String eventId) {
		return this.db
			.sql("select d.id, d.endpoint_id, e.url, d.status, d.attempt_count, d.next_attempt_at, d.updated_at "
					+ "from delivery d join endpoint e on e.id = d.endpoint_id "
					+ "where d.tenant_id = :tenant and d.event_id = :event order by d.id")
			.bind("tenant", tenantId)
			.bind("event", eventId)
			.map((row) -> new DeliveryRow(row.get("id", String.class), row.get("endpoint_id", String.class),
					row.get("url", String.class), row.get("status", String.class),
					row.get("attempt_count", Integer.class), instant(row, "next_attempt_at"),
					instant(row, "updated_at")))
			.all();
	}

	Flux<AttemptView> attemptsOfEvent(String tenantId, String eventId) {
		return this.db.sql(ATTEMPTS + "where tenant_id = :tenant and event_id = :event order by at, number")
			.bind("tenant", tenantId)
			.bind("event", eventId)
			.map(MessageQueries::attempt)
			.all();
	}

	/** Newest first, optionally only before {@code before}. */
	Flux<AttemptView> attemptsOfEndpoint(String tenantId, String endpointId, Instant before, int limit) {
		return this.db
			.sql(ATTEMPTS + "where tenant_id = :tenant and endpoint_id = :endpoint and at < :before "
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
			+ "delivery_id, event_id, endpoint_id from attempt ";

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
