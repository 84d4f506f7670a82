package com.cloudgreet.relay.gateway.tenant;

import java.time.Duration;

import com.cloudgreet.relay.gateway.config.GatewayProperties;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import jakarta.annotation.PreDestroy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.stereotype.Component;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

/**
 * Resolves an API key to its tenant without a database query on the hot path: first from a small
 * in-process cache (no network at all), then from Redis, then from PostgreSQL, caching what it
 * found at both levels. Revocation and limit changes evict both: Redis directly, and every
 * gateway's in-process entry through a Redis pub/sub message. If that message is lost (Redis down
 * at that moment), the short in-process TTL bounds how long another gateway may still accept the
 * key. If Redis is down, lookups go to the database rather than failing the request.
 */
@Component
public class ApiKeyAuthenticator {

	private static final Logger log = LoggerFactory.getLogger(ApiKeyAuthenticator.class);

	private static final String CACHE_PREFIX = "relay:apikey:";

	/** Key hashes whose cached lookups every gateway must drop. */
	static final String EVICTIONS_CHANNEL = "relay:apikey:evictions";

	private final TenantStore store;

	private final ReactiveStringRedisTemplate redis;

	private final Duration cacheTtl;

	/** {@code null} when the in-process cache is switched off (a TTL of zero). */
	private final Cache<String, TenantKey> local;

	private volatile Disposable evictions;

	public ApiKeyAuthenticator(TenantStore store, ReactiveStringRedisTemplate redis, GatewayProperties properties) {
		this.store = store;
		this.redis = redis;
		this.cacheTtl = properties.gateway().apiKeyCacheTtl();
		Duration localTtl = properties.gateway().apiKeyLocalCacheTtl();
		this.local = localTtl.isZero() ? null
				: Caffeine.newBuilder().expireAfterWrite(localTtl).maximumSize(100_000).build();
	}

	/** The tenant of {@code apiKey}, or empty if it is not a live key. */
	public Mono<TenantKey> authenticate(String apiKey) {
		return authenticate(apiKey, true);
	}

	/**
	 * As {@link #authenticate(String)}; with {@code mayQueryDatabase} false, a key that is not in
	 * a cache is treated as unknown instead of being looked up in PostgreSQL.
	 */
	public Mono<TenantKey> authenticate(String apiKey, boolean mayQueryDatabase) {
		if (!ApiKeys.isWellFormed(apiKey)) {
			return Mono.empty();
		}
		String hash = ApiKeys.hash(apiKey);
		TenantKey known = this.local == null ? null : this.local.getIfPresent(hash);
		if (known != null) {
			return Mono.just(known);
		}
		String cacheKey = CACHE_PREFIX + hash;
		Mono<TenantKey> cached = this.redis.opsForValue()
			.get(cacheKey)
			.mapNotNull(TenantKey::decode)
			.onErrorResume((ex) -> {
				log.debug("API key cache unavailable, reading the database: {}", ex.toString());
				return Mono.empty();
			});
		Mono<TenantKey> found = !mayQueryDatabase ? cached
				: cached.switchIfEmpty(Mono.defer(() -> this.store.findByKeyHash(hash)
					.flatMap((key) -> this.redis.opsForValue()
						.set(cacheKey, key.encode(), this.cacheTtl)
						.onErrorReturn(false)
						.thenReturn(key))));
		// Only live keys are kept in process: unknown keys must not fill the heap.
		return this.local == null ? found : found.doOnNext((key) -> this.local.put(hash, key));
	}

	/** Drops the cached lookups of the given key hashes on every gateway, so a revocation takes effect at once. */
	public Mono<Void> evict(Iterable<String> keyHashes) {
		// One DEL per key: the keys hash to different Redis Cluster slots.
		return Flux.fromIterable(keyHashes)
			.doOnNext(this::evictLocally)
			.flatMap((hash) -> this.redis.delete(CACHE_PREFIX + hash)
				.then(this.redis.convertAndSend(EVICTIONS_CHANNEL, hash)))
			.then();
	}

	private void evictLocally(String hash) {
		if (this.local != null) {
			this.local.invalidate(hash);
		}
	}

	/**
	 * Listens for other gateways' evictions for as long as this one runs, resubscribing after
	 * Redis outages. Evictions published while not subscribed are missed, so every (re)subscription
	 * starts from an empty in-process cache.
	 */
	@EventListener(ApplicationReadyEvent.class)
	void listenForEvictions() {
		if (this.local == null) {
			return;
		}
		this.evictions = Flux.defer(() -> {
			this.local.invalidateAll();
			return this.redis.listenToChannel(EVICTIONS_CHANNEL);
		})
			.doOnError((ex) -> log.warn("API key eviction channel lost, resubscribing: {}", ex.toString()))
			.retryWhen(Retry.backoff(Long.MAX_VALUE, Duration.ofMillis(200)).maxBackoff(Duration.ofSeconds(5)))
			.subscribe((message) -> evictLocally(message.getMessage()));
	}

	@PreDestroy
	void stopListening() {
		Disposable subscription = this.evictions;
		if (subscription != null) {
			subscription.dispose();
		}
	}

}
