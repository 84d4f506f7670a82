package com.cloudgreet.relay.common.kafka;

import java.time.Duration;

import com.cloudgreet.relay.common.health.KafkaHealthIndicator;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * What every Relay service needs beside Boot's Kafka auto-configuration: health that reports the
 * broker, and observations that never block a send on a cluster-id lookup. Services
 * {@code @Import} it.
 */
@Configuration(proxyBeanMethods = false)
public class RelayKafkaSupport {

	/** Static: a post-processor must exist before the beans it processes. */
	@Bean
	static KafkaClusterIdWithoutLookup kafkaClusterIdWithoutLookup() {
		return new KafkaClusterIdWithoutLookup();
	}

	@Bean(destroyMethod = "close")
	KafkaHealthIndicator kafkaHealthIndicator(KafkaProperties kafka) {
		return new KafkaHealthIndicator(kafka.buildAdminProperties(), Duration.ofSeconds(3));
	}

}
