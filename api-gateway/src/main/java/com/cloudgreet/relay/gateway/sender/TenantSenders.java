package com.cloudgreet.relay.gateway.sender;

import java.time.Duration;
import java.util.List;

import com.cloudgreet.relay.common.message.AllowedSenders;
import com.cloudgreet.relay.common.message.EmailMessage;
import com.cloudgreet.relay.common.message.InvalidMessageException;
import com.cloudgreet.relay.common.message.SmsMessage;
import com.cloudgreet.relay.common.message.Violation;
import com.cloudgreet.relay.gateway.config.GatewayProperties;
import com.cloudgreet.relay.gateway.problem.ApiProblem;
import com.cloudgreet.relay.gateway.tenant.TenantStore;
import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Decides whether a request's sender ({@code from}, {@code replyTo}) is one its tenant may use.
 * Only requests that name a sender cost a lookup; the allowlist is cached per tenant for
 * {@code relay.gateway.sender-cache-ttl}, and an admin change evicts this gateway's entry at
 * once (other gateways follow within the TTL).
 */
@Component
public class TenantSenders {

	private final TenantStore store;

	private final AsyncCache<String, AllowedSenders> cache;

	private final Duration unavailableRetryAfter;

	public TenantSenders(TenantStore store, GatewayProperties properties) {
		this.store = store;
		this.unavailableRetryAfter = properties.gateway().unavailableRetryAfter();
		Duration ttl = properties.gateway().senderCacheTtl();
		this.cache = Caffeine.newBuilder().expireAfterWrite(ttl).maximumSize(100_000).buildAsync();
	}

	/** Completes if the payload's senders are allowed; fails with the violations (422) if not. */
	public Mono<Void> verify(String tenantId, Object payload) {
		if (payload instanceof EmailMessage email && (email.from() != null || email.replyTo() != null)) {
			return allowed(tenantId).flatMap((senders) -> refuse(senders.check(email)));
		}
		if (payload instanceof SmsMessage sms && sms.from() != null) {
			return allowed(tenantId).flatMap((senders) -> refuse(senders.check(sms)));
		}
		return Mono.empty();
	}

	public void evict(String tenantId) {
		this.cache.synchronous().invalidate(tenantId);
	}

	private Mono<AllowedSenders> allowed(String tenantId) {
		return Mono.fromFuture(() -> this.cache.get(tenantId,
				(id, executor) -> this.store.senders(id).defaultIfEmpty(AllowedSenders.NONE).toFuture()))
			// The database could not answer: "retry shortly", not a 500 (a failed load is not cached).
			.onErrorMap((ex) -> ApiProblem.unavailable("Allowed senders cannot be checked right now; retry shortly.",
					this.unavailableRetryAfter));
	}

	private static Mono<Void> refuse(List<Violation> violations) {
		return violations.isEmpty() ? Mono.empty() : Mono.error(new InvalidMessageException(violations));
	}

}
