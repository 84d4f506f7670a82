package com.cloudgreet.relay.notification.delivery;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;

import com.cloudgreet.relay.common.Channel;
import io.r2dbc.spi.Readable;
import reactor.core.publisher.Mono;

import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.r2dbc.core.DatabaseClient.GenericExecuteSpec;
import org.springframework.stereotype.Repository;

/**
 * The delivery log: one row per message and one per attempt. Every state change is a single
 * conditional statement, so two consumers holding duplicates of one record cannot both win.
 */
@Repository
public class MessageStore {

	private final DatabaseClient db;

	public MessageStore(DatabaseClient db) {
		this.db = db;
	}

	/**
	 * Records the message if this is its first sighting and takes the right to send it, in one
	 * statement: only a new or queued message, or one whose previous sender's lease has run out
	 * (it died mid-send), can be claimed, and only by one caller at a time (the row lock of the
	 * conflicting insert serialises concurrent duplicates).
	 */
	public Mono<Claim> claim(String id, String tenantId, Channel channel, String event, Duration lease) {
		Mono<Claim> claimed = this.db.sql("""
				insert into message (id, tenant_id, channel, status, event, lease_until)
				values (:id, :tenant, :channel, 'sending', :event, now() + :leaseMs * interval '1 millisecond')
				on conflict (id) do update set status = 'sending', lease_until = excluded.lease_until, updated_at = now()
				where message.tenant_id = excluded.tenant_id
				  and (message.status = 'queued' or (message.status = 'sending' and message.lease_until < now()))
				returning not_before""")
			.bind("id", id)
			.bind("tenant", tenantId)
			.bind("channel", channel.id())
			.bind("event", event)
			.bind("leaseMs", lease.toMillis())
			.map((row) -> (Claim) new Claim.Claimed(instant(row, "not_before")))
			.one();
		Mono<Claim> otherwise = this.db.sql("select tenant_id, status, lease_until from message where id = :id")
			.bind("id", id)
			.map((row) -> {
				if (!tenantId.equals(row.get("tenant_id", String.class))) {
					return (Claim) new Claim.ForeignOwner();
				}
				DeliveryStatus status = DeliveryStatus.of(row.get("status", String.class));
				if (status == DeliveryStatus.SENDING) {
					return new Claim.HeldElsewhere(instant(row, "lease_until"));
				}
				return new Claim.Settled(status);
			})
			.one();
		return claimed.switchIfEmpty(Mono.defer(() -> otherwise));
	}

	/** Appends an attempt; returns its number. Only the lease holder writes attempts, so max()+1 is safe. */
	public Mono<Integer> recordAttempt(String id, Instant at, SendOutcome outcome, long latencyMs) {
		GenericExecuteSpec spec = this.db.sql("""
				insert into attempt (message_id, number, at, outcome, provider_code, detail, latency_ms)
				values (:id, (select coalesce(max(number), 0) + 1 from attempt where message_id = :id),
				        :at, :outcome, :code, :detail, :latency)
				returning number""")
			.bind("id", id)
			.bind("at", OffsetDateTime.ofInstant(at, java.time.ZoneOffset.UTC))
			.bind("outcome", outcome.outcomeName())
			.bind("latency", latencyMs);
		spec = nullable(spec, "code", outcome.providerCode());
		spec = nullable(spec, "detail", outcome.detail());
		return spec.map((row) -> row.get("number", Integer.class)).one();
	}

	public Mono<Void> markDelivered(String id, String providerMessageId) {
		return nullable(this.db.sql("""
				update message set status = 'delivered', provider_message_id = :providerId, lease_until = null,
				       last_error = null, updated_at = now()
				where id = :id and status = 'sending'""").bind("id", id), "providerId", providerMessageId).then();
	}

	public Mono<Void> markFailed(String id, String error) {
		return nullable(this.db.sql("""
				update message set status = 'failed', last_error = :error, lease_until = null, updated_at = now()
				where id = :id and status = 'sending'""").bind("id", id), "error", error).then();
	}

