package com.cloudgreet.relay.gateway.tenant;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;

import com.cloudgreet.relay.common.id.IdKind;
import com.cloudgreet.relay.common.id.RelayIds;
import com.cloudgreet.relay.common.message.AllowedSenders;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** Tenants and API keys in PostgreSQL (schema {@code gateway}). */
@Repository
public class TenantStore {

	private final DatabaseClient db;

	public TenantStore(DatabaseClient db) {
		this.db = db;
	}

	/** Creates a tenant and its first key in one statement, so neither exists without the other. */
	public Mono<Void> create(String tenantId, String name, Double requestsPerSecond, Long burst,
			AllowedSenders senders, String keyId, String keyHash, String hint) {
		var spec = this.db.sql("""
				with t as (
				  insert into tenant (id, name, requests_per_second, burst, email_senders, sms_senders)
				  values (:id, :name, :rps, :burst, :email, :sms) returning id)
				insert into api_key (id, tenant_id, key_hash, hint) select :keyId, t.id, :hash, :hint from t""")
			.bind("id", tenantId)
			.bind("name", name)
			.bind("email", senders.email().toArray(String[]::new))
			.bind("sms", senders.sms().toArray(String[]::new))
			.bind("keyId", keyId)
			.bind("hash", keyHash)
			.bind("hint", hint);
		spec = requestsPerSecond == null ? spec.bindNull("rps", Double.class) : spec.bind("rps", requestsPerSecond);
		spec = burst == null ? spec.bindNull("burst", Long.class) : spec.bind("burst", burst);
		return spec.then();
	}

	public Mono<TenantKey> findByKeyHash(String keyHash) {
		return this.db.sql("""
				select k.tenant_id, k.id, t.requests_per_second, t.burst from api_key k join tenant t on t.id = k.tenant_id
				where k.key_hash = :hash and k.revoked_at is null""")
			.bind("hash", keyHash)
			.map((row, meta) -> new TenantKey(row.get(0, String.class), row.get(1, String.class),
					row.get(2, Double.class), row.get(3, Long.class)))
			.one();
	}

	public Mono<Tenant> find(String tenantId) {
		return this.db.sql("""
				select id, name, requests_per_second, burst, created_at, email_senders, sms_senders
				from tenant where id = :id""")
			.bind("id", tenantId)
			.map((row, meta) -> new Tenant(row.get(0, String.class), row.get(1, String.class),
					TenantRequests.RateLimit.of(row.get(2, Double.class), row.get(3, Long.class)),
					senders(row.get(5, String[].class), row.get(6, String[].class)),
					instant(row.get(4, OffsetDateTime.class)), List.of()))
			.one()
			.flatMap((tenant) -> keys(tenantId).collectList().map(tenant::withKeys));
	}

	/**
	 * Tenants newest first (ids grow with time), before {@code before} (keyset), without their keys:
	 * the operator console's list.
	 */
	public Flux<Tenant> page(String before, int limit) {
		String sql = "select id, name, requests_per_second, burst, created_at, email_senders, sms_senders from tenant"
				+ (before == null ? "" : " where id < :before") + " order by id desc limit :limit";
		var spec = this.db.sql(sql).bind("limit", limit);
		if (before != null) {
			spec = spec.bind("before", before);
		}
		return spec.map((row, meta) -> new Tenant(row.get(0, String.class), row.get(1, String.class),
				TenantRequests.RateLimit.of(row.get(2, Double.class), row.get(3, Long.class)),
				senders(row.get(5, String[].class), row.get(6, String[].class)),
				instant(row.get(4, OffsetDateTime.class)), List.of()))
			.all();
	}

	private Flux<Tenant.Key> keys(String tenantId) {
		return this.db.sql("select id, hint, created_at, revoked_at from api_key where tenant_id = :id order by id")
			.bind("id", tenantId)
			.map((row, meta) -> new Tenant.Key(row.get(0, String.class), row.get(1, String.class),
					instant(row.get(2, OffsetDateTime.class)), instant(row.get(3, OffsetDateTime.class))))
			.all();
	}

	public Mono<Boolean> addKey(String tenantId, String keyId, String keyHash, String hint) {
		return this.db.sql("""
				insert into api_key (id, tenant_id, key_hash, hint) select :keyId, id, :hash, :hint from tenant where id = :tenant""")
			.bind("tenant", tenantId)
			.bind("keyId", keyId)
			.bind("hash", keyHash)
			.bind("hint", hint)
			.fetch()
			.rowsUpdated()
			.map((rows) -> rows == 1);
	}

	/** Revokes a key and returns its hash (so its cache entry can be dropped), or empty if there was none. */
	public Mono<String> revokeKey(String tenantId, String keyId) {
		return this.db.sql("""
				update api_key set revoked_at = coalesce(revoked_at, now()) where id = :keyId and tenant_id = :tenant
				returning key_hash""")
			.bind("tenant", tenantId)
			.bind("keyId", keyId)
			.map((row, meta) -> row.get(0, String.class))
			.one();
	}

	/** Sets (or with nulls clears) a tenant's own limit; returns the hashes of its keys to evict from the cache. */
	public Flux<String> updateLimit(String tenantId, Double requestsPerSecond, Long burst) {
		var spec = this.db.sql("update tenant set requests_per_second = :rps, burst = :burst where id = :id")
			.bind("id", tenantId);
		spec = requestsPerSecond == null ? spec.bindNull("rps", Double.class) : spec.bind("rps", requestsPerSecond);
		spec = burst == null ? spec.bindNull("burst", Long.class) : spec.bind("burst", burst);
		return spec.fetch()
			.rowsUpdated()
			.flatMapMany((rows) -> rows == 0 ? Flux.empty()
					: this.db.sql("select key_hash from api_key where tenant_id = :id")
						.bind("id", tenantId)
						.map((row, meta) -> row.get(0, String.class))
						.all());
	}

	/** A tenant's sender allowlist, or empty if there is no such tenant. */
	public Mono<AllowedSenders> senders(String tenantId) {
		return this.db.sql("select email_senders, sms_senders from tenant where id = :id")
			.bind("id", tenantId)
			.map((row, meta) -> senders(row.get(0, String[].class), row.get(1, String[].class)))
			.one();
	}

	/** Replaces a tenant's sender allowlist; false if there is no such tenant. */
	public Mono<Boolean> updateSenders(String tenantId, AllowedSenders senders) {
		return this.db.sql("update tenant set email_senders = :email, sms_senders = :sms where id = :id")
			.bind("id", tenantId)
			.bind("email", senders.email().toArray(String[]::new))
			.bind("sms", senders.sms().toArray(String[]::new))
			.fetch()
			.rowsUpdated()
			.map((rows) -> rows == 1);
	}

	private static AllowedSenders senders(String[] email, String[] sms) {
		return new AllowedSenders(email == null ? List.of() : List.of(email), sms == null ? List.of() : List.of(sms));
	}

	static String newTenantId() {
		return RelayIds.next(IdKind.TENANT);
	}

	static String newKeyId() {
		return RelayIds.next(IdKind.API_KEY);
	}

	private static Instant instant(OffsetDateTime time) {
		return time == null ? null : time.toInstant();
	}

}
