package com.cloudgreet.relay.webhook.endpoint;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;

import io.r2dbc.spi.Parameter;
import io.r2dbc.spi.Parameters;
import io.r2dbc.spi.Readable;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.ReactiveTransactionManager;
import org.springframework.transaction.reactive.TransactionalOperator;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** Endpoints in PostgreSQL. Every query is scoped by tenant: a foreign id is simply not found. */
@Repository
public class EndpointRepository {

	private static final String COLUMNS = columns("endpoint");

	private static final String INSERTED = "id, tenant_id, url, description, event_types, enabled, secret, "
			+ "rate_limit, created_at, updated_at";

	private final DatabaseClient db;

	private final TransactionalOperator transactions;

	public EndpointRepository(DatabaseClient db, ReactiveTransactionManager transactions) {
		this.db = db;
		this.transactions = TransactionalOperator.create(transactions);
	}

	/**
	 * The endpoint columns of table (or alias) {@code e}, with the unexpired previous secrets
	 * (newest first) as the array {@code previous_secrets}.
	 */
	static String columns(String e) {
		return e + ".id, " + e + ".tenant_id, " + e + ".url, " + e + ".description, " + e + ".event_types, " + e
				+ ".enabled, " + e + ".disabled_reason, " + e + ".disabled_at, " + e + ".secret, " + e
				+ ".consecutive_failures, " + e + ".failing_since, " + e + ".created_at, " + e + ".updated_at, " + e
				+ ".rate_limit, "
				+ previousSecrets(e + ".id") + " as previous_secrets";
	}

	/** The unexpired previous secrets of the endpoint {@code endpointId} (an SQL expression), newest first. */
	public static String previousSecrets(String endpointId) {
		return "(select coalesce(array_agg(p.secret order by p.expires_at desc), '{}') from endpoint_previous_secret p "
				+ "where p.endpoint_id = " + endpointId + " and p.expires_at > now())";
	}

	/**
	 * Stores a new endpoint unless its tenant has {@code maxPerTenant} already (then empty). The
	 * count and the insert run under a per-tenant advisory lock, so concurrent creates cannot
	 * both take the last place.
	 */
	public Mono<Endpoint> insert(Endpoint e, int maxPerTenant) {
		Mono<Endpoint> insert = this.db
			.sql("insert into endpoint (" + INSERTED + ") select :id, :tenant, :url, :description, :eventTypes, "
					+ ":enabled, :secret, :rateLimit, :createdAt, :createdAt "
					+ "where (select count(*) from endpoint where tenant_id = :tenant) < :max returning " + COLUMNS)
			.bind("max", maxPerTenant)
			.bind("id", e.id())
			.bind("tenant", e.tenantId())
			.bind("url", e.url())
			.bind("description", nullable(e.description()))
			.bind("eventTypes", e.eventTypes().toArray(String[]::new))
			.bind("enabled", e.enabled())
			.bind("secret", e.secret())
			.bind("rateLimit", rate(e.rateLimit()))
			.bind("createdAt", utc(e.createdAt()))
			.map(EndpointRepository::endpoint)
			.one();
		// A separate statement before the insert: the insert's snapshot is then taken after the
		// lock is held, so its count sees every endpoint a concurrent create committed.
		Mono<Void> lock = this.db.sql("select pg_advisory_xact_lock(hashtextextended(:key, 0))")
			.bind("key", "relay.webhook.endpoints:" + e.tenantId())
			.then();
		return this.transactions.transactional(lock.then(insert));
	}

	public Mono<Endpoint> find(String tenantId, String id) {
		return this.db.sql("select " + COLUMNS + " from endpoint where tenant_id = :tenant and id = :id")
			.bind("tenant", tenantId)
			.bind("id", id)
			.map(EndpointRepository::endpoint)
			.one();
	}

	/** A page in creation order (ids are time-ordered), after the cursor {@code after} if given. */
	public Flux<Endpoint> list(String tenantId, String after, int limit) {
		var spec = this.db
			.sql("select " + COLUMNS + " from endpoint where tenant_id = :tenant and id > :after order by id limit :limit")
			.bind("tenant", tenantId)
			.bind("after", after == null ? "" : after)
			.bind("limit", limit);
		return spec.map(EndpointRepository::endpoint).all();
	}

	/** A tenant's interest in an event type: whose endpoints an event of that type fans out to. */
	public record Interest(String tenantId, String eventType) {
	}

	/** An endpoint that takes events of {@code interest}. */
	public record Subscriber(Interest interest, Endpoint endpoint) {
	}

	/**
	 * The subscribers of every interest in one query (one poll's events): enabled endpoints of the
	 * tenant subscribed to the type, or to all types; by endpoint id within an interest.
	 */
	public Flux<Subscriber> subscribers(Collection<Interest> interests) {
		if (interests.isEmpty()) {
			return Flux.empty();
		}
		return this.db
			.sql("select i.tenant_id as wanted_tenant, i.event_type as wanted_type, " + columns("e")
					+ " from unnest(cast(:tenants as text[]), cast(:types as text[])) as i(tenant_id, event_type) "
					+ "join endpoint e on e.tenant_id = i.tenant_id where e.enabled "
					+ "and (cardinality(e.event_types) = 0 or i.event_type = any(e.event_types)) order by e.id")
			.bind("tenants", interests.stream().map(Interest::tenantId).toArray(String[]::new))
			.bind("types", interests.stream().map(Interest::eventType).toArray(String[]::new))
			.map((row) -> new Subscriber(
					new Interest(row.get("wanted_tenant", String.class), row.get("wanted_type", String.class)),
					endpoint(row)))
			.all();
	}

