package com.cloudgreet.relay.webhook.delivery;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.function.IntPredicate;
import java.util.stream.Collectors;

import com.cloudgreet.relay.delivery.AttemptRecord;
import com.cloudgreet.relay.delivery.Capacity;
import com.cloudgreet.relay.delivery.DeadLetterReasons;
import com.cloudgreet.relay.delivery.DeliveryQueue;
import com.cloudgreet.relay.delivery.Lease;
import com.cloudgreet.relay.delivery.Outcome;
import com.cloudgreet.relay.delivery.batch.WriteBatcher;

import com.cloudgreet.relay.webhook.endpoint.Endpoint;
import com.cloudgreet.relay.webhook.endpoint.EndpointRepository;
import com.cloudgreet.relay.webhook.signing.SecretCipher;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.r2dbc.spi.Readable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.r2dbc.core.DatabaseClient;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import com.cloudgreet.relay.common.replay.BulkReplay;

/**
 * Deliveries as durable work items in PostgreSQL, and the delivery engine's queue over them
 * ({@link #queue()}). A delivery is claimed with a lease (owner, fencing token, expiry) under
 * {@code FOR UPDATE SKIP LOCKED}, so any number of instances share the work and a crashed
 * instance's deliveries are resumed by whoever polls after the lease lapses; every write after a
 * claim is fenced on owner and token.
 */
public class DeliveryStore {

	private static final String TASK_SELECT = "select c.id, c.tenant_id, c.event_id, c.endpoint_id, c.attempt_count, "
			+ "c.retries_used, c.lease_owner, c.lease_token, e.url, e.secret, e.rate_limit, " + EndpointRepository.previousSecrets("e.id") + " as previous_secrets, "
			+ "ev.event_type, ev.body, ev.traceparent, ev.created_at "
			+ "from claimed c join endpoint e on e.id = c.endpoint_id "
			+ "join event ev on ev.tenant_id = c.tenant_id and ev.id = c.event_id";

	/** A delivery whose DLT record is owed, as a job to publish it from, with that record's reason. */
	private static final String OWED_SELECT = "select c.dlt_reason, c.status, " + TASK_SELECT.substring("select ".length());

	private static final Logger log = LoggerFactory.getLogger(DeliveryStore.class);

	/** At most this many writes of one kind per statement (the rest wait for the next flush). */
	private static final int WRITE_BATCH = 500;

	private final DatabaseClient db;

	private final SecretCipher cipher;

	/** Bounded (an instance serves at most this many endpoints' secrets from memory) and short-lived. */
	private final Cache<StoredSecret, String> decrypted = Caffeine.newBuilder()
		.maximumSize(10_000)
		.expireAfterAccess(Duration.ofMinutes(10))
		.build();

	public DeliveryStore(DatabaseClient db, SecretCipher cipher) {
		this.db = db;
		this.cipher = cipher;
	}

	/** A new event to store and fan out; {@code sendAt}, if not null, schedules its deliveries. */
	public record NewEvent(String tenantId, String eventId, String eventType, byte[] body, byte[] cloudEvent,
			Instant createdAt, String traceparent, Instant sendAt) {

		public NewEvent(String tenantId, String eventId, String eventType, byte[] body, byte[] cloudEvent,
				Instant createdAt, String traceparent) {
			this(tenantId, eventId, eventType, body, cloudEvent, createdAt, traceparent, null);
		}

	}

	/** A delivery of {@code event} to {@code endpoint}, to store with it. */
	public record NewDelivery(String id, NewEvent event, Endpoint endpoint) {
	}

