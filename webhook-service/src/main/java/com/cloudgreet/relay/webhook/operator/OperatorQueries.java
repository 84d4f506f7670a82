package com.cloudgreet.relay.webhook.operator;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

import com.cloudgreet.relay.common.operator.KeysetCursor;
import com.cloudgreet.relay.common.operator.OperatorViews.DeadLetter;
import com.cloudgreet.relay.common.operator.OperatorViews.DeadLetterCount;
import com.cloudgreet.relay.common.operator.OperatorViews.DisabledEndpoint;
import io.r2dbc.spi.Readable;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;
import reactor.core.publisher.Flux;

/**
 * The operator's view of webhook deliveries and endpoints across tenants: failed and
 * dead-lettered deliveries by creation time (the bulk replay's window, served by
 * {@code delivery_replayable_idx}), with the last attempt's HTTP status as code and its error and
 * response excerpt as reason; and the endpoints that are disabled.
 */
@Repository
public class OperatorQueries {

	private static final String LAST_ATTEMPT = """
			left join lateral (select status_code, error, response_excerpt from attempt a where a.delivery_id = d.id
			                   order by a.number desc limit 1) last on true""";

	private final DatabaseClient db;

	public OperatorQueries(DatabaseClient db) {
		this.db = db;
	}

	public Flux<DeadLetterCount> counts(Instant since) {
		return this.db.sql("select d.status, last.status_code, count(*) as n from delivery d " + LAST_ATTEMPT + """
				 where d.status in ('failed', 'dead_lettered') and d.created_at >= :since
				group by d.status, last.status_code order by n desc limit 200""")
			.bind("since", since.atOffset(ZoneOffset.UTC))
			.map((row) -> new DeadLetterCount("webhook", cause(row.get("status", String.class)),
					code(row.get("status_code", Integer.class)), row.get("n", Long.class)))
			.all();
	}

	/** Newest first, after {@code before}; {@code cause} narrows to one status. */
	public Flux<DeadLetter> deadLetters(String cause, KeysetCursor before, int limit) {
		String status = "exhausted".equals(cause) ? "dead_lettered" : "rejected".equals(cause) ? "failed" : null;
		StringBuilder sql = new StringBuilder("select d.id, d.event_id, d.tenant_id, d.status, d.created_at, d.updated_at, "
				+ "last.status_code, last.error, last.response_excerpt from delivery d " + LAST_ATTEMPT
				+ " where d.status in ('failed', 'dead_lettered')");
		if (status != null) {
			sql.append(" and d.status = :status");
		}
		if (before != null) {
			sql.append(" and (d.created_at, d.id) < (:beforeAt, :beforeId)");
		}
		sql.append(" order by d.created_at desc, d.id desc limit :limit");
		var spec = this.db.sql(sql.toString()).bind("limit", limit);
		if (status != null) {
			spec = spec.bind("status", status);
		}
		if (before != null) {
			spec = spec.bind("beforeAt", before.at().atOffset(ZoneOffset.UTC)).bind("beforeId", before.id());
		}
		return spec.map((row) -> {
			String error = row.get("error", String.class);
			String excerpt = row.get("response_excerpt", String.class);
			return new DeadLetter(row.get("id", String.class), row.get("event_id", String.class),
					row.get("tenant_id", String.class), "webhook",
					cause(row.get("status", String.class)), code(row.get("status_code", Integer.class)),
					reason(error, excerpt), instant(row, "created_at"),
					instant(row, "updated_at"));
		}).all();
	}

	/** Disabled endpoints by id, after {@code after}. */
	public Flux<DisabledEndpoint> disabledEndpoints(String after, int limit) {
		String sql = "select id, tenant_id, url, disabled_reason, disabled_at from endpoint where not enabled"
				+ (after == null ? "" : " and id > :after") + " order by id limit :limit";
		var spec = this.db.sql(sql).bind("limit", limit);
		if (after != null) {
			spec = spec.bind("after", after);
		}
		return spec.map((row) -> new DisabledEndpoint(row.get("id", String.class), row.get("tenant_id", String.class),
				row.get("url", String.class), row.get("disabled_reason", String.class), instant(row, "disabled_at")))
			.all();
	}

	/** The attempt's error, the receiver's answer, or both: either may be what explains the failure. */
	private static String reason(String error, String excerpt) {
		if (error == null || excerpt == null || excerpt.isBlank()) {
			return error != null ? error : excerpt;
		}
		return error + ": " + excerpt;
	}

	private static String cause(String status) {
		return "dead_lettered".equals(status) ? "exhausted" : "rejected";
	}

	private static String code(Integer status) {
		return status == null ? null : "HTTP " + status;
	}

	private static Instant instant(Readable row, String column) {
		OffsetDateTime time = row.get(column, OffsetDateTime.class);
		return time == null ? null : time.toInstant();
	}

}
