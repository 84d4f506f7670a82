package com.cloudgreet.relay.notification.delivery;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.cloudgreet.relay.common.Channel;
import com.cloudgreet.relay.common.replay.BulkReplay;
import com.cloudgreet.relay.common.status.StatusPage;
import com.cloudgreet.relay.delivery.AttemptRecord;
import com.cloudgreet.relay.delivery.Capacity;
import com.cloudgreet.relay.delivery.DeadLetterReasons;
import com.cloudgreet.relay.delivery.DeliveryQueue;
import com.cloudgreet.relay.delivery.Lease;
import com.cloudgreet.relay.delivery.Outcome;
import com.cloudgreet.relay.delivery.batch.WriteBatcher;
import io.r2dbc.spi.Readable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;

/**
 * The delivery log and the engine's work queue in one table: one row per message (its state, due
 * time and lease) and one per attempt. Intake writes a whole Kafka batch in one statement; every
 * write after a claim is fenced on the lease's owner and token.
 */
@Repository
public class MessageStore {

	/** At most this many writes of one kind per statement (the rest wait for the next flush). */
	private static final int WRITE_BATCH = 500;

	private static final String JOB_COLUMNS = "m.id, m.tenant_id, m.channel, m.event, m.lease_owner, m.lease_token, "
			+ "m.retries_used, m.traceparent, m.created_at";

	private final DatabaseClient db;

	public MessageStore(DatabaseClient db) {
		this.db = db;
	}

	/** The engine's view of one channel's messages. */
	public DeliveryQueue<MessageJob> queue(Channel channel) {
		return new Queue(channel);
	}

	/** What storing a batch came to: the messages claimed for this instance, and ids owned by another tenant. */
	public record Ingested(List<MessageJob> claimed, List<String> foreign) {
	}

	/**
	 * Stores a batch of requests in one statement: new ids become due at once (or, scheduled, at
	 * their {@code sendAt}, as {@code scheduled}), and the first {@code claim} of them (never a
	 * scheduled one: the caller puts those last) are claimed by {@code owner} in the same statement
	 * so they are sent without waiting for a poll. An id stored before (a redelivered or duplicate record) adds
	 * nothing; if it belongs to another tenant it is reported, for the caller to dead-letter.
	 */
	public Mono<Ingested> ingest(Channel channel, List<NewMessage> batch, int claim, String owner, Duration lease) {
		Map<String, NewMessage> unique = new LinkedHashMap<>();
		batch.forEach((message) -> unique.putIfAbsent(message.id(), message));
		List<NewMessage> messages = new ArrayList<>(unique.values());
		if (messages.isEmpty()) {
			return Mono.just(new Ingested(List.of(), List.of()));
		}
		String[] ids = messages.stream().map(NewMessage::id).toArray(String[]::new);
		String[] tenants = messages.stream().map(NewMessage::tenantId).toArray(String[]::new);
		String[] events = messages.stream().map(NewMessage::event).toArray(String[]::new);
		String[] traces = messages.stream().map(NewMessage::traceparent).toArray(String[]::new);
		String[] sendAts = messages.stream()
			.map((m) -> m.sendAt() == null ? null : m.sendAt().toString())
			.toArray(String[]::new);
		Boolean[] claimed = new Boolean[messages.size()];
		for (int i = 0; i < claimed.length; i++) {
			claimed[i] = i < claim;
		}
		// The final select's snapshot predates the insert, so "m" finds only rows stored before.
		return this.db.sql("""
				with input as (select * from unnest(cast(:ids as text[]), cast(:tenants as text[]),
				        cast(:events as text[]), cast(:traces as text[]), cast(:claimed as boolean[]),
				        cast(:sendAts as timestamptz[])) as i(id, tenant_id, event, traceparent, claimed, send_at)),
				ins as (insert into message (id, tenant_id, channel, status, event, traceparent, due_at,
				        lease_owner, lease_token, lease_until)
				    select id, tenant_id, :channel, case when claimed then 'sending' when send_at > now() then 'scheduled'
				           else 'queued' end, event, traceparent, greatest(coalesce(send_at, now()), now()),
				           case when claimed then :owner end, case when claimed then 1 else 0 end,
				           case when claimed then now() + :leaseMs * interval '1 millisecond' end
				    from input
				    on conflict (id) do nothing
				    returning id, lease_owner, lease_token, created_at)
				select i.id, i.tenant_id, i.event, i.traceparent, ins.lease_owner, ins.lease_token, ins.created_at,
				       ins.id is not null as inserted, m.tenant_id as existing_tenant
				from input i left join ins on ins.id = i.id left join message m on m.id = i.id""")
			.bind("ids", ids)
			.bind("tenants", tenants)
			.bind("events", events)
			.bind("traces", traces)
			.bind("claimed", claimed)
			.bind("sendAts", sendAts)
			.bind("channel", channel.id())
			.bind("owner", owner)
			.bind("leaseMs", lease.toMillis())
			.map((row) -> {
				boolean inserted = Boolean.TRUE.equals(row.get("inserted", Boolean.class));
				String id = row.get("id", String.class);
				String tenant = row.get("tenant_id", String.class);
				if (inserted) {
					String leaseOwner = row.get("lease_owner", String.class);
					return leaseOwner == null ? IngestRow.STORED
							: new IngestRow(new MessageJob(new Lease(id, leaseOwner, row.get("lease_token", Long.class)),
									tenant, channel, row.get("event", String.class), 0,
									row.get("traceparent", String.class), instant(row, "created_at"),
									unique.get(id).request()), null);
				}
				String existing = row.get("existing_tenant", String.class);
				// existing is null only when a concurrent transaction stored the id meanwhile: a
				// duplicate in flight, which that transaction's owner handles.
				return existing != null && !existing.equals(tenant) ? new IngestRow(null, id) : IngestRow.STORED;
			})
			.all()
			.collectList()
			.map((rows) -> new Ingested(rows.stream().filter((r) -> r.job() != null).map(IngestRow::job).toList(),
					rows.stream().filter((r) -> r.foreign() != null).map(IngestRow::foreign).toList()));
	}