	/**
	 * Stores the events and their deliveries in one statement (so atomically, in one round trip).
	 * The deliveries of an event scheduled ahead are stored {@code scheduled}, due at its
	 * {@code sendAt} ({@code claim} must not accept them). The deliveries whose index {@code claim} accepts (a slot is free for them here) are claimed
	 * by {@code owner} and returned to be sent at once; the others are left to the poller. An event
	 * stored before (a redelivered record) is skipped with its deliveries: they exist already, so
	 * nothing is duplicated. {@code events} must be distinct per (tenant, event id).
	 */
	public Flux<WebhookJob> ingest(List<NewEvent> events, List<NewDelivery> deliveries, IntPredicate claim,
			String owner, Duration lease) {
		int size = deliveries.size();
		Boolean[] claimed = new Boolean[size];
		for (int i = 0; i < size; i++) {
			claimed[i] = claim.test(i);
		}
		// Bodies travel base64 in text arrays (decoded in the statement): a bytea array is not a
		// parameter type the driver binds.
		Base64.Encoder base64 = Base64.getEncoder();
		return this.db.sql("""
				with ev as (insert into event (tenant_id, id, event_type, body, cloud_event, created_at, traceparent)
				        select e.tenant_id, e.id, e.event_type, decode(e.body, 'base64'), decode(e.cloud_event, 'base64'),
				               e.created_at, e.traceparent
				        from unnest(cast(:tenants as text[]), cast(:events as text[]), cast(:types as text[]),
				                cast(:bodies as text[]), cast(:cloudEvents as text[]), cast(:createdAts as timestamptz[]),
				                cast(:traceparents as text[]))
				                as e(tenant_id, id, event_type, body, cloud_event, created_at, traceparent)
				        on conflict do nothing returning tenant_id, id),
				dl as (insert into delivery (id, tenant_id, event_id, endpoint_id, status, next_attempt_at,
				        lease_owner, lease_token, lease_until, created_at, updated_at)
				        select d.id, d.tenant_id, d.event_id, d.endpoint_id,
				               case when not d.claimed and d.send_at > now() then 'scheduled' else 'pending' end,
				               greatest(coalesce(d.send_at, now()), now()),
				               case when d.claimed then :owner end, case when d.claimed then 1 else 0 end,
				               case when d.claimed then now() + :leaseMs * interval '1 millisecond' end, now(), now()
				        from unnest(cast(:ids as text[]), cast(:deliveryTenants as text[]), cast(:deliveryEvents as text[]),
				                cast(:endpoints as text[]), cast(:claimed as boolean[]), cast(:sendAts as timestamptz[]))
				                as d(id, tenant_id, event_id, endpoint_id, claimed, send_at)
				        join ev on ev.tenant_id = d.tenant_id and ev.id = d.event_id
				        returning id, lease_owner)
				select id from dl where lease_owner is not null""")
			.bind("tenants", events.stream().map(NewEvent::tenantId).toArray(String[]::new))
			.bind("events", events.stream().map(NewEvent::eventId).toArray(String[]::new))
			.bind("types", events.stream().map(NewEvent::eventType).toArray(String[]::new))
			.bind("bodies", events.stream().map((e) -> base64.encodeToString(e.body())).toArray(String[]::new))
			.bind("cloudEvents", events.stream().map((e) -> base64.encodeToString(e.cloudEvent())).toArray(String[]::new))
			.bind("createdAts", events.stream().map((e) -> e.createdAt().toString()).toArray(String[]::new))
			.bind("traceparents", events.stream().map(NewEvent::traceparent).toArray(String[]::new))
			.bind("ids", deliveries.stream().map(NewDelivery::id).toArray(String[]::new))
			.bind("deliveryTenants", deliveries.stream().map((d) -> d.event().tenantId()).toArray(String[]::new))
			.bind("deliveryEvents", deliveries.stream().map((d) -> d.event().eventId()).toArray(String[]::new))
			.bind("endpoints", deliveries.stream().map((d) -> d.endpoint().id()).toArray(String[]::new))
			.bind("claimed", claimed)
			.bind("sendAts", deliveries.stream()
				.map((d) -> d.event().sendAt() == null ? null : d.event().sendAt().toString())
				.toArray(String[]::new))
			.bind("owner", owner)
			.bind("leaseMs", lease.toMillis())
			.map((row) -> row.get("id", String.class))
			.all()
			.collect(Collectors.toSet())
			.flatMapIterable((started) -> deliveries.stream()
				.filter((d) -> started.contains(d.id()))
				.map((d) -> claimedJob(d, owner))
				.toList());
	}

	/** A delivery this instance claimed as it stored it: first attempt, lease token 1. */
	private WebhookJob claimedJob(NewDelivery delivery, String owner) {
		NewEvent event = delivery.event();
		Endpoint e = delivery.endpoint();
		return new WebhookJob(new Lease(delivery.id(), owner, 1), event.tenantId(), event.eventId(), e.id(), e.url(),
				signingSecrets(e.id(), e.secret(), e.previousSecrets()), event.eventType(), event.body(), 0, 0,
				event.traceparent(), event.createdAt(), e.rateLimit());
	}

