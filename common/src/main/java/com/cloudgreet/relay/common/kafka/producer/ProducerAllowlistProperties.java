package com.cloudgreet.relay.common.kafka.producer;

import java.util.List;
import java.util.Map;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Who a consumer accepts records from ({@code relay.kafka.*}, one shape in every consuming
 * service): each named producer's key and the tenants it may act for, and the tenants an unsigned
 * record (principal {@code anonymous}) may name. Checked by {@link ProducerAllowlist#of}.
 *
 * @param producers principal name (lower-case letters and digits, as in {@code relay-producer})
 * to its key and tenants
 * @param anonymousTenants tenants of unsigned records: none by default, {@code *} for all
 */
@ConfigurationProperties("relay.kafka")
public record ProducerAllowlistProperties(Map<String, Producer> producers, List<String> anonymousTenants) {

	public ProducerAllowlistProperties {
		producers = producers == null ? Map.of() : Map.copyOf(producers);
		anonymousTenants = anonymousTenants == null ? List.of() : List.copyOf(anonymousTenants);
	}

	/**
	 * @param key base64 of at least 32 bytes, shared with the producer
	 * @param tenants tenant ids it may act for, or {@code *} for all
	 */
	public record Producer(String key, List<String> tenants) {

		public Producer {
			tenants = tenants == null ? List.of() : List.copyOf(tenants);
		}

		@Override
		public String toString() {
			return "Producer[key=" + (this.key == null || this.key.isBlank() ? "" : "***") + ", tenants=" + this.tenants
					+ "]";
		}

	}

}
