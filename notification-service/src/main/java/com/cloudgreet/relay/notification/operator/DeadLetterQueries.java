package com.cloudgreet.relay.notification.operator;

import java.time.Instant;
import java.time.OffsetDateTime;

import com.cloudgreet.relay.common.operator.KeysetCursor;
import com.cloudgreet.relay.common.operator.OperatorViews.DeadLetter;
import com.cloudgreet.relay.common.operator.OperatorViews.DeadLetterCount;
import io.r2dbc.spi.Readable;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;
import reactor.core.publisher.Flux;

/**
 * The operator's view of failed and dead-lettered email and SMS across tenants, by creation time
 * (the bulk replay's window, served by the {@code message_replayable} index). The cause is the
 * status ({@code exhausted}: dead_lettered, {@code rejected}: failed), the code the last attempt's
 * provider code.
 */
@Repository
public class DeadLetterQueries {

	private static final String LAST_CODE = """
			left join lateral (select provider_code from attempt a where a.message_id = m.id
			                   order by a.number desc limit 1) last on true""";

	private final DatabaseClient db;

	public DeadLetterQueries(DatabaseClient db) {
		this.db = db;
	}

	public Flux<DeadLetterCount> counts(Instant since) {
		return this.db.sql("select m.channel, m.status, last.provider_code, count(*) as n from message m " + LAST_CODE + """
				 where m.status in ('failed', 'dead_lettered') and m.created_at >= :since
				group by m.channel, m.status, last.provider_code order by n desc limit 200""")
			.bind("since", since.atOffset(java.time.ZoneOffset.UTC))
			.map((row) -> new DeadLetterCount(row.get("channel", String.class), cause(row.get("status", String.class)),
					row.get("provider_code", String.class), row.get("n", Long.class)))
			.all();
	}

	/** Newest first, after {@code before}; {@code cause} narrows to one status. */
	public Flux<DeadLetter> list(String channel, String cause, KeysetCursor before, int limit) {
		String status = "exhausted".equals(cause) ? "dead_lettered" : "rejected".equals(cause) ? "failed" : null;
		StringBuilder sql = new StringBuilder("select m.id, m.tenant_id, m.channel, m.status, m.last_error, m.created_at, "
				+ "m.updated_at, last.provider_code from message m " + LAST_CODE
				+ " where m.status in ('failed', 'dead_lettered') and m.channel = :channel");
		if (status != null) {
			sql.append(" and m.status = :status");
		}
		if (before != null) {
			sql.append(" and (m.created_at, m.id) < (:beforeAt, :beforeId)");
		}
		sql.append(" order by m.created_at desc, m.id desc limit :limit");
		var spec = this.db.sql(sql.toString()).bind("channel", channel).bind("limit", limit);
		if (status != null) {
			spec = spec.bind("status", status);
		}
		if (before != null) {
			spec = spec.bind("beforeAt", before.at().atOffset(java.time.ZoneOffset.UTC)).bind("beforeId", before.id());
		}
		return spec.map((row) -> new DeadLetter(row.get("id", String.class), row.get("id", String.class),
				row.get("tenant_id", String.class),
				row.get("channel", String.class), cause(row.get("status", String.class)),
				row.get("provider_code", String.class), row.get("last_error", String.class), instant(row, "created_at"),
				instant(row, "updated_at")))
			.all();
	}

	private static String cause(String status) {
		return "dead_lettered".equals(status) ? "exhausted" : "rejected";
	}

	private static Instant instant(Readable row, String column) {
		OffsetDateTime time = row.get(column, OffsetDateTime.class);
		return time == null ? null : time.toInstant();
	}

}
