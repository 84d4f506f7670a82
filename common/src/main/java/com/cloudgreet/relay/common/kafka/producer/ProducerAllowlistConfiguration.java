package com.cloudgreet.relay.common.kafka.producer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The {@link ProducerAllowlist} of a consuming service, from {@code relay.kafka.producers} and {@code anonymous-tenants}. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(ProducerAllowlistProperties.class)
public class ProducerAllowlistConfiguration {

	private static final Logger log = LoggerFactory.getLogger(ProducerAllowlistConfiguration.class);

	@Bean
	ProducerAllowlist producerAllowlist(ProducerAllowlistProperties properties) {
		ProducerAllowlist allowlist = ProducerAllowlist.of(properties);
		log.info("Kafka producers accepted: {}", allowlist.describe());
		return allowlist;
	}

}