	private record IngestRow(MessageJob job, String foreign) {

		static final IngestRow STORED = new IngestRow(null, null);

	}

	/**
	 * Records poison records that reached the DLT but still name an id and a tenant, so the
	 * status API shows them as {@code dead_lettered}. An id already stored keeps its state: a bad
	 * duplicate must not sink a good message, nor touch another tenant's.
	 */
	public Mono<Void> deadLetterPoison(Channel channel, String id, String tenantId, String event, String reason) {
		return this.db.sql("""
				insert into message (id, tenant_id, channel, status, event, last_error)
				values (:id, :tenant, :channel, 'dead_lettered', :event, :reason)
				on conflict (id) do nothing""")
			.bind("id", id)
			.bind("tenant", tenantId)
			.bind("channel", channel.id())
			.bind("event", event)
			.bind("reason", reason)
			.then();
	}

	/** The stored CloudEvent and status of a tenant's message, for a re-queue decision. */
	public record Stored(String event, Channel channel, String status) {
	}

	public Mono<Stored> stored(String id, String tenantId) {
		return this.db.sql("select event, channel, status from message where id = :id and tenant_id = :tenant")
			.bind("id", id)
			.bind("tenant", tenantId)
			.map((row) -> new Stored(row.get("event", String.class),
					Channel.ofId(row.get("channel", String.class)).orElseThrow(), row.get("status", String.class)))
			.one();
	}

	/**
	 * Puts a failed or dead-lettered message back on a fresh schedule, due now, keeping its
	 * attempts; false if it is in any other state (or not the tenant's). A DLT record still owed for
	 * it is settled: the message gets a new outcome, and a new record if it fails again.
	 */
	public Mono<Boolean> requeue(String id, String tenantId) {
		return this.db.sql("""
				update message set status = 'queued', due_at = now(), retries_used = 0, lease_owner = null,
				       dlt_reason = null, dlt_at = null,
				       lease_until = null, updated_at = now()
				where id = :id and tenant_id = :tenant and status in ('failed', 'dead_lettered')""")
			.bind("id", id)
			.bind("tenant", tenantId)
			.fetch()
			.rowsUpdated()
			.map((count) -> count > 0);
	}

	/** What a cancel came to: the message's status after it, and whether this call canceled it. */
	public record Canceled(String status, boolean canceled) {
	}

