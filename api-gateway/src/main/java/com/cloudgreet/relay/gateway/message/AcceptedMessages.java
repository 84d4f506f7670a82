package com.cloudgreet.relay.gateway.message;

import java.time.Duration;
import java.time.Instant;

import com.cloudgreet.relay.common.Channel;
import com.cloudgreet.relay.common.http.RelayHttpHeaders;
import com.cloudgreet.relay.common.id.IdKind;
import com.cloudgreet.relay.common.id.RelayIds;
import com.cloudgreet.relay.common.ratelimit.RateLimitKeys;
import com.cloudgreet.relay.common.ratelimit.RedisRateLimiter;
import com.cloudgreet.relay.gateway.auth.Caller;
import com.cloudgreet.relay.gateway.config.GatewayProperties;
import com.cloudgreet.relay.gateway.ratelimit.AdmissionRecords;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpMethod;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * Remembers, for a while, which ids the gateway accepted for which tenant, so a status query that
 * arrives before the owning service consumed the record still answers {@code queued}.
 *
 * <p>For a request without {@code Idempotency-Key} the id is chosen before the limiter runs, and
 * the record is written by the limiter's own Redis call ({@link AdmissionRecords}): one round trip
 * for limits and record. The record then exists before Kafka acknowledged, exactly as when it was
 * written beside the send: a request that fails (validation, Kafka) never tells anyone the id, so
 * its record can never be queried and expires unseen. Keyed requests derive their id from the
 * body, known only later; they, and every request the limiter decided without Redis, are
 * recorded by {@link #remember} beside the send.
 */
@Component
public class AcceptedMessages implements AdmissionRecords {

	private static final Logger log = LoggerFactory.getLogger(AcceptedMessages.class);

	private static final String PREFIX = "relay:accepted:";

	private static final String RESERVATION = AcceptedMessages.class.getName() + ".reservation";

	private final ReactiveStringRedisTemplate redis;

	private final Duration ttl;

	public record Accepted(String tenantId, Channel channel, String acceptedAt) {
	}

	/** An id chosen, and its record written, before the handler ran. */
	private static final class Reservation {

		final String id;

		final Channel channel;

		boolean recorded;

		Reservation(String id, Channel channel) {
			this.id = id;
			this.channel = channel;
		}

	}

	public AcceptedMessages(ReactiveStringRedisTemplate redis, GatewayProperties properties) {
		this.redis = redis;
		this.ttl = properties.gateway().acceptedTtl();
	}

	/** Never fails: the message is in Kafka already, and only an early status query would miss this. */
	public Mono<Void> remember(String id, String tenantId, Channel channel) {
		return this.redis.opsForValue().set(key(tenantId, id), value(tenantId, channel), this.ttl).onErrorResume((ex) -> {
			log.warn("Could not record accepted message {}: {}", id, ex.toString());
			return Mono.just(false);
		}).then();
	}

	@Override
	public RedisRateLimiter.OnAdmit recordFor(ServerWebExchange exchange, String scope, Caller caller) {
		if (!(caller instanceof Caller.Tenant tenant) || !tenant.tenantId().equals(scope)
				|| !HttpMethod.POST.equals(exchange.getRequest().getMethod())
				|| exchange.getRequest().getHeaders().containsHeader(RelayHttpHeaders.IDEMPOTENCY_KEY)) {
			return null;
		}
		Channel channel = switch (exchange.getRequest().getPath().value()) {
			case "/v1/messages/sms" -> Channel.SMS;
			case "/v1/messages/email" -> Channel.EMAIL;
			case "/v1/events" -> Channel.WEBHOOK;
			default -> null;
		};
		if (channel == null) {
			return null;
		}
		Reservation reservation = new Reservation(RelayIds.next(kind(channel)), channel);
		exchange.getAttributes().put(RESERVATION, reservation);
		return new RedisRateLimiter.OnAdmit(key(scope, reservation.id), value(scope, channel), this.ttl);
	}

	@Override
	public void recorded(ServerWebExchange exchange) {
		Reservation reservation = exchange.getAttribute(RESERVATION);
		if (reservation != null) {
			reservation.recorded = true;
		}
	}

	/**
	 * The id this request's record was already written for, or {@code null}: then the handler
	 * chooses its id and calls {@link #remember}.
	 */
	String recordedId(ServerWebExchange exchange, Channel channel) {
		Reservation reservation = exchange.getAttribute(RESERVATION);
		return (reservation != null && reservation.recorded && reservation.channel == channel) ? reservation.id : null;
	}

	static IdKind kind(Channel channel) {
		return channel == Channel.WEBHOOK ? IdKind.EVENT : IdKind.MESSAGE;
	}

	/** The record of {@code id} if this tenant's request created it. */
	public Mono<Accepted> find(String id, String tenantId) {
		return this.redis.opsForValue().get(key(tenantId, id)).onErrorResume((ex) -> Mono.empty()).mapNotNull((value) -> {
			String[] parts = value.split("\\|", 3);
			if (parts.length != 3 || !parts[0].equals(tenantId)) {
				return null;
			}
			return Channel.ofId(parts[1]).map((channel) -> new Accepted(parts[0], channel, parts[2])).orElse(null);
		});
	}

	/** In the slot of the tenant's rate-limit keys, so the limiter's script may write it (Redis Cluster). */
	private static String key(String tenantId, String id) {
		return RateLimitKeys.tagged(PREFIX, tenantId, id);
	}

	private static String value(String tenantId, Channel channel) {
		return tenantId + "|" + channel.id() + "|" + Instant.now();
	}

}
