package com.cloudgreet.relay.gateway.console;

import java.time.Duration;
import java.time.Instant;

import com.cloudgreet.relay.common.json.RelayJson;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Portal links and console sessions in Redis, both stored as a {@link PortalGrant} under the hash
 * of their random token, with the grant's remaining lifetime as TTL. A link is taken with GETDEL,
 * so of two concurrent exchanges exactly one gets it. Revoking a tenant moves its epoch on; a
 * grant made under an older epoch is void.
 */
@Component
public class PortalGrants {

	private final ReactiveStringRedisTemplate redis;

	private final Duration maxSessionTtl;

	public PortalGrants(ReactiveStringRedisTemplate redis, ConsoleProperties properties) {
		this.redis = redis;
		this.maxSessionTtl = properties.maxSessionTtl();
	}

	/** A new link for the grant's tenant; the answer is the token, shown once and stored hashed. */
	public Mono<String> createLink(String tenantId, PortalGrant.Scope scope, java.util.List<String> endpointIds,
			Instant expiresAt) {
		String token = Tokens.random();
		return epoch(tenantId).flatMap((epoch) -> {
			PortalGrant grant = new PortalGrant(tenantId, scope, endpointIds, expiresAt, epoch);
			return store(ConsoleKeys.link(Tokens.hash(token)), grant, Duration.between(Instant.now(), expiresAt));
		}).thenReturn(token);
	}

	/** The link's grant, removed so that it cannot be used again; empty when unknown, used, expired or revoked. */
	public Mono<PortalGrant> redeemLink(String token) {
		return this.redis.opsForValue().getAndDelete(ConsoleKeys.link(Tokens.hash(token))).flatMap(this::live);
	}

	/** A session for the grant: its id, valid as long as the link would have been, at most the session maximum. */
	public Mono<Session> openSession(PortalGrant link) {
		Instant cap = Instant.now().plus(this.maxSessionTtl);
		PortalGrant grant = new PortalGrant(link.tenantId(), link.scope(), link.endpointIds(),
				link.expiresAt().isAfter(cap) ? cap : link.expiresAt(), link.epoch());
		String id = Tokens.random();
		Duration ttl = Duration.between(Instant.now(), grant.expiresAt());
		return store(ConsoleKeys.session(Tokens.hash(id)), grant, ttl).thenReturn(new Session(id, grant, ttl));
	}

	public record Session(String id, PortalGrant grant, Duration ttl) {
	}

	public Mono<PortalGrant> session(String id) {
		return this.redis.opsForValue().get(ConsoleKeys.session(Tokens.hash(id))).flatMap(this::live);
	}

	public Mono<Void> closeSession(String id) {
		return this.redis.delete(ConsoleKeys.session(Tokens.hash(id))).then();
	}

	/** Voids every link and session of the tenant, on every gateway at once (they all read the epoch). */
	public Mono<Void> revoke(String tenantId) {
		return this.redis.opsForValue().increment(ConsoleKeys.epoch(tenantId)).then();
	}

	private Mono<Long> epoch(String tenantId) {
		return this.redis.opsForValue().get(ConsoleKeys.epoch(tenantId)).map(Long::parseLong).defaultIfEmpty(0L);
	}

	private Mono<PortalGrant> live(String json) {
		PortalGrant grant = RelayJson.read(json.getBytes(java.nio.charset.StandardCharsets.UTF_8), PortalGrant.class);
		if (!grant.expiresAt().isAfter(Instant.now())) {
			return Mono.empty();
		}
		return epoch(grant.tenantId()).filter((epoch) -> epoch == grant.epoch()).map((epoch) -> grant);
	}

	private Mono<Boolean> store(String key, PortalGrant grant, Duration ttl) {
		return this.redis.opsForValue()
			.set(key, new String(RelayJson.write(grant), java.nio.charset.StandardCharsets.UTF_8), ttl);
	}

}
