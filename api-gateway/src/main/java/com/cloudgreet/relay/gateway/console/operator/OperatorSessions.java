package com.cloudgreet.relay.gateway.console.operator;

import java.time.Duration;

import com.cloudgreet.relay.gateway.console.Tokens;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Operator sessions in Redis, stored under the hash of their random id with the session's lifetime
 * as TTL; the value is the revocation epoch they were opened in. Revoking moves the epoch on, so
 * every session on every gateway ends at once.
 */
@Component
public class OperatorSessions {

	private static final String PREFIX = "relay:console:operator:";

	private static final String EPOCH = PREFIX + "epoch";

	private final ReactiveStringRedisTemplate redis;

	private final Duration ttl;

	public OperatorSessions(ReactiveStringRedisTemplate redis, OperatorProperties properties) {
		this.redis = redis;
		this.ttl = properties.sessionTtl();
	}

	/** A new session's id: shown to the browser once, in its cookie, and stored hashed. */
	public Mono<String> open() {
		String id = Tokens.random();
		return epoch().flatMap((epoch) -> this.redis.opsForValue().set(key(id), Long.toString(epoch), this.ttl))
			.thenReturn(id);
	}

	public Duration ttl() {
		return this.ttl;
	}

	public Mono<Boolean> isLive(String id) {
		return this.redis.opsForValue()
			.get(key(id))
			.zipWith(epoch(), (stored, epoch) -> stored.equals(Long.toString(epoch)))
			.defaultIfEmpty(false);
	}

	public Mono<Void> close(String id) {
		return this.redis.delete(key(id)).then();
	}

	public Mono<Void> revokeAll() {
		return this.redis.opsForValue().increment(EPOCH).then();
	}

	private Mono<Long> epoch() {
		return this.redis.opsForValue().get(EPOCH).map(Long::parseLong).defaultIfEmpty(0L);
	}

	private static String key(String id) {
		return PREFIX + "session:" + Tokens.hash(id);
	}

}
