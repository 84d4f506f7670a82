package com.cloudgreet.relay.notification.sender;

import java.util.List;

import com.cloudgreet.relay.common.event.RelayRequest;
import com.cloudgreet.relay.common.message.AllowedSenders;
import com.cloudgreet.relay.common.message.EmailMessage;
import com.cloudgreet.relay.common.message.InvalidMessageException;
import com.cloudgreet.relay.common.message.SmsMessage;
import com.cloudgreet.relay.common.message.Violation;
import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Checks a consumed request's sender against its tenant's allowlist, as the gateway did: a
 * producer writing to Kafka directly must not send as someone its tenant may not. The allowlist
 * is the gateway's, read from the same database rather than copied, through the one view its role
 * may read ({@code gateway.tenant_senders}, migration V3 of api-gateway: not the tenant table with its
 * key hashes), and cached per tenant for {@code relay.senders.cache-ttl}. A
 * tenant the gateway does not know has no allowed senders.
 *
 * <p>At intake a refusal is an {@link InvalidMessageException} under {@code /data}: the record goes
 * straight to the DLT, whose reason names the field, never the address. A database error
 * propagates as itself and the record is retried. Requeues and sends ask {@link #violations}.
 */
@Component
public class TenantSenders implements SenderCheck {

	private static final Mono<List<Violation>> ALLOWED = Mono.just(List.of());

	private final DatabaseClient db;

	private final AsyncCache<String, AllowedSenders> cache;

	public TenantSenders(DatabaseClient db, SenderProperties properties) {
		this.db = db;
		this.cache = Caffeine.newBuilder().expireAfterWrite(properties.cacheTtl()).maximumSize(100_000).buildAsync();
	}

	public Mono<Void> verify(RelayRequest request) {
		return violations(request).flatMap(TenantSenders::refuse);
	}

	/**
	 * What the tenant's allowlist (as cached) says against the request's senders, under {@code /data};
	 * empty if it names none or only allowed ones. Asked again before every send and every requeue,
	 * so narrowing an allowlist also stops messages accepted before; a request that names no sender
	 * of its own costs no lookup.
	 */
	@Override
	public Mono<List<Violation>> violations(RelayRequest request) {
		Object payload = request.payload();
		if (payload instanceof EmailMessage email && (email.from() != null || email.replyTo() != null)) {
			return allowed(request.tenantId()).map((senders) -> nested(senders.check(email)));
		}
		if (payload instanceof SmsMessage sms && sms.from() != null) {
			return allowed(request.tenantId()).map((senders) -> nested(senders.check(sms)));
		}
		return ALLOWED;
	}

	private Mono<AllowedSenders> allowed(String tenantId) {
		return Mono.fromFuture(() -> this.cache.get(tenantId, (id, executor) -> this.db
			.sql("select email_senders, sms_senders from gateway.tenant_senders where id = :id")
			.bind("id", id)
			.map((row, meta) -> senders(row.get(0, String[].class), row.get(1, String[].class)))
			.one()
			.defaultIfEmpty(AllowedSenders.NONE)
			.toFuture()));
	}

	private static AllowedSenders senders(String[] email, String[] sms) {
		return new AllowedSenders(email == null ? List.of() : List.of(email), sms == null ? List.of() : List.of(sms));
	}

	private static List<Violation> nested(List<Violation> violations) {
		return violations.isEmpty() ? violations : new InvalidMessageException(violations).nestedUnder("/data").violations();
	}

	private static Mono<Void> refuse(List<Violation> violations) {
		return violations.isEmpty() ? Mono.empty() : Mono.error(new InvalidMessageException(violations));
	}

}