	/**
	 * Cancels a tenant's message that nobody has claimed and no attempt has touched: scheduled, or
	 * queued for its first attempt. One conditional update, so a claim racing with it either wins
	 * (the message is sending, the cancel refused) or finds it canceled; a canceled row holds no
	 * lease, so no fenced write of the engine can move it again. Empty if the tenant has no such
	 * message; otherwise its status (canceled, or what it was instead).
	 */
	public Mono<Canceled> cancel(String id, String tenantId) {
		return this.db.sql("""
				with canceled as (update message set status = 'canceled', due_at = null, event = '', updated_at = now()
				    where id = :id and tenant_id = :tenant and status in ('scheduled', 'queued')
				      and lease_owner is null and attempt_count = 0
				    returning id)
				select m.status, exists (select 1 from canceled) as canceled from message m
				where m.id = :id and m.tenant_id = :tenant""")
			.bind("id", id)
			.bind("tenant", tenantId)
			.map((row) -> Boolean.TRUE.equals(row.get("canceled", Boolean.class)) ? new Canceled("canceled", true)
					: new Canceled(row.get("status", String.class), false))
			.one();
	}

	/** A message a bulk replay may re-queue, with what it would send; ordered by creation, then id. */
	public record Replayable(String id, Channel channel, String event, Instant createdAt) {
	}

	/**
	 * One page of an operator's bulk replay: at most {@code limit} failed or dead-lettered messages
	 * created in the window, oldest first, after {@code after} (null: from the start). Poison records
	 * (dead-lettered with no attempt: they never decoded or broke the contract) are left out, as a
	 * single retry refuses them. Index message_replayable (V5).
	 */
	public Mono<List<Replayable>> replayable(BulkReplay request, Replayable after, int limit) {
		var spec = this.db.sql("select id, channel, event, created_at from message where " + replayWhere(request)
				+ (after != null ? " and (created_at, id) > (:afterAt, :afterId)" : "")
				+ " order by created_at, id limit :limit");
		spec = bindReplay(spec, request).bind("limit", limit);
		if (after != null) {
			spec = spec.bind("afterAt", utc(after.createdAt())).bind("afterId", after.id());
		}
		return spec.map((row) -> new Replayable(row.get("id", String.class),
				Channel.ofId(row.get("channel", String.class)).orElseThrow(), row.get("event", String.class),
				instant(row, "created_at"))).all().collectList();
	}

	/**
	 * Puts these messages back on a fresh schedule, due now, attempts kept, each only if it is still
	 * in one of {@code statuses} (a message that moved on meanwhile is left alone); how many moved.
	 */
	public Mono<Long> replay(List<String> ids, List<String> statuses) {
		if (ids.isEmpty()) {
			return Mono.just(0L);
		}
		return this.db.sql("""
				update message set status = 'queued', due_at = now(), retries_used = 0, lease_owner = null,
				       dlt_reason = null, dlt_at = null, lease_until = null, updated_at = now()
				where id = any(cast(:ids as text[])) and status = any(cast(:statuses as text[]))""")
			.bind("ids", ids.toArray(String[]::new))
			.bind("statuses", statuses.toArray(String[]::new))
			.fetch()
			.rowsUpdated();
	}

	/** How many messages of the bulk replay's window are still failed or dead-lettered. */
	public Mono<Long> countReplayable(BulkReplay request) {
		return bindReplay(this.db.sql("select count(*) as n from message where " + replayWhere(request)), request)
			.map((row) -> row.get("n", Long.class))
			.one();
	}

	private static String replayWhere(BulkReplay request) {
		return "status = any(cast(:statuses as text[])) and created_at >= :from and created_at < :to "
				+ "and attempt_count > 0" + (request.channel() != null ? " and channel = :channel" : "")
				+ (request.tenantId() != null ? " and tenant_id = :tenant" : "");
	}

	private static DatabaseClient.GenericExecuteSpec bindReplay(DatabaseClient.GenericExecuteSpec spec,
			BulkReplay request) {
		spec = spec.bind("statuses", request.statuses().toArray(String[]::new))
			.bind("from", utc(request.from()))
			.bind("to", utc(request.to()));
		if (request.channel() != null) {
			spec = spec.bind("channel", request.channel());
		}
		if (request.tenantId() != null) {
			spec = spec.bind("tenant", request.tenantId());
		}
		return spec;
	}