	/**
	 * Deletes at most {@code limit} events whose deliveries all settled (none pending) and none
	 * changed since {@code cutoff}, created before it; their deliveries and attempts go with them
	 * (on delete cascade). Index event_created_idx (V4); rows locked with SKIP LOCKED, and the
	 * conditions are checked again on the locked row, so an event replayed meanwhile stays, and so
	 * does one with a delivery whose DLT record is still owed.
	 */
	public Mono<Long> deleteSettledBefore(Instant cutoff, int limit) {
		String settled = "e.created_at < :cutoff and not exists (select 1 from delivery d where d.tenant_id = e.tenant_id "
				+ "and d.event_id = e.id and (d.status in ('pending', 'scheduled') or d.updated_at >= :cutoff "
				+ "or d.dlt_reason is not null)) ";
		return this.db
			.sql("delete from event e where (e.tenant_id, e.id) in (select e.tenant_id, e.id from event e where " + settled
					+ "limit :limit for update skip locked) and " + settled)
			.bind("cutoff", utc(cutoff))
			.bind("limit", limit)
			.fetch()
			.rowsUpdated();
	}

	/** The failure streak after one more failure: (consecutive failures, failing since, still enabled). */
	public record Streak(int failures, Instant failingSince, boolean enabled) {
	}

	public Mono<Streak> endpointFailed(String endpointId, Instant at) {
		return this.db
			.sql("update endpoint set consecutive_failures = consecutive_failures + 1, "
					+ "failing_since = coalesce(failing_since, :at) where id = :id "
					+ "returning consecutive_failures, failing_since, enabled")
			.bind("id", endpointId)
			.bind("at", utc(at))
			.map((row) -> new Streak(row.get("consecutive_failures", Integer.class), instant(row, "failing_since"),
					Boolean.TRUE.equals(row.get("enabled", Boolean.class))))
			.one();
	}

	/** Disables an enabled endpoint; true only for the call that actually switched it off (alert once). */
	public Mono<Boolean> disableEndpoint(String endpointId, String reason) {
		return this.db
			.sql("update endpoint set enabled = false, disabled_reason = :reason, disabled_at = now(), "
					+ "updated_at = now() where id = :id and enabled")
			.bind("id", endpointId)
			.bind("reason", reason)
			.fetch()
			.rowsUpdated()
			.map((rows) -> rows > 0);
	}

	/** The original CloudEvent of a delivery's event, for the dead-letter topic. */
	public Mono<byte[]> cloudEvent(String tenantId, String eventId) {
		return this.db.sql("select cloud_event from event where tenant_id = :tenant and id = :id")
			.bind("tenant", tenantId)
			.bind("id", eventId)
			.map((row) -> row.get("cloud_event", byte[].class))
			.one();
	}

	/** What a cancel of an event came to: deliveries it canceled, and the API statuses of all of them after it. */
	public record Canceled(long canceled, List<String> statuses) {
	}

	/**
	 * Cancels the event's deliveries that nobody has claimed and no attempt has touched (scheduled,
	 * or pending for their first attempt) in one conditional update: a claim racing with it either
	 * wins (that delivery goes out) or finds it canceled; a canceled row holds no lease, so no fenced
	 * engine write moves it again. Empty if the tenant has no such event.
	 */
	public Mono<Canceled> cancelEvent(String tenantId, String eventId) {
		return this.db.sql("""
				with canceled as (update delivery set status = 'canceled', updated_at = now()
				    where tenant_id = :tenant and event_id = :event and status in ('scheduled', 'pending')
				      and attempt_count = 0 and lease_owner is null
				    returning id)
				select (select count(*) from canceled) as canceled,
				       array(select case when d.id in (select id from canceled) then 'canceled'
				                         when d.status <> 'pending' then d.status
				                         when d.attempt_count = 0 then 'queued' else 'sending' end
				             from delivery d where d.tenant_id = :tenant and d.event_id = :event) as statuses
				from event where tenant_id = :tenant and id = :event""")
			.bind("tenant", tenantId)
			.bind("event", eventId)
			.map((row) -> new Canceled(row.get("canceled", Long.class), List.of(row.get("statuses", String[].class))))
			.one();
	}

	/** Puts failed and dead-lettered deliveries of an event back on a fresh schedule; the count replayed. */
	public Mono<Long> replayEvent(String tenantId, String eventId) {
		return this.db.sql(REPLAY + "where tenant_id = :tenant and event_id = :event and status in ('failed', 'dead_lettered')")
			.bind("tenant", tenantId)
			.bind("event", eventId)
			.fetch()
			.rowsUpdated();
	}

	/** Replays an endpoint's failed and dead-lettered deliveries created at or after {@code since}. */
	public Mono<Long> replayEndpoint(String tenantId, String endpointId, Instant since) {
		return this.db
			.sql(REPLAY + "where tenant_id = :tenant and endpoint_id = :endpoint and created_at >= :since "
					+ "and status in ('failed', 'dead_lettered')")
			.bind("tenant", tenantId)
			.bind("endpoint", endpointId)
			.bind("since", utc(since))
			.fetch()
			.rowsUpdated();
	}

