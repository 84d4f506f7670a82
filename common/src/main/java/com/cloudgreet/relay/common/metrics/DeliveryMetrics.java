package com.cloudgreet.relay.common.metrics;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;

import com.cloudgreet.relay.common.Channel;
import com.cloudgreet.relay.common.metrics.RelayMetrics.Cause;
import com.cloudgreet.relay.common.metrics.RelayMetrics.Outcome;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * One channel's delivery metrics under the shared names of {@link RelayMetrics}. Meters are
 * registered once here, not looked up per delivery.
 */
public final class DeliveryMetrics {

	private final Map<Outcome, Counter> outcomes = new EnumMap<>(Outcome.class);

	private final Map<Cause, Counter> deadLetters = new EnumMap<>(Cause.class);

	private final Timer latency;

	public DeliveryMetrics(MeterRegistry meters, Channel channel) {
		for (Outcome outcome : Outcome.values()) {
			this.outcomes.put(outcome, Counter.builder(RelayMetrics.DELIVERIES)
				.tag("channel", channel.id())
				.tag("outcome", outcome.tag())
				.register(meters));
		}
		for (Cause cause : Cause.values()) {
			this.deadLetters.put(cause, Counter.builder(RelayMetrics.DEAD_LETTERS)
				.tag("channel", channel.id())
				.tag("cause", cause.tag())
				.register(meters));
		}
		// A histogram, so p99 can be computed across instances; bounded buckets from 5 ms to 6 h.
		this.latency = Timer.builder(RelayMetrics.DELIVERY_LATENCY)
			.tag("channel", channel.id())
			.publishPercentileHistogram()
			.minimumExpectedValue(Duration.ofMillis(5))
			.maximumExpectedValue(Duration.ofHours(6))
			.register(meters);
	}

	/** A delivery succeeded {@code sinceAccepted} after it was accepted. */
	public void delivered(Duration sinceAccepted) {
		count(Outcome.DELIVERED);
		this.latency.record(sinceAccepted.isNegative() ? Duration.ZERO : sinceAccepted);
	}

	public void count(Outcome outcome) {
		this.outcomes.get(outcome).increment();
	}

	/** A record went to the channel's dead-letter topic. */
	public void deadLettered(Cause cause) {
		this.deadLetters.get(cause).increment();
	}

}
