package com.cloudgreet.relay.notification.provider;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.cloudgreet.relay.delivery.failover.Failover;
import reactor.core.publisher.Mono;

import org.springframework.boot.health.contributor.AbstractReactiveHealthIndicator;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

/**
 * Each channel's providers with their circuit breaker state and pause. {@code DEGRADED}, not
 * {@code DOWN}, while one is unavailable: the others carry the traffic, and with none left the
 * engine pauses the channel and keeps the messages; taking the instance out of service would help
 * neither.
 */
public class ProvidersHealthIndicator extends AbstractReactiveHealthIndicator {

	public static final Status DEGRADED = new Status("DEGRADED", "A provider is unavailable (breaker open or paused)");

	private final List<Failover<?>> channels;

	public ProvidersHealthIndicator(List<Failover<?>> channels) {
		this.channels = List.copyOf(channels);
	}

	@Override
	protected Mono<Health> doHealthCheck(Health.Builder builder) {
		boolean degraded = false;
		for (Failover<?> channel : this.channels) {
			Map<String, Object> providers = new LinkedHashMap<>();
			for (Failover.ProviderState state : channel.states()) {
				providers.put(state.name(), Map.of("circuitBreaker", state.breaker(), "paused", state.paused()));
				degraded |= !state.available();
			}
			builder.withDetail(channel.channel(), providers);
		}
		return Mono.just((degraded ? builder.status(DEGRADED) : builder.up()).build());
	}

}