	/**
	 * An operator's bulk replay: at most {@code limit} failed or dead-lettered deliveries created in
	 * the window (oldest first), optionally of one tenant or endpoint, go out again with their
	 * original webhook-id; the rest are counted for the next call. Index delivery_replayable_idx (V5),
	 * or delivery_endpoint_idx for one endpoint.
	 */
	public Mono<BulkReplay.Result> replay(BulkReplay request, int limit) {
		String where = "status = any(cast(:statuses as text[])) and created_at >= :from and created_at < :to"
				+ (request.tenantId() != null ? " and tenant_id = :tenant" : "")
				+ (request.endpointId() != null ? " and endpoint_id = :endpoint" : "");
		var spec = this.db.sql("with picked as (select id from delivery where " + where
				+ " order by created_at limit :limit for update skip locked), "
				+ "moved as (" + REPLAY + "from picked where delivery.id = picked.id returning delivery.id) "
				+ "select (select count(*) from moved) as replayed, "
				+ "(select count(*) from delivery where " + where + ") - (select count(*) from moved) as remaining")
			.bind("statuses", request.statuses().toArray(String[]::new))
			.bind("from", utc(request.from()))
			.bind("to", utc(request.to()))
			.bind("limit", limit);
		if (request.tenantId() != null) {
			spec = spec.bind("tenant", request.tenantId());
		}
		if (request.endpointId() != null) {
			spec = spec.bind("endpoint", request.endpointId());
		}
		return spec.map((row) -> new BulkReplay.Result(row.get("replayed", Long.class),
				Math.max(0, row.get("remaining", Long.class)))).one();
	}

	private static final String REPLAY = "update delivery set status = 'pending', retries_used = 0, "
			// A replay settles a DLT record still owed: the delivery gets a new outcome (and record) of its own.
			+ "dlt_reason = null, dlt_at = null, "
			+ "next_attempt_at = now(), lease_owner = null, lease_until = null, updated_at = now() ";

	private WebhookJob job(Readable row) {
		String id = row.get("id", String.class);
		String endpointId = row.get("endpoint_id", String.class);
		String[] previous = row.get("previous_secrets", String[].class);
		return new WebhookJob(new Lease(id, row.get("lease_owner", String.class), row.get("lease_token", Long.class)),
				row.get("tenant_id", String.class), row.get("event_id", String.class), endpointId,
				row.get("url", String.class),
				signingSecrets(endpointId, row.get("secret", String.class),
						previous == null ? List.of() : List.of(previous)),
				row.get("event_type", String.class), row.get("body", byte[].class),
				row.get("attempt_count", Integer.class), row.get("retries_used", Integer.class),
				row.get("traceparent", String.class), row.get("created_at", OffsetDateTime.class).toInstant(),
				row.get("rate_limit", Double.class));
	}

	/**
	 * The decrypted secrets an attempt signs with, current first. One endpoint whose secret cannot
	 * be decrypted (its key was removed from the configuration too early) must not fail the whole
	 * claimed batch: its attempts get no secrets and fail retryably until the key is back.
	 */
	private List<String> signingSecrets(String endpointId, String secret, List<String> previous) {
		try {
			List<String> secrets = new java.util.ArrayList<>(1 + previous.size());
			secrets.add(decrypt(secret, endpointId));
			previous.forEach((stored) -> secrets.add(decrypt(stored, endpointId)));
			return secrets;
		}
		catch (SecretCipher.UndecryptableSecretException ex) {
			log.error(ex.getMessage());
			return List.of();
		}
	}

	/**
	 * Every delivery to an endpoint signs with the same few secrets, and AES-GCM with a new
	 * {@link javax.crypto.Cipher} per value was a measurable share of a delivery's CPU, so each
	 * (endpoint, stored value) is decrypted once and kept a while. A rotated or re-encrypted secret
	 * is a new stored value, so it is never answered from an older entry; a value that fails to
	 * decrypt is not kept, and fails again next time.
	 */
	private String decrypt(String stored, String endpointId) {
		return this.decrypted.get(new StoredSecret(endpointId, stored),
				(key) -> this.cipher.decrypt(key.stored(), key.endpointId()));
	}

	private record StoredSecret(String endpointId, String stored) {
	}

	/** The engine's view of the deliveries. */
	public DeliveryQueue<WebhookJob> queue() {
		return this.queue;
	}

	private final DeliveryQueue<WebhookJob> queue = new Queue();

