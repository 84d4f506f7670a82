package com.cloudgreet.relay.gateway.message;

import java.time.Duration;

import com.cloudgreet.relay.common.Channel;
import com.cloudgreet.relay.gateway.config.GatewayProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Remembers, for a while, which ids the gateway accepted for which tenant, so a status query that
 * arrives before the owning service consumed the record still answers {@code queued}.
 */
@Component
public class AcceptedMessages {

	private static final Logger log = LoggerFactory.getLogger(AcceptedMessages.class);

	private static final String PREFIX = "relay:accepted:";

	private final ReactiveStringRedisTemplate redis;

	private final Duration ttl;

	public record Accepted(String tenantId, Channel channel, String acceptedAt) {
	}

	public AcceptedMessages(ReactiveStringRedisTemplate redis, GatewayProperties properties) {
		this.redis = redis;
		this.ttl = properties.gateway().acceptedTtl();
	}

	/** Never fails: the message is in Kafka already, and only an early status query would miss this. */
	public Mono<Void> remember(String id, String tenantId, Channel channel) {
		String value = tenantId + "|" + channel.id() + "|" + java.time.Instant.now();
		return this.redis.opsForValue().set(PREFIX + id, value, this.ttl).onErrorResume((ex) -> {
			log.warn("Could not record accepted message {}: {}", id, ex.toString());
			return Mono.just(false);
		}).then();
	}

	/** The record of {@code id} if this tenant's request created it. */
	public Mono<Accepted> find(String id, String tenantId) {
		return this.redis.opsForValue().get(PREFIX + id).onErrorResume((ex) -> Mono.empty()).mapNotNull((value) -> {
			String[] parts = value.split("\\|", 3);
			if (parts.length != 3 || !parts[0].equals(tenantId)) {
				return null;
			}
			return Channel.ofId(parts[1]).map((channel) -> new Accepted(parts[0], channel, parts[2])).orElse(null);
		});
	}

}
