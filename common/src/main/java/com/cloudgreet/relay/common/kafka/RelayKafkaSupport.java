package com.cloudgreet.relay.common.kafka;

import java.time.Duration;

import com.cloudgreet.relay.common.health.KafkaHealthIndicator;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.listener.CommonErrorHandler;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.util.backoff.BackOff;
import org.springframework.util.backoff.ExponentialBackOff;

/**
 * What every Relay service needs beside Boot's Kafka auto-configuration: its topics created and
 * checked against {@code relay.kafka.topics.*} before it starts, health that reports the broker,
 * and observations that never block a send on a cluster-id lookup. Services {@code @Import} it and
 * declare their topics as {@link DeclaredTopics} beans.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(TopicPolicy.class)
public class RelayKafkaSupport {

	/** Static: a post-processor must exist before the beans it processes. */
	@Bean
	static KafkaClusterIdWithoutLookup kafkaClusterIdWithoutLookup() {
		return new KafkaClusterIdWithoutLookup();
	}

	/** Creates and checks every topic the service declared ({@link DeclaredTopics} beans) before it starts. */
	@Bean
	TopicProvisioner topicProvisioner(KafkaProperties kafka, TopicPolicy policy, ObjectProvider<DeclaredTopics> declared) {
		return new TopicProvisioner(kafka.buildAdminProperties(), policy, declared.orderedStream().toList());
	}

	@Bean(destroyMethod = "close")
	KafkaHealthIndicator kafkaHealthIndicator(KafkaProperties kafka) {
		return new KafkaHealthIndicator(kafka.buildAdminProperties(), Duration.ofSeconds(3));
	}

	/**
	 * What a listener container does when a listener fails. Poison records never get here (the
	 * listeners dead-letter them with their reason); what does is a bug or an outage, and the
	 * default (ten tries, then skip) would commit the offsets of records that were never stored.
	 * So the batch is tried again, with pauses growing to 30 s, until it succeeds: a stuck partition
	 * shows as consumer lag (RelayConsumerLagGrowing), and nothing is lost. Between tries the
	 * handler pauses the consumer and keeps polling it (spring-kafka's batch retry), so a long
	 * outage does not cost the consumer its place in the group ({@link IntakeRetry}).
	 */
	@Bean
	IntakeRetry intakeRetry(@Value("${relay.kafka.intake.wait-in-place:30s}") Duration waitInPlace) {
		return new IntakeRetry(waitInPlace);
	}

	@Bean
	CommonErrorHandler neverSkippingErrorHandler() {
		return new DefaultErrorHandler(untilHandled());
	}

	static BackOff untilHandled() {
		ExponentialBackOff backOff = new ExponentialBackOff(1_000, 2);
		backOff.setMaxInterval(30_000);
		backOff.setMaxElapsedTime(Long.MAX_VALUE);
		backOff.setMaxAttempts(Integer.MAX_VALUE);
		return backOff;
	}

}