	/**
	 * Updates the given (non-null) fields; re-enabling clears the failure streak and the disable
	 * reason; a {@code rateLimit} of 0 removes the rate.
	 */
	public Mono<Endpoint> update(String tenantId, String id, String url, List<String> eventTypes, String description,
			Boolean enabled, Double rateLimit) {
		return this.db.sql("update endpoint set url = coalesce(:url, url), "
				+ "event_types = coalesce(:eventTypes, event_types), "
				+ "description = case when :descriptionSet then nullif(:description, '') else description end, "
				+ "disabled_reason = case when :enabled is null then disabled_reason when :enabled then null "
				+ "  when enabled then 'disabled by the user' else disabled_reason end, "
				+ "disabled_at = case when :enabled is null then disabled_at when :enabled then null "
				+ "  when enabled then now() else disabled_at end, "
				+ "consecutive_failures = case when :enabled is true and not enabled then 0 else consecutive_failures end, "
				+ "failing_since = case when :enabled is true and not enabled then null else failing_since end, "
				+ "rate_limit = case when :rateLimit is null then rate_limit else nullif(:rateLimit, 0) end, "
				+ "enabled = coalesce(:enabled, enabled), updated_at = now() "
				+ "where tenant_id = :tenant and id = :id returning " + COLUMNS)
			.bind("tenant", tenantId)
			.bind("id", id)
			.bind("url", nullable(url))
			.bind("eventTypes", eventTypes == null ? Parameters.in(String[].class)
					: Parameters.in(eventTypes.toArray(String[]::new)))
			.bind("descriptionSet", description != null)
			.bind("description", description == null ? "" : description)
			.bind("enabled", enabled == null ? Parameters.in(Boolean.class) : Parameters.in(enabled))
			.bind("rateLimit", rate(rateLimit))
			.map(EndpointRepository::endpoint)
			.one();
	}

	/**
	 * Replaces the secret ({@code newSecret} already encrypted) and keeps the old one signing until
	 * {@code previousExpiresAt}, beside any earlier one still in its grace period; expired ones go.
	 * The row is locked first, so of two concurrent rotations the second keeps the first's secret.
	 */
	public Mono<Endpoint> rotateSecret(String tenantId, String id, String newSecret, Instant previousExpiresAt) {
		return this.db.sql("with locked as (select id, secret from endpoint where tenant_id = :tenant and id = :id "
				+ "for update), "
				+ "rotated as (update endpoint e set secret = :secret, updated_at = now() from locked "
				+ "where e.id = locked.id returning e.*, locked.secret as replaced), "
				+ "kept as (insert into endpoint_previous_secret (endpoint_id, secret, expires_at) "
				+ "select id, replaced, :expires from rotated), "
				+ "purged as (delete from endpoint_previous_secret p using rotated r "
				+ "where p.endpoint_id = r.id and p.expires_at <= now()) "
				+ "select " + columns("r") + " from rotated r")
			.bind("tenant", tenantId)
			.bind("id", id)
			.bind("secret", newSecret)
			.bind("expires", utc(previousExpiresAt))
			.map(EndpointRepository::endpoint)
			.one();
	}

	public Mono<Boolean> delete(String tenantId, String id) {
		return this.db.sql("delete from endpoint where tenant_id = :tenant and id = :id")
			.bind("tenant", tenantId)
			.bind("id", id)
			.fetch()
			.rowsUpdated()
			.map((rows) -> rows > 0);
	}

	private static Parameter rate(Double value) {
		return value == null ? Parameters.in(Double.class) : Parameters.in(value);
	}

	private static Parameter nullable(String value) {
		return value == null ? Parameters.in(String.class) : Parameters.in(value);
	}

	static List<String> strings(Readable row, String column) {
		String[] values = row.get(column, String[].class);
		return values == null ? List.of() : Arrays.asList(values);
	}

	static OffsetDateTime utc(Instant instant) {
		return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
	}

	static Instant instant(Readable row, String column) {
		OffsetDateTime value = row.get(column, OffsetDateTime.class);
		return value == null ? null : value.toInstant();
	}

	static Endpoint endpoint(Readable row) {
		String[] types = row.get("event_types", String[].class);
		Integer failures = row.get("consecutive_failures", Integer.class);
		return new Endpoint(row.get("id", String.class), row.get("tenant_id", String.class), row.get("url", String.class),
				row.get("description", String.class), types == null ? List.of() : Arrays.asList(types),
				Boolean.TRUE.equals(row.get("enabled", Boolean.class)), row.get("disabled_reason", String.class),
				instant(row, "disabled_at"), row.get("secret", String.class), strings(row, "previous_secrets"),
				failures == null ? 0 : failures, instant(row, "failing_since"),
				instant(row, "created_at"), instant(row, "updated_at"), row.get("rate_limit", Double.class));
	}

}