	/** The deliveries as the engine's queue; every write after a claim is fenced on owner and token. */
	private final class Queue implements DeliveryQueue<WebhookJob> {

		/**
		 * The writes after an attempt go through {@link WriteBatcher}s: each attempt asks for its own
		 * write and gets its own answer, while concurrent attempts share one statement per kind. A
		 * delivery appears at most once per batch: the engine has one write in flight per delivery.
		 */
		private final WriteBatcher<Attempt, Boolean> attempts = new WriteBatcher<>(WRITE_BATCH, this::attemptAll);

		private final WriteBatcher<Settling, Boolean> settlings = new WriteBatcher<>(WRITE_BATCH, this::settleAll);

		/**
		 * Claims up to {@code limit} due deliveries of enabled endpoints, at most as many per endpoint
		 * and per tenant as the {@code capacity} has free slots for. Endpoints and tenants without a
		 * free slot are left out of the scan altogether.
		 */
		@Override
		public Flux<WebhookJob> claimDue(String owner, Collection<String> busy, Capacity capacity, int limit,
				Duration lease) {
			String[] partialEndpoints = capacity.partialDestinations();
			String[] partialTenants = capacity.partialTenants();
			// MATERIALIZED: each step runs once. Inlined, the planner may re-run the window queries per
			// candidate row under a generic (prepared) plan, which turns a 100 ms claim into seconds.
			return DeliveryStore.this.db.sql("with candidates as materialized (select d.id, d.tenant_id, d.endpoint_id, "
					+ "d.next_attempt_at, row_number() over (partition by d.endpoint_id order by d.next_attempt_at) as rn "
					+ "from (select d.id, d.tenant_id, d.endpoint_id, d.next_attempt_at from delivery d "
					+ "join endpoint e on e.id = d.endpoint_id "
					+ "where d.status in ('pending', 'scheduled') and d.next_attempt_at <= now() "
					// Never this engine's own attempts in flight, whose leases may have lapsed during a
					// database outage; only a lapsed lease is checked against them (OR stops at the
					// first true), so the usual unleased row costs no scan of the array.
					+ "and (d.lease_until is null or (d.lease_until < now() "
					+ "and not (d.id = any(cast(:running as text[]))))) and e.enabled "
					+ "and not (d.endpoint_id = any(cast(:busy as text[]))) "
					+ "and not (d.tenant_id = any(cast(:busyTenants as text[]))) "
					+ "order by d.next_attempt_at limit :scan) d), "
					+ "endpoint_capped as materialized (select c.id, c.tenant_id, "
					+ "row_number() over (partition by c.tenant_id order by c.next_attempt_at) as tn from candidates c "
					+ "left join unnest(cast(:partial as text[]), cast(:partialFree as int[])) as f(endpoint_id, free) "
					+ "on f.endpoint_id = c.endpoint_id where c.rn <= coalesce(f.free, :perEndpoint)), "
					+ "capped as materialized (select c.id from endpoint_capped c left join "
					+ "unnest(cast(:partialTenants as text[]), cast(:partialTenantFree as int[])) as t(tenant_id, free) "
					+ "on t.tenant_id = c.tenant_id where c.tn <= coalesce(t.free, :perTenant)), "
					// The candidates were read without locks: lock now, skipping rows another instance
					// holds, and re-check that each is still unclaimed.
					+ "due as (select d.id from delivery d where d.id in (select id from capped) "
					+ "and d.status in ('pending', 'scheduled') and (d.lease_until is null or d.lease_until < now()) "
					+ "order by d.next_attempt_at limit :limit for update skip locked), "
					// A scheduled delivery, once due and claimed, is pending like any other.
					+ "claimed as (update delivery d set status = 'pending', lease_owner = :owner, "
					+ "lease_token = d.lease_token + 1, "
					+ "lease_until = now() + :leaseMs * interval '1 millisecond' from due where d.id = due.id "
					+ "returning d.*) " + TASK_SELECT)
				.bind("busy", capacity.fullDestinations())
				.bind("busyTenants", capacity.fullTenants())
				.bind("running", busy.toArray(String[]::new))
				.bind("scan", Math.max(limit * 4, 100))
				.bind("partial", partialEndpoints)
				.bind("partialFree", Capacity.free(capacity.destinationFree(), partialEndpoints))
				.bind("perEndpoint", capacity.perDestination())
				.bind("partialTenants", partialTenants)
				.bind("partialTenantFree", Capacity.free(capacity.tenantFree(), partialTenants))
				.bind("perTenant", capacity.perTenant())
				.bind("limit", limit)
				.bind("owner", owner)
				.bind("leaseMs", lease.toMillis())
				.map(DeliveryStore.this::job)
				.all();
		}

