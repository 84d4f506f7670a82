package com.cloudgreet.relay.gateway.config;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The key the gateway signs every record it publishes with, as producer {@code gateway}
 * ({@code relay.kafka.producer.key}, base64 of at least 32 bytes). Required: the consumers list
 * the same key as {@code relay.kafka.producers.gateway.key}. Never printed.
 */
@ConfigurationProperties("relay.kafka.producer")
public record ProducerKeyProperties(String key) {

	@Override
	public String toString() {
		return "ProducerKeyProperties[key=" + (this.key == null || this.key.isBlank() ? "" : "***") + "]";
	}

}
