package com.cloudgreet.relay.gateway.tenant;

import java.time.Duration;

import com.cloudgreet.relay.gateway.config.GatewayProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Resolves an API key to its tenant: Redis first (so a request does not touch PostgreSQL), then
 * the database, caching what it found. Revocation and limit changes evict the cache entry. If
 * Redis is down, lookups go to the database rather than failing the request.
 */
@Component
public class ApiKeyAuthenticator {

	private static final Logger log = LoggerFactory.getLogger(ApiKeyAuthenticator.class);

	private static final String CACHE_PREFIX = "relay:apikey:";

	private final TenantStore store;

	private final ReactiveStringRedisTemplate redis;

	private final Duration cacheTtl;

	public ApiKeyAuthenticator(TenantStore store, ReactiveStringRedisTemplate redis, GatewayProperties properties) {
		this.store = store;
		this.redis = redis;
		this.cacheTtl = properties.gateway().apiKeyCacheTtl();
	}

	/** The tenant of {@code apiKey}, or empty if it is not a live key. */
	public Mono<TenantKey> authenticate(String apiKey) {
		return authenticate(apiKey, true);
	}

	/**
	 * As {@link #authenticate(String)}; with {@code mayQueryDatabase} false, a key that is not in
	 * the cache is treated as unknown instead of being looked up in PostgreSQL.
	 */
	public Mono<TenantKey> authenticate(String apiKey, boolean mayQueryDatabase) {
		if (!ApiKeys.isWellFormed(apiKey)) {
			return Mono.empty();
		}
		String hash = ApiKeys.hash(apiKey);
		String cacheKey = CACHE_PREFIX + hash;
		Mono<TenantKey> cached = this.redis.opsForValue()
			.get(cacheKey)
			.mapNotNull(TenantKey::decode)
			.onErrorResume((ex) -> {
				log.debug("API key cache unavailable, reading the database: {}", ex.toString());
				return Mono.empty();
			});
		if (!mayQueryDatabase) {
			return cached;
		}
		return cached.switchIfEmpty(Mono.defer(() -> this.store.findByKeyHash(hash)
			.flatMap((key) -> this.redis.opsForValue()
				.set(cacheKey, key.encode(), this.cacheTtl)
				.onErrorReturn(false)
				.thenReturn(key))));
	}

	/** Drops the cached lookups of the given key hashes, so a revocation takes effect at once. */
	public Mono<Void> evict(Iterable<String> keyHashes) {
		// One DEL per key: the keys hash to different Redis Cluster slots.
		return reactor.core.publisher.Flux.fromIterable(keyHashes)
			.flatMap((hash) -> this.redis.delete(CACHE_PREFIX + hash))
			.then();
	}

}
