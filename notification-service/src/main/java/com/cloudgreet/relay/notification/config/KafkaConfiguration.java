package com.cloudgreet.relay.notification.config;

import java.util.List;

import com.cloudgreet.relay.common.kafka.DeclaredTopics;
import com.cloudgreet.relay.common.kafka.RelayKafkaSupport;
import com.cloudgreet.relay.common.kafka.Topics;
import com.cloudgreet.relay.common.kafka.producer.ProducerAllowlistConfiguration;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

/**
 * Kafka wiring: the topics this service uses, the {@code kafka} health indicator, and which
 * producers may act for which tenants ({@code relay.kafka.producers}). Retries are not Kafka
 * topics: the delivery engine schedules them in PostgreSQL.
 */
@Configuration(proxyBeanMethods = false)
@Import({ RelayKafkaSupport.class, ProducerAllowlistConfiguration.class })
public class KafkaConfiguration {

	/**
	 * Each request topic and its dead-letter topic, created or checked against relay.kafka.topics.*
	 * before the service starts (RelayKafkaSupport).
	 */
	@Bean
	DeclaredTopics notificationTopics() {
		return new DeclaredTopics(List.of(Topics.EMAIL, Topics.deadLetter(Topics.EMAIL), Topics.SMS,
				Topics.deadLetter(Topics.SMS)));
	}

}