	/**
	 * Deletes at most {@code limit} messages that settled before {@code cutoff}, their attempts with
	 * them (on delete cascade); index message_settled (V4). Rows are locked with SKIP LOCKED and the
	 * outer conditions are checked again on the locked row, so a message re-queued meanwhile stays,
	 * and so does one whose DLT record is still owed.
	 */
	public Mono<Long> deleteSettledBefore(Instant cutoff, int limit) {
		return this.db.sql("""
				delete from message where id in (select id from message
				    where status in ('delivered', 'failed', 'dead_lettered', 'canceled') and updated_at < :cutoff
				      and dlt_reason is null limit :limit for update skip locked)
				  and status in ('delivered', 'failed', 'dead_lettered', 'canceled') and updated_at < :cutoff
				  and dlt_reason is null""")
			.bind("cutoff", utc(cutoff))
			.bind("limit", limit)
			.fetch()
			.rowsUpdated();
	}

	/**
	 * A tenant's message with one page of its attempts (those numbered after {@code attemptsAfter},
	 * at most {@code limit}, in order), or empty if it has no such message. Served by the primary
	 * keys of message and attempt.
	 */
	public Mono<MessageView> find(String id, String tenantId, int attemptsAfter, int limit) {
		// One more than the page, to know whether a next page exists without counting.
		Mono<List<MessageView.Attempt>> attempts = this.db.sql("""
				select number, at, outcome, provider, provider_code, detail, latency_ms, recipients::text as recipients
				from attempt
				where message_id = :id and number > :after order by number limit :limit""")
			.bind("id", id)
			.bind("after", attemptsAfter)
			.bind("limit", limit + 1)
			.map((row) -> new MessageView.Attempt(row.get("number", Integer.class), instant(row, "at"),
					row.get("outcome", String.class), row.get("provider", String.class),
					row.get("provider_code", String.class), row.get("detail", String.class),
					row.get("latency_ms", Long.class), RecipientsJson.read(row.get("recipients", String.class))))
			.all()
			.collectList();
		return this.db.sql("""
				select id, channel, status, provider_message_id, created_at, updated_at from message
				where id = :id and tenant_id = :tenant""")
			.bind("id", id)
			.bind("tenant", tenantId)
			.map((row) -> new MessageView(row.get("id", String.class), row.get("channel", String.class),
					row.get("status", String.class), row.get("provider_message_id", String.class),
					instant(row, "created_at"), instant(row, "updated_at"), List.of(), null))
			.one()
			.flatMap((message) -> attempts.map((page) -> page.size() <= limit ? message.withAttempts(page, null)
					: message.withAttempts(page.subList(0, limit),
							StatusPage.of(Integer.toString(page.get(limit - 1).number()), null))));
	}

	private static MessageJob job(Readable row) {
		return new MessageJob(
				new Lease(row.get("id", String.class), row.get("lease_owner", String.class),
						row.get("lease_token", Long.class)),
				row.get("tenant_id", String.class), Channel.ofId(row.get("channel", String.class)).orElseThrow(),
				row.get("event", String.class), row.get("retries_used", Integer.class),
				row.get("traceparent", String.class), instant(row, "created_at"));
	}

	/** PostgreSQL text cannot hold NUL; a provider's reply might. */
	private static String clean(String value) {
		return value == null || value.indexOf(0) < 0 ? value : value.replace((char) 0, '\uFFFD');
	}

	private static OffsetDateTime utc(Instant instant) {
		return instant.atOffset(ZoneOffset.UTC);
	}

	private static Instant instant(Readable row, String column) {
		OffsetDateTime value = row.get(column, OffsetDateTime.class);
		return value == null ? null : value.toInstant();
	}

	/**
	 * One channel's messages as the engine's queue; every write is fenced on owner and token. The
	 * writes after an attempt (recording it, then retrying, dead-lettering or releasing) go through
	 * {@link WriteBatcher}s: each attempt asks for its own write and gets its own answer, while
	 * concurrent attempts share one statement per kind, so the statements per delivery fall as
	 * load grows instead of being one or two each. A message appears at most once per batch: the
	 * engine has one write in flight per delivery, the one of the attempt that holds its lease.
	 */
	private final class Queue implements DeliveryQueue<MessageJob> {

		private final Channel channel;

		private final WriteBatcher<Recording, Boolean> recordings = new WriteBatcher<>(WRITE_BATCH, this::recordAll);

		private final WriteBatcher<Settling, Boolean> settlings = new WriteBatcher<>(WRITE_BATCH, this::settleAll);

