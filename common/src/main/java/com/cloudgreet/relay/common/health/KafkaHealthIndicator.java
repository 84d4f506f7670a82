package com.cloudgreet.relay.common.health;

import java.time.Duration;
import java.util.Map;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.springframework.boot.health.contributor.AbstractReactiveHealthIndicator;
import org.springframework.boot.health.contributor.Health;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Reports whether the Kafka cluster answers. Boot has no Kafka health indicator; every Relay
 * service depends on Kafka, so each registers one of these under the name {@code kafka}.
 */
public class KafkaHealthIndicator extends AbstractReactiveHealthIndicator implements AutoCloseable {

	private final Admin admin;

	private final Duration timeout;

	public KafkaHealthIndicator(Map<String, Object> adminProperties, Duration timeout) {
		super("Kafka health check failed");
		var properties = new java.util.HashMap<>(adminProperties);
		properties.putIfAbsent(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
		properties.putIfAbsent(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
		this.admin = Admin.create(properties);
		this.timeout = timeout;
	}

	@Override
	protected Mono<Health> doHealthCheck(Health.Builder builder) {
		var options = new DescribeClusterOptions().timeoutMs((int) this.timeout.toMillis());
		return Mono.fromCallable(() -> {
			var cluster = this.admin.describeCluster(options);
			String clusterId = cluster.clusterId().get();
			int nodes = cluster.nodes().get().size();
			return builder.up().withDetail("clusterId", clusterId).withDetail("nodes", nodes).build();
		}).subscribeOn(Schedulers.boundedElastic());
	}

	@Override
	public void close() {
		this.admin.close(Duration.ofSeconds(2));
	}

}
