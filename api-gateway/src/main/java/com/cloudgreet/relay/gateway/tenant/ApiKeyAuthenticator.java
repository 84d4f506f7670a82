package com.cloudgreet.relay.gateway.tenant;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

import com.cloudgreet.relay.gateway.config.GatewayProperties;
import com.cloudgreet.relay.gateway.problem.ApiProblem;
import com.github.benmanes.caffeine.cache.AsyncCacheLoader;
import com.github.benmanes.caffeine.cache.AsyncLoadingCache;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
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
 *
 * <p>A key in use never drops out of the in-process cache: a read in the second half of its TTL
 * serves the entry and refreshes it in the background, so busy keys are re-checked regularly
 * without any request waiting for it. Keys found nowhere are remembered as unknown for the same
 * TTL, so a client repeating a wrong key costs one lookup, not one per request.
 *
 * <p>Entries in Redis carry a MAC only gateways can compute ({@link KeyCacheSeal}); one without it
 * is not believed. A database lookup (a key no cache knows) first takes the caller's allowance,
 * the per-address budget of such lookups, so random keys cannot cost a query each.
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

	private final Duration retryAfter;

	/** {@code null} when the in-process cache is switched off (a TTL of zero); so is {@link #unknown}. */
	private final AsyncLoadingCache<String, TenantKey> local;

	private final Cache<String, Boolean> unknown;

	private volatile Disposable evictions;

	/** Lookups past the in-process cache: a flood of unknown keys shows here first. */
	private final Counter redisLookups;

	private final Counter databaseLookups;

	private final KeyCacheSeal seal;

	public ApiKeyAuthenticator(TenantStore store, ReactiveStringRedisTemplate redis, GatewayProperties properties,
			MeterRegistry meters) {
		this.store = store;
		this.redis = redis;
		this.redisLookups = lookups(meters, "redis");
		this.databaseLookups = lookups(meters, "database");
		this.seal = KeyCacheSeal.of(properties);
		this.cacheTtl = properties.gateway().apiKeyCacheTtl();
		this.retryAfter = properties.gateway().unavailableRetryAfter();
		Duration localTtl = properties.gateway().apiKeyLocalCacheTtl();
		this.local = localTtl.isZero() ? null
				: Caffeine.newBuilder()
					.expireAfterWrite(localTtl)
					.refreshAfterWrite(localTtl.dividedBy(2))
					.maximumSize(100_000)
					.buildAsync(new Refresher());
		this.unknown = localTtl.isZero() ? null
				: Caffeine.newBuilder().expireAfterWrite(localTtl).maximumSize(100_000).build();
	}

	/**
	 * The tenant of {@code apiKey}, or empty if it is not a live key. Fails with a {@code 503}
	 * problem when the key cannot be checked (the database is unreachable and no cache knows it),
	 * or with the error of {@code allowance}, which a database lookup waits for first.
	 */
	public Mono<TenantKey> authenticate(String apiKey, Mono<Void> allowance) {
		if (!ApiKeys.isWellFormed(apiKey)) {
			return Mono.empty();
		}
		String hash = ApiKeys.hash(apiKey);
		if (this.local == null) {
			return lookup(hash, allowance);
		}
		CompletableFuture<TenantKey> known = this.local.getIfPresent(hash);
		if (known != null && known.isDone() && !known.isCompletedExceptionally()) {
			return Mono.justOrEmpty(known.getNow(null));
		}
		if (this.unknown.getIfPresent(hash) != null) {
			return Mono.empty();
		}
		// Only live keys are kept as entries: unknown ones are a bounded flag, so they cannot fill the heap.
		return lookup(hash, allowance).doOnNext((key) -> this.local.put(hash, CompletableFuture.completedFuture(key)))
			.switchIfEmpty(Mono.fromRunnable(() -> this.unknown.put(hash, Boolean.TRUE)));
	}

	/** Redis, then PostgreSQL; a database failure is a 503 the client may retry, not a 500. */
	private Mono<TenantKey> lookup(String hash, Mono<Void> allowance) {
		String cacheKey = CACHE_PREFIX + hash;
		Mono<TenantKey> cached = Mono.defer(() -> {
			this.redisLookups.increment();
			return this.redis.opsForValue().get(cacheKey);
		})
			.mapNotNull((entry) -> this.seal.open(hash, entry))
			.mapNotNull(TenantKey::decode)
			.onErrorResume((ex) -> {
				log.debug("API key cache unavailable, reading the database: {}", ex.toString());
				return Mono.empty();
			});
		return cached.switchIfEmpty(allowance.then(Mono.defer(() -> {
			this.databaseLookups.increment();
			return this.store.findByKeyHash(hash);
		}))
			.onErrorMap((ex) -> !(ex instanceof ApiProblem), (ex) -> {
				log.warn("API key lookup failed: {}", ex.toString());
				return ApiProblem.unavailable("API keys cannot be checked right now; retry shortly.", this.retryAfter);
			})
			.flatMap((key) -> this.redis.opsForValue()
				.set(cacheKey, this.seal.seal(hash, key.encode()), this.cacheTtl)
				.onErrorReturn(false)
				.thenReturn(key)));
	}

	private static Counter lookups(MeterRegistry meters, String source) {
		return Counter.builder("relay.gateway.api.key.lookups")
			.description("API key lookups that missed the in-process cache, by where they looked")
			.tag("source", source)
			.register(meters);
	}

	/** Background refresh of in-process entries: a revoked key disappears; an outage keeps the entry. */
	private final class Refresher implements AsyncCacheLoader<String, TenantKey> {

		@Override
		public CompletableFuture<TenantKey> asyncLoad(String hash, Executor executor) {
			return lookup(hash, Mono.empty()).toFuture();
		}

		@Override
		public CompletableFuture<TenantKey> asyncReload(String hash, TenantKey old, Executor executor) {
			return lookup(hash, Mono.empty()).onErrorReturn(old).toFuture();
		}

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
			this.local.synchronous().invalidate(hash);
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
			this.local.synchronous().invalidateAll();
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