		Queue(Channel channel) {
			this.channel = channel;
		}

		@Override
		public Flux<MessageJob> claimDue(String owner, Collection<String> busy, Capacity capacity, int limit,
				Duration lease) {
			// One destination per channel: the limit already is what fits. Tenant caps are the
			// engine's to enforce when it starts the claimed messages (the rest go back). Index
			// message_due (V8): scheduled rows not yet due are never read.
			return MessageStore.this.db.sql("""
					with due as (select id from message
					    where channel = :channel and status in ('scheduled', 'queued', 'sending') and due_at <= now()
					      and (lease_until is null or lease_until < now()) and not (id = any(cast(:busy as text[])))
					    order by due_at limit :limit for update skip locked)
					update message m set status = 'sending', lease_owner = :owner, lease_token = m.lease_token + 1,
					       lease_until = now() + :leaseMs * interval '1 millisecond', updated_at = now()
					from due where m.id = due.id
					returning\s""" + JOB_COLUMNS)
				.bind("channel", this.channel.id())
				.bind("busy", busy.toArray(String[]::new))
				.bind("limit", limit)
				.bind("owner", owner)
				.bind("leaseMs", lease.toMillis())
				.map(MessageStore::job)
				.all();
		}

		@Override
		public Mono<Void> renew(Collection<Lease> leases, Duration lease) {
			if (leases.isEmpty()) {
				return Mono.empty();
			}
			Lease.Columns columns = Lease.Columns.of(leases);
			return MessageStore.this.db.sql("""
					update message m set lease_until = now() + :leaseMs * interval '1 millisecond'
					from unnest(cast(:ids as text[]), cast(:owners as text[]), cast(:tokens as bigint[])) as l(id, owner, token)
					where m.id = l.id and m.lease_owner = l.owner and m.lease_token = l.token""")
				.bind("ids", columns.ids())
				.bind("owners", columns.owners())
				.bind("tokens", columns.tokens())
				.bind("leaseMs", lease.toMillis())
				.then();
		}

		@Override
		public Mono<Boolean> record(MessageJob job, AttemptRecord attempt, Step step) {
			String error = (step == Step.DELIVERED) ? null : attempt.outcome().describe();
			return switch (step) {
				case DELIVERED -> this.recordings.submit(new Recording(job, attempt, "delivered", -1, error));
				case FAILED -> this.recordings.submit(new Recording(job, attempt, "failed", -1, error));
				case CONTINUE -> this.recordings.submit(new Recording(job, attempt, "sending", -1, error));
			};
		}

		/** The attempt and the retry stage (or dead letter) in one batched statement, not two. */
		@Override
		public Mono<Boolean> recordFailure(MessageJob job, AttemptRecord attempt, Duration retryIn, String reason) {
			return (retryIn != null)
					? this.recordings.submit(new Recording(job, attempt, "queued", retryIn.toMillis(),
							attempt.outcome().describe()))
					: this.recordings.submit(new Recording(job, attempt, "dead_lettered", -1, reason));
		}

		@Override
		public Mono<Boolean> retryLater(MessageJob job, Duration retryIn, String error) {
			return this.settlings.submit(new Settling(job, Settling.Kind.RETRY, retryIn.toMillis(), error));
		}

		@Override
		public Mono<Boolean> deadLetter(MessageJob job, String reason) {
			return this.settlings.submit(new Settling(job, Settling.Kind.DEAD_LETTER, 0, reason));
		}

		@Override
		public Mono<Boolean> release(MessageJob job, String note) {
			return this.settlings.submit(new Settling(job, Settling.Kind.RELEASE, 0, note));
		}

		/** Index message_dlt_owed (V7); picking a record pushes its {@code dlt_at} on, so others skip it for the grace. */
		@Override
		public Flux<OwedDeadLetter<MessageJob>> claimOwedDeadLetters(Duration grace, int limit) {
			return MessageStore.this.db.sql("""
					with owed as (select id from message
					    where channel = :channel and dlt_reason is not null
					      and dlt_at < now() - :graceMs * interval '1 millisecond'
					    order by dlt_at limit :limit for update skip locked)
					update message m set dlt_at = now() from owed where m.id = owed.id
					returning m.dlt_reason, m.status,\s""" + JOB_COLUMNS)
				.bind("channel", this.channel.id())
				.bind("graceMs", grace.toMillis())
				.bind("limit", limit)
				.map((row) -> new OwedDeadLetter<>(job(row), row.get("dlt_reason", String.class),
						"dead_lettered".equals(row.get("status", String.class))))
				.all();
		}

