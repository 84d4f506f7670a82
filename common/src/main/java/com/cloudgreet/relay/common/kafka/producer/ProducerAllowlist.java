package com.cloudgreet.relay.common.kafka.producer;

import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

import com.cloudgreet.relay.common.kafka.RelayKafkaHeaders;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/**
 * Decides whether a record may act for the tenant it names: its producer ({@code relay-producer},
 * or {@code anonymous} when unsigned) must be known, its signature must verify with that
 * producer's key, and the tenant must be one of the producer's. Kafka's ACLs decide who may write
 * a request topic at all; this decides for whom. One HMAC per record at most.
 */
public final class ProducerAllowlist {

	/** The principal of an unsigned record. */
	public static final String ANONYMOUS = "anonymous";

	/** The gateway signs as this principal; it acts for every tenant. */
	public static final String GATEWAY = "gateway";

	/** In a tenants list: every tenant. */
	public static final String ALL_TENANTS = "*";

	/** Principal names are map keys of the configuration, so env vars can spell them too. */
	private static final Pattern NAME = Pattern.compile("[a-z0-9]{1,64}");

	private final Map<String, Principal> principals;

	private final Tenants anonymous;

	private ProducerAllowlist(Map<String, Principal> principals, Tenants anonymous) {
		this.principals = principals;
		this.anonymous = anonymous;
	}

	/** Fails start-up on a bad entry, naming the setting and never a key. */
	public static ProducerAllowlist of(ProducerAllowlistProperties properties) {
		// Sorted: the start-up log lists them in a stable order.
		Map<String, Principal> principals = new TreeMap<>();
		properties.producers().forEach((name, producer) -> {
			String setting = "relay.kafka.producers." + name;
			if (!NAME.matcher(name).matches() || ANONYMOUS.equals(name)) {
				throw new IllegalArgumentException(setting + ": a producer's name is 1 to 64 lower-case letters and "
						+ "digits, and not \"" + ANONYMOUS + "\"");
			}
			if (producer.tenants().isEmpty()) {
				throw new IllegalArgumentException(setting + ".tenants lists no tenant: name its tenants, or " + ALL_TENANTS);
			}
			principals.put(name, new Principal(SigningKey.decode(producer.key(), setting + ".key"),
					Tenants.of(producer.tenants(), setting + ".tenants")));
		});
		return new ProducerAllowlist(Collections.unmodifiableMap(principals),
				Tenants.of(properties.anonymousTenants(), "relay.kafka.anonymous-tenants"));
	}

	/** Why {@code record} may not act for {@code tenantId}, in words for the DLT reason; empty if it may. */
	public Optional<String> refusal(ConsumerRecord<String, byte[]> record, String tenantId) {
		String name = text(record.headers().lastHeader(RelayKafkaHeaders.PRODUCER));
		String signature = text(record.headers().lastHeader(RelayKafkaHeaders.PRODUCER_SIGNATURE));
		if (name == null) {
			if (signature != null) {
				return Optional.of("producer signature invalid: a signature without a " + RelayKafkaHeaders.PRODUCER
						+ " header");
			}
			return this.anonymous.includes(tenantId) ? Optional.empty()
					: Optional.of("unsigned record: producer '" + ANONYMOUS + "' may not act for tenant '" + tenantId + "'");
		}
		Principal principal = NAME.matcher(name).matches() ? this.principals.get(name) : null;
		if (principal == null) {
			return Optional.of("unknown producer " + shown(name));
		}
		if (!principal.tenants().includes(tenantId)) {
			return Optional.of("producer '" + name + "' may not act for tenant '" + tenantId + "'");
		}
		if (!ProducerSignature.verifies(principal.key(), record.topic(), record.key(), record.value(), signature)) {
			return Optional.of("producer signature invalid (producer '" + name + "')");
		}
		return Optional.empty();
	}

	/** Names and tenant counts for the start-up log; no key. */
	public String describe() {
		StringBuilder text = new StringBuilder();
		this.principals.forEach((name, principal) -> text.append(name).append(" (").append(principal.tenants()).append("), "));
		return text.append(ANONYMOUS).append(" (").append(this.anonymous).append(')').toString();
	}

	/** A name from a header is the producer's choice: quoted only when it is a valid name. */
	private static String shown(String name) {
		return NAME.matcher(name).matches() ? "'" + name + "'" : "(not a valid producer name)";
	}

	private static String text(Header header) {
		return header == null || header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
	}

	private record Principal(SigningKey key, Tenants tenants) {
	}

	private record Tenants(boolean all, Set<String> ids) {

		static Tenants of(List<String> configured, String setting) {
			if (configured.contains(ALL_TENANTS)) {
				if (configured.size() > 1) {
					throw new IllegalArgumentException(setting + ": " + ALL_TENANTS + " stands alone (every tenant)");
				}
				return new Tenants(true, Set.of());
			}
			if (configured.stream().anyMatch((id) -> id == null || id.isBlank())) {
				throw new IllegalArgumentException(setting + " has a blank tenant id");
			}
			return new Tenants(false, Set.copyOf(configured.stream().map(String::trim).toList()));
		}

		boolean includes(String tenantId) {
			return this.all || this.ids.contains(tenantId);
		}

		@Override
		public String toString() {
			if (this.all) {
				return "all tenants";
			}
			return this.ids.isEmpty() ? "no tenant" : this.ids.size() + (this.ids.size() == 1 ? " tenant" : " tenants");
		}

	}

}
