package com.cloudgreet.relay.notification.config;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import com.cloudgreet.relay.common.event.CloudEventCodec;
import com.cloudgreet.relay.common.kafka.RelayKafkaHeaders;
import com.cloudgreet.relay.common.kafka.DeclaredTopics;
import com.cloudgreet.relay.common.kafka.RelayKafkaSupport;
import com.cloudgreet.relay.common.kafka.Topics;
import com.cloudgreet.relay.common.message.InvalidMessageException;
import com.cloudgreet.relay.common.privacy.Redaction;
import com.cloudgreet.relay.notification.consume.EmailRequestListener;
import com.cloudgreet.relay.notification.consume.RetryStages;
import com.cloudgreet.relay.notification.consume.SmsRequestListener;
import com.cloudgreet.relay.notification.delivery.PermanentDeliveryException;
import com.cloudgreet.relay.notification.delivery.RetryableDeliveryException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.kafka.core.KafkaOperations;
import org.springframework.kafka.retrytopic.DeadLetterPublishingRecovererFactory;
import org.springframework.kafka.retrytopic.RetryTopicConfiguration;
import org.springframework.kafka.retrytopic.RetryTopicConfigurationSupport;
import org.springframework.kafka.retrytopic.RetryTopicSchedulerWrapper;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;

/**
 * Kafka wiring: the retry topics of each request topic, the reason header on every record sent to
 * a retry or dead-letter topic, and the {@code kafka} health indicator.
 */
@Configuration(proxyBeanMethods = false)
@Import(RelayKafkaSupport.class)
public class KafkaConfiguration extends RetryTopicConfigurationSupport {

	/** Kafka headers have no hard limit, but a reason is for humans and must not bloat records. */
	private static final int MAX_REASON_LENGTH = 1000;

	@Bean
	RetryTopicConfiguration emailRetryTopics(NotificationProperties properties, KafkaOperations<?, ?> template) {
		return EmailRequestListener.retryTopics(properties, template);
	}

	@Bean
	RetryTopicConfiguration smsRetryTopics(NotificationProperties properties, KafkaOperations<?, ?> template) {
		return SmsRequestListener.retryTopics(properties, template);
	}

	/**
	 * Each request topic, its retry topics and its dead-letter topic, created or checked against
	 * relay.kafka.topics.* before the service starts (RelayKafkaSupport), rather than by the
	 * retry-topic setup, which knows no min.insync.replicas and never checks an existing topic.
	 */
	@Bean
	DeclaredTopics notificationTopics(NotificationProperties properties) {
		List<String> names = new ArrayList<>();
		names.addAll(RetryStages.topics(Topics.EMAIL, properties.email().retryDelays()));
		names.addAll(RetryStages.topics(Topics.SMS, properties.sms().retryDelays()));
		return new DeclaredTopics(names);
	}

	/** Its own scheduler, so the retry back-off does not depend on (or disturb) an application-wide one. */
	@Bean
	RetryTopicSchedulerWrapper retryTopicSchedulerWrapper() {
		ThreadPoolTaskScheduler scheduler = new ThreadPoolTaskScheduler();
		scheduler.setThreadNamePrefix("kafka-retry-");
		scheduler.initialize();
		return new RetryTopicSchedulerWrapper(scheduler);
	}

	@Override
	protected java.util.function.Consumer<DeadLetterPublishingRecovererFactory> configureDeadLetterPublishingContainerFactory() {
		return (factory) -> factory.setHeadersFunction(KafkaConfiguration::reasonHeaders);
	}

	/** Adds why a record left its topic, and whose it is, so DLT tooling needs no parsing. */
	static Headers reasonHeaders(ConsumerRecord<?, ?> record, Exception failure) {
		Headers headers = new RecordHeaders();
		// Provider replies and parser messages echo recipients; the header is read by DLT tooling and alerts.
		headers.add(RelayKafkaHeaders.DLT_REASON,
				truncate(Redaction.redact(reason(failure))).getBytes(StandardCharsets.UTF_8));
		if (record.value() instanceof byte[] value) {
			try {
				String tenant = CloudEventCodec.decode(value).tenantId();
				headers.add(RelayKafkaHeaders.TENANT_ID, tenant.getBytes(StandardCharsets.UTF_8));
			}
			catch (InvalidMessageException poison) {
				// No trustworthy tenant to report.
			}
		}
		return headers;
	}

	static String reason(Throwable failure) {
		for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
			if (cause instanceof InvalidMessageException invalid) {
				return "invalid message: " + invalid.getMessage();
			}
			if (cause instanceof PermanentDeliveryException || cause instanceof RetryableDeliveryException) {
				return cause.getMessage();
			}
			if (cause.getCause() == cause) {
				break;
			}
		}
		Throwable root = failure;
		while (root.getCause() != null && root.getCause() != root) {
			root = root.getCause();
		}
		return root.getClass().getSimpleName() + ": " + root.getMessage();
	}

	private static String truncate(String reason) {
		return reason.length() <= MAX_REASON_LENGTH ? reason : reason.substring(0, MAX_REASON_LENGTH) + "…";
	}

}