		@Override
		public Mono<Void> deadLetterPublished(MessageJob job) {
			return MessageStore.this.db
				.sql("update message set dlt_reason = null, dlt_at = null where id = :id and dlt_reason is not null")
				.bind("id", job.id())
				.then();
		}

		/**
		 * Each attempt's row is appended and its message moved on (delivered, failed, kept for another
	 * try, due again after a retry stage, or dead-lettered) in one statement, or neither
		 * happens for a row whose lease is no longer the one it names; the answer is, per item, whether
		 * its row matched. A delivered message's body is cleared here: nothing sends it again (retry
		 * refuses delivered messages); failed and dead-lettered ones keep it for a retry or replay
		 * until retention deletes them.
		 */
		private Mono<List<Boolean>> recordAll(List<Recording> batch) {
			int size = batch.size();
			Lease.Columns leases = Lease.Columns.of(batch.stream().map((item) -> item.job().lease()).toList());
			String[] statuses = new String[size];
			Long[] retryMs = new Long[size];
			String[] providerIds = new String[size];
			String[] errors = new String[size];
			String[] ats = new String[size];
			String[] outcomes = new String[size];
			String[] codes = new String[size];
			String[] details = new String[size];
			Long[] latencies = new Long[size];
			String[] recipients = new String[size];
			String[] providers = new String[size];
			String[] dltReasons = new String[size];
			for (int i = 0; i < size; i++) {
				Recording item = batch.get(i);
				Outcome outcome = item.attempt().outcome();
				statuses[i] = item.status();
				retryMs[i] = item.retryMs();
				providerIds[i] = clean(outcome instanceof Outcome.Delivered delivered ? delivered.providerMessageId() : null);
				errors[i] = clean(item.error());
				ats[i] = item.attempt().at().toString();
				outcomes[i] = outcome.outcomeName();
				codes[i] = clean(outcome.providerCode());
				details[i] = clean(outcome.detail());
				latencies[i] = item.attempt().latencyMs();
				recipients[i] = RecipientsJson.write(outcome.recipients());
				providers[i] = item.attempt().provider();
				dltReasons[i] = clean(deadLetterReason(item));
			}
			return MessageStore.this.db.sql("""
					with input as (select * from unnest(cast(:ids as text[]), cast(:owners as text[]),
					        cast(:tokens as bigint[]), cast(:statuses as text[]), cast(:retryMs as bigint[]),
					        cast(:providerIds as text[]), cast(:errors as text[]), cast(:ats as timestamptz[]),
					        cast(:outcomes as text[]), cast(:codes as text[]), cast(:details as text[]),
					        cast(:latencies as bigint[]), cast(:recipients as text[]), cast(:dltReasons as text[]),
					        cast(:providers as text[]))
					        with ordinality as i(id, owner, token, status, retry_ms, provider_id, error, at, outcome, code,
					             detail, latency_ms, recipients, dlt_reason, provider, ord)),
					moved as (update message m set attempt_count = m.attempt_count + 1, status = i.status,
					        retries_used = m.retries_used + case when i.retry_ms >= 0 then 1 else 0 end,
					        event = case when i.status = 'delivered' then '' else m.event end,
					        provider_message_id = coalesce(i.provider_id, m.provider_message_id), last_error = i.error,
					        lease_owner = case when i.status <> 'sending' then null else m.lease_owner end,
					        lease_until = case when i.status <> 'sending' then null else m.lease_until end,
					        due_at = case when i.retry_ms >= 0 then now() + i.retry_ms * interval '1 millisecond'
					                      when i.status <> 'sending' then null else m.due_at end, updated_at = now(),
					        dlt_reason = coalesce(i.dlt_reason, m.dlt_reason),
					        dlt_at = case when i.dlt_reason is not null then now() else m.dlt_at end
					    from input i where m.id = i.id and m.lease_owner = i.owner and m.lease_token = i.token
					    returning i.ord, m.id, m.attempt_count),
					logged as (insert into attempt (message_id, number, at, outcome, provider_code, detail, latency_ms,
					        recipients, provider)
					    select moved.id, moved.attempt_count, i.at, i.outcome, i.code, i.detail, i.latency_ms,
					           cast(i.recipients as jsonb), i.provider
					    from moved join input i on i.ord = moved.ord)
					select ord from moved""")
				.bind("ids", leases.ids())
				.bind("owners", leases.owners())
				.bind("tokens", leases.tokens())
				.bind("statuses", statuses)
				.bind("retryMs", retryMs)
				.bind("providerIds", providerIds)
				.bind("errors", errors)
				.bind("ats", ats)
				.bind("outcomes", outcomes)
				.bind("codes", codes)
				.bind("details", details)
				.bind("latencies", latencies)
				.bind("recipients", recipients)
				.bind("dltReasons", dltReasons)
				.bind("providers", providers)
				.map((row) -> row.get("ord", Long.class))
				.all()
				.collectList()
				.map((matched) -> WriteBatcher.matched(size, matched));
		}