		@Override
		public Mono<Void> renew(Collection<Lease> leases, Duration lease) {
			if (leases.isEmpty()) {
				return Mono.empty();
			}
			Lease.Columns columns = Lease.Columns.of(leases);
			return DeliveryStore.this.db
				.sql("update delivery d set lease_until = now() + :leaseMs * interval '1 millisecond' "
						+ "from unnest(cast(:ids as text[]), cast(:owners as text[]), cast(:tokens as bigint[])) "
						+ "as l(id, owner, token) where d.id = l.id and d.lease_owner = l.owner and d.lease_token = l.token")
				.bind("ids", columns.ids())
				.bind("owners", columns.owners())
				.bind("tokens", columns.tokens())
				.bind("leaseMs", lease.toMillis())
				.then();
		}

		@Override
		public Mono<Boolean> record(WebhookJob job, AttemptRecord attempt, Step step) {
			return switch (step) {
				case DELIVERED -> this.attempts.submit(new Attempt(job, attempt, "delivered", 0, -1, true, null));
				case FAILED -> this.attempts.submit(new Attempt(job, attempt, "failed", 0, -1, true,
						DeadLetterReasons.permanent(attempt.outcome())));
				case CONTINUE -> this.attempts.submit(new Attempt(job, attempt, "pending", 0, -1, false, null));
			};
		}

		/** The attempt and the delivery's next state in one statement (no second round trip per failure). */
		@Override
		public Mono<Boolean> recordFailure(WebhookJob job, AttemptRecord attempt, Duration retryIn, String reason) {
			return (retryIn != null)
					? this.attempts.submit(new Attempt(job, attempt, "pending", 1, retryIn.toMillis(), true, null))
					: this.attempts.submit(new Attempt(job, attempt, "dead_lettered", 0, -1, true, owed(reason)));
		}

		@Override
		public Mono<Boolean> retryLater(WebhookJob job, Duration retryIn, String error) {
			return this.settlings.submit(new Settling(job, Settling.Kind.RETRY, retryIn.toMillis(), null));
		}

		@Override
		public Mono<Boolean> deadLetter(WebhookJob job, String reason) {
			return this.settlings.submit(new Settling(job, Settling.Kind.DEAD_LETTER, 0, owed(reason)));
		}

		@Override
		public Mono<Boolean> release(WebhookJob job, String note) {
			return this.settlings.submit(new Settling(job, Settling.Kind.RELEASE, 0, null));
		}

		/** A dead letter's DLT record is owed whatever its reason: a missing one must not leave none owed. */
		private String owed(String reason) {
			return (reason != null) ? reason : "unknown";
		}

		/** Index delivery_dlt_owed (V7); picking a record pushes its {@code dlt_at} on, so others skip it for the grace. */
		@Override
		public Flux<OwedDeadLetter<WebhookJob>> claimOwedDeadLetters(Duration grace, int limit) {
			return DeliveryStore.this.db.sql("with owed as (select id from delivery where dlt_reason is not null "
					+ "and dlt_at < now() - :graceMs * interval '1 millisecond' "
					+ "order by dlt_at limit :limit for update skip locked), "
					+ "claimed as (update delivery d set dlt_at = now() from owed where d.id = owed.id returning d.*) "
					+ OWED_SELECT)
				.bind("graceMs", grace.toMillis())
				.bind("limit", limit)
				.map((row) -> new OwedDeadLetter<>(DeliveryStore.this.job(row), row.get("dlt_reason", String.class),
						"dead_lettered".equals(row.get("status", String.class))))
				.all();
		}

		@Override
		public Mono<Void> deadLetterPublished(WebhookJob job) {
			return DeliveryStore.this.db
				.sql("update delivery set dlt_reason = null, dlt_at = null where id = :id and dlt_reason is not null")
				.bind("id", job.id())
				.then();
		}