	/** Gives the message back to the queue after a transient failure; the next retry stage picks it up. */
	public Mono<Void> release(String id, Instant notBefore, String error) {
		GenericExecuteSpec spec = this.db.sql("""
				update message set status = 'queued', not_before = :notBefore, last_error = :error,
				       lease_until = null, updated_at = now()
				where id = :id and status = 'sending'""").bind("id", id);
		spec = notBefore == null ? spec.bindNull("notBefore", OffsetDateTime.class)
				: spec.bind("notBefore", OffsetDateTime.ofInstant(notBefore, java.time.ZoneOffset.UTC));
		return nullable(spec, "error", error).then();
	}

	/**
	 * Marks a message whose record reached the DLT; inserts it if the record never got as far as
	 * the log (a poison record that still had an id and tenant). Delivered and permanently failed
	 * messages keep their state: their DLT record is informational.
	 */
	public Mono<Boolean> markDeadLettered(String id, String tenantId, Channel channel, String event, String reason,
			int generation) {
		return nullable(this.db.sql("""
				insert into message (id, tenant_id, channel, status, event, last_error, generation)
				values (:id, :tenant, :channel, 'dead_lettered', :event, :reason, :generation)
				on conflict (id) do update set status = 'dead_lettered', last_error = excluded.last_error,
				       lease_until = null, updated_at = now()
				where message.tenant_id = excluded.tenant_id and message.status in ('queued', 'sending')
				  and message.generation = excluded.generation""")
			.bind("id", id)
			.bind("generation", generation)
			.bind("tenant", tenantId)
			.bind("channel", channel.id())
			.bind("event", event), "reason", reason).fetch().rowsUpdated().map((count) -> count > 0);
	}

	/**
	 * Puts a failed or dead-lettered message back to {@code queued} in a new generation, keeping its
	 * attempts; returns the stored event to re-publish and what to restore if publishing fails.
	 */
	public Mono<Requeued> requeue(String id, String tenantId) {
		return this.db.sql("""
				update message m set status = 'queued', not_before = null, lease_until = null,
				       generation = m.generation + 1, updated_at = now()
				from (select id, status from message where id = :id and tenant_id = :tenant for update) previous
				where m.id = previous.id and m.status in ('failed', 'dead_lettered')
				returning m.event, m.channel, m.generation, previous.status as previous_status""")
			.bind("id", id)
			.bind("tenant", tenantId)
			.map((row) -> new Requeued(row.get("event", String.class),
					Channel.ofId(row.get("channel", String.class)).orElseThrow(), row.get("generation", Integer.class),
					DeliveryStatus.of(row.get("previous_status", String.class))))
			.one();
	}

	public Mono<Void> restore(String id, int generation, DeliveryStatus status) {
		return this.db.sql("""
				update message set status = :status, generation = generation - 1, updated_at = now()
				where id = :id and status = 'queued' and generation = :generation""")
			.bind("id", id)
			.bind("generation", generation)
			.bind("status", status.value())
			.then();
	}

	/** A tenant's message with its attempts, or empty if it has no such message. */
	public Mono<MessageView> find(String id, String tenantId) {
		Mono<List<MessageView.Attempt>> attempts = this.db.sql("""
				select number, at, outcome, provider_code, detail, latency_ms from attempt
				where message_id = :id order by number""")
			.bind("id", id)
			.map((row) -> new MessageView.Attempt(row.get("number", Integer.class), instant(row, "at"),
					row.get("outcome", String.class), row.get("provider_code", String.class),
					row.get("detail", String.class), row.get("latency_ms", Long.class)))
			.all()
			.collectList();
		return this.db.sql("""
				select id, channel, status, provider_message_id, created_at, updated_at from message
				where id = :id and tenant_id = :tenant""")
			.bind("id", id)
			.bind("tenant", tenantId)
			.map((row) -> new MessageView(row.get("id", String.class), row.get("channel", String.class),
					row.get("status", String.class), row.get("provider_message_id", String.class),
					instant(row, "created_at"), instant(row, "updated_at"), List.of()))
			.one()
			.flatMap((message) -> attempts.map(message::withAttempts));
	}

	public record Requeued(String event, Channel channel, int generation, DeliveryStatus previous) {
	}

	private static GenericExecuteSpec nullable(GenericExecuteSpec spec, String name, String value) {
		return value == null ? spec.bindNull(name, String.class) : spec.bind(name, value);
	}

	private static Instant instant(Readable row, String column) {
		OffsetDateTime value = row.get(column, OffsetDateTime.class);
		return value == null ? null : value.toInstant();
	}

}
