package com.cloudgreet.relay.common.metrics;

/**
 * Names of the delivery metrics every consumer service reports the same way, so one dashboard and
 * one set of alert rules (k8s/monitoring) read all channels. Prometheus sees them with dots as
 * underscores and the unit suffixes Micrometer adds ({@code relay_deliveries_total},
 * {@code relay_delivery_latency_seconds_bucket}, ...).
 */
public final class RelayMetrics {

	/** Counter of settled attempts, tags {@code channel} and {@code outcome} ({@link Outcome}). */
	public static final String DELIVERIES = "relay.deliveries";

	/** Timer from accepted (the gateway's 202, or the record's arrival) to delivered, tag {@code channel}; a histogram. */
	public static final String DELIVERY_LATENCY = "relay.delivery.latency";

	/** Counter of records published to a dead-letter topic, tags {@code channel} and {@code cause} ({@link Cause}). */
	public static final String DEAD_LETTERS = "relay.dead.letters";

	/** Counter of webhook endpoints disabled automatically for failing. */
	public static final String ENDPOINTS_DISABLED = "relay.endpoints.disabled";

	/** Gauge, 1 while a channel is paused for an account-level failure, tag {@code channel}. */
	public static final String CHANNEL_PAUSED = "relay.channel.paused";

	/** Values of the {@code outcome} tag of {@link #DELIVERIES}. */
	public enum Outcome {

		DELIVERED, RETRY_SCHEDULED, FAILED, DEAD_LETTERED;

		public String tag() {
			return name().toLowerCase(java.util.Locale.ROOT);
		}

	}

	/** Values of the {@code cause} tag of {@link #DEAD_LETTERS}. */
	public enum Cause {

		/** Every retry stage was spent. */
		EXHAUSTED,
		/** The provider refused the message for good. */
		REJECTED,
		/** The record could not be read or broke the contract (poison). */
		UNREADABLE;

		public String tag() {
			return name().toLowerCase(java.util.Locale.ROOT);
		}

	}

	private RelayMetrics() {
	}

}