		/**
		 * Retries, dead letters and releases of one batch in one statement, each row fenced on its
		 * own lease; the answer is, per item, whether its row matched.
		 */
		private Mono<List<Boolean>> settleAll(List<Settling> batch) {
			int size = batch.size();
			Lease.Columns leases = Lease.Columns.of(batch.stream().map((item) -> item.job().lease()).toList());
			String[] kinds = new String[size];
			Long[] retryMs = new Long[size];
			String[] dltReasons = new String[size];
			for (int i = 0; i < size; i++) {
				Settling item = batch.get(i);
				kinds[i] = item.kind().sql;
				retryMs[i] = item.retryMs();
				dltReasons[i] = clean(item.dltReason());
			}
			return DeliveryStore.this.db.sql("""
					update delivery d set
					       status = case l.kind when 'dead_letter' then 'dead_lettered' when 'retry' then 'pending' else d.status end,
					       retries_used = d.retries_used + case when l.kind = 'retry' then 1 else 0 end,
					       next_attempt_at = case when l.kind = 'retry' then now() + l.retry_ms * interval '1 millisecond'
					                              else d.next_attempt_at end,
					       lease_owner = null, lease_until = null,
					       updated_at = case when l.kind = 'release' then d.updated_at else now() end,
					       dlt_reason = coalesce(l.dlt_reason, d.dlt_reason),
					       dlt_at = case when l.dlt_reason is not null then now() else d.dlt_at end
					from unnest(cast(:ids as text[]), cast(:owners as text[]), cast(:tokens as bigint[]),
					        cast(:kinds as text[]), cast(:retryMs as bigint[]), cast(:dltReasons as text[])) with ordinality
					        as l(id, owner, token, kind, retry_ms, dlt_reason, ord)
					where d.id = l.id and d.lease_owner = l.owner and d.lease_token = l.token
					returning l.ord""")
				.bind("ids", leases.ids())
				.bind("owners", leases.owners())
				.bind("tokens", leases.tokens())
				.bind("kinds", kinds)
				.bind("retryMs", retryMs)
				.bind("dltReasons", dltReasons)
				.map((row) -> row.get("ord", Long.class))
				.all()
				.collectList()
				.map((matched) -> WriteBatcher.matched(size, matched));
		}

		/**
		 * Logs each attempt and moves its delivery on, in one statement for the whole batch (atomic
		 * without a transaction, one round trip), fenced per row: a delivery whose lease is no longer
		 * the one its item names gets neither, and that item's answer is false; the new owner decides
		 * its state.
		 *
		 * <p>Any delivered attempt ends its endpoint's failure streak (the auto-disable rule counts
		 * streaks). An event all of whose deliveries are now delivered is never sent again, so its
		 * body is cleared; while another delivery is not delivered (pending, or failed and awaiting a
		 * replay) the body stays. Two last deliveries settling at once in different statements may
		 * each see the other pending and leave it; retention deletes it with the event.
		 */
		private Mono<List<Boolean>> attemptAll(List<Attempt> batch) {
			int size = batch.size();
			Lease.Columns leases = Lease.Columns.of(batch.stream().map((item) -> item.job().lease()).toList());
			String[] tenants = new String[size];
			String[] events = new String[size];
			String[] endpoints = new String[size];
			String[] statuses = new String[size];
			Integer[] retryIncrements = new Integer[size];
			Long[] retryMs = new Long[size];
			Boolean[] settles = new Boolean[size];
			String[] ats = new String[size];
			String[] outcomes = new String[size];
			String[] codes = new String[size];
			Long[] latencies = new Long[size];
			String[] excerpts = new String[size];
			String[] errors = new String[size];
			String[] dltReasons = new String[size];
			for (int i = 0; i < size; i++) {
				Attempt item = batch.get(i);
				WebhookJob job = item.job();
				Outcome outcome = item.attempt().outcome();
				tenants[i] = job.tenantId();
				events[i] = job.eventId();
				endpoints[i] = job.endpointId();
				statuses[i] = item.status();
				retryIncrements[i] = item.retryIncrement();
				retryMs[i] = item.retryMs();
				settles[i] = item.settles();
				ats[i] = item.attempt().at().toString();
				outcomes[i] = outcome.outcomeName();
				codes[i] = statusCode(outcome.providerCode());
				latencies[i] = item.attempt().latencyMs();
				excerpts[i] = clean(outcome.response());
				errors[i] = "delivered".equals(item.status()) ? null : clean(outcome.detail());
				dltReasons[i] = clean(item.dltReason());
			}
			return DeliveryStore.this.db.sql("""
					with input as (select * from unnest(cast(:ids as text[]), cast(:owners as text[]),
					        cast(:tokens as bigint[]), cast(:tenants as text[]), cast(:events as text[]),
					        cast(:endpoints as text[]), cast(:statuses as text[]), cast(:retryIncrements as int[]),
					        cast(:retryMs as bigint[]), cast(:settles as boolean[]), cast(:ats as timestamptz[]),
					        cast(:outcomes as text[]), cast(:codes as int[]), cast(:latencies as bigint[]),
					        cast(:excerpts as text[]), cast(:errors as text[]), cast(:dltReasons as text[])) with ordinality
					        as i(id, owner, token, tenant_id, event_id, endpoint_id, status, retry_increment, retry_ms,
					             settles, at, outcome, status_code, latency_ms, excerpt, error, dlt_reason, ord)),
					moved as (update delivery d set status = i.status, attempt_count = d.attempt_count + 1,
					        retries_used = d.retries_used + i.retry_increment,
					        next_attempt_at = case when i.retry_ms >= 0 then now() + i.retry_ms * interval '1 millisecond'
					                               else d.next_attempt_at end,
					        lease_owner = case when i.settles then null else d.lease_owner end,
					        lease_until = case when i.settles then null else d.lease_until end, updated_at = now(),
					        dlt_reason = coalesce(i.dlt_reason, d.dlt_reason),
					        dlt_at = case when i.dlt_reason is not null then now() else d.dlt_at end
					    from input i where d.id = i.id and d.lease_owner = i.owner and d.lease_token = i.token
					    returning i.ord, d.attempt_count),
					logged as (insert into attempt (delivery_id, tenant_id, event_id, endpoint_id, number, at, outcome,
					        status_code, latency_ms, response_excerpt, error)
					    select i.id, i.tenant_id, i.event_id, i.endpoint_id, moved.attempt_count, i.at, i.outcome,
					           i.status_code, i.latency_ms, i.excerpt, i.error
					    from moved join input i on i.ord = moved.ord),
					delivered as (select i.id, i.tenant_id, i.event_id, i.endpoint_id from moved join input i on i.ord = moved.ord
					    where i.status = 'delivered'),
					healthy as (update endpoint e set consecutive_failures = 0, failing_since = null
					    where e.id in (select endpoint_id from delivered) and e.consecutive_failures > 0),
					cleared as (update event ev set body = '', cloud_event = ''
					    from (select distinct tenant_id, event_id from delivered) x
					    where ev.tenant_id = x.tenant_id and ev.id = x.event_id
					      and not exists (select 1 from delivery o where o.tenant_id = x.tenant_id and o.event_id = x.event_id
					        and o.status <> 'delivered' and o.id not in (select id from delivered)))
					select ord from moved""")
				.bind("ids", leases.ids())
				.bind("owners", leases.owners())
				.bind("tokens", leases.tokens())
				.bind("tenants", tenants)
				.bind("events", events)
				.bind("endpoints", endpoints)
				.bind("statuses", statuses)
				.bind("retryIncrements", retryIncrements)
				.bind("retryMs", retryMs)
				.bind("settles", settles)
				.bind("ats", ats)
				.bind("outcomes", outcomes)
				.bind("codes", codes)
				.bind("latencies", latencies)
				.bind("excerpts", excerpts)
				.bind("errors", errors)
				.bind("dltReasons", dltReasons)
				.map((row) -> row.get("ord", Long.class))
				.all()
				.collectList()
				.map((matched) -> WriteBatcher.matched(size, matched));
		}

	}

