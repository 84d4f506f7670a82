package com.cloudgreet.relay.webhook.delivery;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.List;
import java.util.function.Predicate;
import java.util.function.Supplier;

import com.cloudgreet.relay.delivery.AttemptRecord;
import com.cloudgreet.relay.delivery.Capacity;
import com.cloudgreet.relay.delivery.DeliveryQueue;
import com.cloudgreet.relay.delivery.Lease;
import com.cloudgreet.relay.delivery.Outcome;

import com.cloudgreet.relay.webhook.endpoint.Endpoint;
import com.cloudgreet.relay.webhook.endpoint.EndpointRepository;
import com.cloudgreet.relay.webhook.signing.SecretCipher;
import io.r2dbc.spi.Parameters;
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

	private static final Logger log = LoggerFactory.getLogger(DeliveryStore.class);

	private final DatabaseClient db;

	private final SecretCipher cipher;

	public DeliveryStore(DatabaseClient db, SecretCipher cipher) {
		this.db = db;
		this.cipher = cipher;
	}

	/** A new event to store and fan out. */
	public record NewEvent(String tenantId, String eventId, String eventType, byte[] body, byte[] cloudEvent,
			Instant createdAt, String traceparent) {
	}

	/**
	 * Stores the event and one delivery per endpoint in one statement (so atomically, in one round
	 * trip). Deliveries to the endpoints in {@code claim} (a slot is free for them here) are
	 * claimed by {@code owner} and returned to be sent at once; the others are left to the poller.
	 * Empty if the event was stored before (a redelivered record): its deliveries exist already,
	 * so nothing is duplicated.
	 */
	public Flux<WebhookJob> ingest(NewEvent event, List<Endpoint> endpoints, Predicate<Integer> claim,
			Supplier<String> ids, String owner, Duration lease) {
		String[] deliveryIds = endpoints.stream().map((e) -> ids.get()).toArray(String[]::new);
		String[] endpointIds = endpoints.stream().map(Endpoint::id).toArray(String[]::new);
		Boolean[] claimed = new Boolean[endpoints.size()];
		for (int i = 0; i < claimed.length; i++) {
			claimed[i] = claim.test(i);
		}
		return this.db
			.sql("with ev as (insert into event (tenant_id, id, event_type, body, cloud_event, created_at, traceparent) "
					+ "values (:tenant, :event, :type, :body, :cloudEvent, :createdAt, :traceparent) on conflict do nothing returning id), "
					+ "dl as (insert into delivery (id, tenant_id, event_id, endpoint_id, status, next_attempt_at, "
					+ "lease_owner, lease_token, lease_until, created_at, updated_at) "
					+ "select d.id, :tenant, :event, d.endpoint_id, 'pending', now(), "
					+ "case when d.claimed then :owner end, case when d.claimed then 1 else 0 end, "
					+ "case when d.claimed then now() + :leaseMs * interval '1 millisecond' end, now(), now() "
					+ "from unnest(cast(:ids as text[]), cast(:endpoints as text[]), cast(:claimed as boolean[])) "
					+ "as d(id, endpoint_id, claimed) "
					+ "where exists (select 1 from ev) returning id) "
					+ "select (select count(*) from ev) as inserted")
			.bind("tenant", event.tenantId())
			.bind("event", event.eventId())
			.bind("type", event.eventType())
			.bind("body", event.body())
			.bind("cloudEvent", event.cloudEvent())
			.bind("createdAt", utc(event.createdAt()))
			.bind("traceparent", event.traceparent() == null ? Parameters.in(String.class) : Parameters.in(event.traceparent()))
			.bind("owner", owner)
			.bind("leaseMs", lease.toMillis())
			.bind("ids", deliveryIds)
			.bind("endpoints", endpointIds)
			.bind("claimed", claimed)
			.map((row) -> row.get("inserted", Long.class))
			.one()
			.flatMapMany((inserted) -> inserted == 0 ? Flux.empty()
					: Flux.range(0, endpoints.size()).filter((i) -> claimed[i]).map((i) -> {
				Endpoint e = endpoints.get(i);
				return new WebhookJob(new Lease(deliveryIds[i], owner, 1), event.tenantId(), event.eventId(), e.id(),
						e.url(), signingSecrets(e.id(), e.secret(), e.previousSecrets()), event.eventType(), event.body(),
						0, 0, event.traceparent(), event.createdAt(), e.rateLimit());
			}));
	}

	/**
	 * Deletes at most {@code limit} events whose deliveries all settled (none pending) and none
	 * changed since {@code cutoff}, created before it; their deliveries and attempts go with them
	 * (on delete cascade). Index event_created_idx (V4); rows locked with SKIP LOCKED, and the
	 * conditions are checked again on the locked row, so an event replayed meanwhile stays.
	 */
	public Mono<Long> deleteSettledBefore(Instant cutoff, int limit) {
		String settled = "e.created_at < :cutoff and not exists (select 1 from delivery d where d.tenant_id = e.tenant_id "
				+ "and d.event_id = e.id and (d.status = 'pending' or d.updated_at >= :cutoff)) ";
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
			secrets.add(this.cipher.decrypt(secret, endpointId));
			previous.forEach((stored) -> secrets.add(this.cipher.decrypt(stored, endpointId)));
			return secrets;
		}
		catch (SecretCipher.UndecryptableSecretException ex) {
			log.error(ex.getMessage());
			return List.of();
		}
	}

	/** The engine's view of the deliveries. */
	public DeliveryQueue<WebhookJob> queue() {
		return this.queue;
	}

	private final DeliveryQueue<WebhookJob> queue = new Queue();

	/** The deliveries as the engine's queue; every write after a claim is fenced on owner and token. */
	private final class Queue implements DeliveryQueue<WebhookJob> {

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
					+ "where d.status = 'pending' and d.next_attempt_at <= now() "
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
					+ "and d.status = 'pending' and (d.lease_until is null or d.lease_until < now()) "
					+ "order by d.next_attempt_at limit :limit for update skip locked), "
					+ "claimed as (update delivery d set lease_owner = :owner, lease_token = d.lease_token + 1, "
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
			return DeliveryStore.this.db
				.sql("update delivery d set lease_until = now() + :leaseMs * interval '1 millisecond' "
						+ "from unnest(cast(:ids as text[]), cast(:owners as text[]), cast(:tokens as bigint[])) "
						+ "as l(id, owner, token) where d.id = l.id and d.lease_owner = l.owner and d.lease_token = l.token")
				.bind("ids", leases.stream().map(Lease::deliveryId).toArray(String[]::new))
				.bind("owners", leases.stream().map(Lease::owner).toArray(String[]::new))
				.bind("tokens", leases.stream().map(Lease::token).toArray(Long[]::new))
				.bind("leaseMs", lease.toMillis())
				.then();
		}

		@Override
		public Mono<Boolean> record(WebhookJob job, AttemptRecord attempt, Step step) {
			return switch (step) {
				case DELIVERED -> attempt(job, attempt, "delivered", 0, null, true);
				case FAILED -> attempt(job, attempt, "failed", 0, null, true);
				case CONTINUE -> attempt(job, attempt, "pending", 0, null, false);
			};
		}

		/** The attempt and the delivery's next state in one statement (no second round trip per failure). */
		@Override
		public Mono<Boolean> recordFailure(WebhookJob job, AttemptRecord attempt, Duration retryIn, String reason) {
			return (retryIn != null) ? attempt(job, attempt, "pending", 1, retryIn, true)
					: attempt(job, attempt, "dead_lettered", 0, null, true);
		}

		@Override
		public Mono<Boolean> retryLater(WebhookJob job, Duration retryIn, String error) {
			return fenced("update delivery set status = 'pending', retries_used = retries_used + 1, "
					+ "next_attempt_at = now() + :retryMs * interval '1 millisecond', lease_owner = null, "
					+ "lease_until = null, updated_at = now() ", job, retryIn.toMillis());
		}

		@Override
		public Mono<Boolean> deadLetter(WebhookJob job, String reason) {
			return fenced("update delivery set status = 'dead_lettered', lease_owner = null, lease_until = null, "
					+ "updated_at = now() ", job, 0);
		}

		@Override
		public Mono<Boolean> release(WebhookJob job, String note) {
			return fenced("update delivery set lease_owner = null, lease_until = null ", job, 0);
		}

		private Mono<Boolean> fenced(String update, WebhookJob job, long retryMs) {
			return DeliveryStore.this.db
				.sql(update + "where id = :delivery and lease_owner = :owner and lease_token = :token and :retryMs >= 0")
				.bind("delivery", job.id())
				.bind("owner", job.lease().owner())
				.bind("token", job.lease().token())
				.bind("retryMs", retryMs)
				.fetch()
				.rowsUpdated()
				.map((rows) -> rows > 0);
		}

		/**
		 * Logs an attempt and moves the delivery on, in one statement (atomic without a transaction,
		 * one round trip), fenced: if the lease is no longer this one's, neither happens and the
		 * answer is false; the new owner decides the delivery's state.
		 */
		private Mono<Boolean> attempt(WebhookJob job, AttemptRecord attempt, String status, int retryIncrement,
				Duration retryIn, boolean settles) {
			Outcome outcome = attempt.outcome();
			boolean delivered = "delivered".equals(status);
			return DeliveryStore.this.db
				.sql("with moved as (update delivery set status = :status, attempt_count = attempt_count + 1, "
						+ "retries_used = retries_used + :retryIncrement, "
						+ "next_attempt_at = case when :retryMs >= 0 then now() + :retryMs * interval '1 millisecond' "
						+ "else next_attempt_at end, "
						+ "lease_owner = case when :settles then null else lease_owner end, "
						+ "lease_until = case when :settles then null else lease_until end, updated_at = now() "
						+ "where id = :delivery and lease_owner = :owner and lease_token = :token "
						+ "returning attempt_count), "
						+ "logged as (insert into attempt (delivery_id, tenant_id, event_id, endpoint_id, number, at, "
						+ "outcome, status_code, latency_ms, response_excerpt, error) select :delivery, :tenant, :event, "
						+ ":endpoint, attempt_count, :at, :outcome, :statusCode, :latency, :excerpt, :error from moved), "
						// Any success ends the endpoint's failure streak (the auto-disable rule counts streaks).
						+ "healthy as (update endpoint set consecutive_failures = 0, failing_since = null "
						+ "where id = :endpoint and :delivered and consecutive_failures > 0 and exists (select 1 from moved)), "
						// The last delivery of an event delivered: nothing sends its body again, so it is
						// cleared. While another delivery is not delivered (pending, or failed and awaiting
						// a replay) the body stays. Two last deliveries settling at once may each see the
						// other pending and leave it; retention deletes it with the event.
						+ "cleared as (update event set body = '', cloud_event = '' "
						+ "where tenant_id = :tenant and id = :event and :delivered and exists (select 1 from moved) "
						+ "and not exists (select 1 from delivery o where o.tenant_id = :tenant and o.event_id = :event "
						+ "and o.id <> :delivery and o.status <> 'delivered')) "
						+ "select count(*) as moved from moved")
				.bind("delivered", delivered)
				.bind("status", status)
				.bind("retryIncrement", retryIncrement)
				.bind("retryMs", (retryIn != null) ? retryIn.toMillis() : -1L)
				.bind("settles", settles)
				.bind("owner", job.lease().owner())
				.bind("token", job.lease().token())
				.bind("delivery", job.id())
				.bind("tenant", job.tenantId())
				.bind("event", job.eventId())
				.bind("endpoint", job.endpointId())
				.bind("at", utc(attempt.at()))
				.bind("outcome", outcome.outcomeName())
				.bind("statusCode", statusCode(outcome.providerCode()))
				.bind("latency", attempt.latencyMs())
				.bind("excerpt", nullableText(outcome.response()))
				.bind("error", nullableText(delivered ? null : outcome.detail()))
				.map((row) -> row.get("moved", Long.class))
				.one()
				.map((moved) -> moved > 0);
		}

	}

	/** The HTTP status an outcome carries as its provider code; none when no answer arrived. */
	private static io.r2dbc.spi.Parameter statusCode(String providerCode) {
		if (providerCode == null) {
			return Parameters.in(Integer.class);
		}
		try {
			return Parameters.in(Integer.valueOf(providerCode));
		}
		catch (NumberFormatException ex) {
			return Parameters.in(Integer.class);
		}
	}

	/** PostgreSQL text cannot hold NUL, which a receiver's binary answer may contain. */
	private static io.r2dbc.spi.Parameter nullableText(String value) {
		return value == null ? Parameters.in(String.class) : Parameters.in(value.replace((char) 0, '\uFFFD'));
	}

	static OffsetDateTime utc(Instant instant) {
		return instant.atOffset(ZoneOffset.UTC);
	}

	static Instant instant(Readable row, String column) {
		OffsetDateTime value = row.get(column, OffsetDateTime.class);
		return value == null ? null : value.toInstant();
	}

}