		/** The DLT record a recording makes owed: a failed or dead-lettered message's; none for the rest. */
		private String deadLetterReason(Recording item) {
			return switch (item.status()) {
				case "failed" -> DeadLetterReasons.permanent(item.attempt().outcome());
				case "dead_lettered" -> (item.error() != null) ? item.error() : "unknown";
				default -> null;
			};
		}

		/**
		 * Retries, dead letters and releases of one batch in one statement, each row fenced on its
		 * own lease. A release keeps the message's due time and, without a note, its last error. A
		 * dead letter's DLT record is owed from this write (the reason is its error).
		 */
		private Mono<List<Boolean>> settleAll(List<Settling> batch) {
			int size = batch.size();
			Lease.Columns leases = Lease.Columns.of(batch.stream().map((item) -> item.job().lease()).toList());
			String[] kinds = new String[size];
			Long[] retryMs = new Long[size];
			String[] errors = new String[size];
			for (int i = 0; i < size; i++) {
				Settling item = batch.get(i);
				kinds[i] = item.kind().sql;
				retryMs[i] = item.retryMs();
				errors[i] = clean(item.error());
			}
			return MessageStore.this.db.sql("""
					update message m set
					       status = case when l.kind = 'dead_letter' then 'dead_lettered' else 'queued' end,
					       retries_used = m.retries_used + case when l.kind = 'retry' then 1 else 0 end,
					       due_at = case l.kind when 'retry' then now() + l.retry_ms * interval '1 millisecond'
					                            when 'dead_letter' then null else m.due_at end,
					       lease_owner = null, lease_until = null,
					       last_error = case when l.kind = 'release' then coalesce(l.error, m.last_error) else l.error end,
					       dlt_reason = case when l.kind = 'dead_letter' then coalesce(l.error, 'unknown') else m.dlt_reason end,
					       dlt_at = case when l.kind = 'dead_letter' then now() else m.dlt_at end,
					       updated_at = now()
					from unnest(cast(:ids as text[]), cast(:owners as text[]), cast(:tokens as bigint[]),
					        cast(:kinds as text[]), cast(:retryMs as bigint[]), cast(:errors as text[])) with ordinality
					        as l(id, owner, token, kind, retry_ms, error, ord)
					where m.id = l.id and m.lease_owner = l.owner and m.lease_token = l.token
					returning l.ord""")
				.bind("ids", leases.ids())
				.bind("owners", leases.owners())
				.bind("tokens", leases.tokens())
				.bind("kinds", kinds)
				.bind("retryMs", retryMs)
				.bind("errors", errors)
				.map((row) -> row.get("ord", Long.class))
				.all()
				.collectList()
				.map((matched) -> WriteBatcher.matched(size, matched));
		}

	}

	/**
	 * An attempt to append, with the state it moves its message to: {@code sending} keeps the lease
	 * for another in-process try; {@code queued} after {@code retryMs} (-1: none) spends a retry stage.
	 */
	private record Recording(MessageJob job, AttemptRecord attempt, String status, long retryMs, String error) {
	}

	/** A lease given up after an attempt: to retry later, dead-lettered, or released unspent. */
	private record Settling(MessageJob job, Kind kind, long retryMs, String error) {

		/** Spelled in the statement as {@code sql}. */
		enum Kind {

			RETRY("retry"), DEAD_LETTER("dead_letter"), RELEASE("release");

			final String sql;

			Kind(String sql) {
				this.sql = sql;
			}

		}

	}

}