	/**
	 * An attempt to append, with the state it moves its delivery to ({@code retryMs} -1: due time
	 * kept) and, for a failed or dead-lettered one, the reason of the DLT record it makes owed.
	 */
	private record Attempt(WebhookJob job, AttemptRecord attempt, String status, int retryIncrement, long retryMs,
			boolean settles, String dltReason) {
	}

	/**
	 * A lease given up without an attempt to log: to retry later, dead-lettered (its DLT record owed
	 * with {@code dltReason}), or released unspent.
	 */
	private record Settling(WebhookJob job, Kind kind, long retryMs, String dltReason) {

		/** Spelled in the statement as {@code sql}. */
		enum Kind {

			RETRY("retry"), DEAD_LETTER("dead_letter"), RELEASE("release");

			final String sql;

			Kind(String sql) {
				this.sql = sql;
			}

		}

	}

	/** The HTTP status an outcome carries as its provider code (as text, cast in the statement); none when no answer arrived. */
	private static String statusCode(String providerCode) {
		if (providerCode == null) {
			return null;
		}
		try {
			return Integer.toString(Integer.parseInt(providerCode));
		}
		catch (NumberFormatException ex) {
			return null;
		}
	}

	/** PostgreSQL text cannot hold NUL, which a receiver's binary answer may contain. */
	private static String clean(String value) {
		return value == null || value.indexOf(0) < 0 ? value : value.replace((char) 0, '\uFFFD');
	}

	static OffsetDateTime utc(Instant instant) {
		return instant.atOffset(ZoneOffset.UTC);
	}

	static Instant instant(Readable row, String column) {
		OffsetDateTime value = row.get(column, OffsetDateTime.class);
		return value == null ? null : value.toInstant();
	}

}
