package com.cloudgreet.relay.notification.consume;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import com.cloudgreet.relay.common.kafka.Topics;
import com.cloudgreet.relay.common.message.InvalidMessageException;
import com.cloudgreet.relay.notification.delivery.PermanentDeliveryException;

import org.springframework.kafka.retrytopic.RetryTopicConfigurationBuilder;
import org.springframework.kafka.retrytopic.SameIntervalTopicReuseStrategy;
import org.springframework.kafka.support.EndpointHandlerMethod;
import org.springframework.util.backoff.BackOff;
import org.springframework.util.backoff.BackOffExecution;

/**
 * The non-blocking retry setup of one request topic, built from configuration: one retry topic
 * per configured delay ({@code <topic>-retry-0}, {@code -retry-1}, ... as {@link Topics#retry}
 * names them), then {@code <topic>-dlt}. Poison records and permanent failures skip the stages.
 */
public final class RetryStages {

	private RetryStages() {
	}

	/** The request topic, one retry topic per delay and the dead-letter topic: every topic one channel uses. */
	public static List<String> topics(String topic, List<Duration> delays) {
		List<String> names = new ArrayList<>();
		names.add(topic);
		for (int stage = 0; stage < delays.size(); stage++) {
			names.add(Topics.retry(topic, stage));
		}
		names.add(Topics.deadLetter(topic));
		return names;
	}

	static RetryTopicConfigurationBuilder configure(String topic, List<Duration> delays, String listenerBean) {
		return RetryTopicConfigurationBuilder.newInstance()
			.includeTopic(topic)
			.customBackoff(new Schedule(delays))
			.maxAttempts(delays.size() + 1)
			.retryTopicSuffix(Topics.RETRY_SUFFIX)
			.dltSuffix(Topics.DLT_SUFFIX)
			.suffixTopicsWithIndexValues()
			// Equal delays would otherwise share one topic and break the one-stage-per-delay naming.
			.sameIntervalTopicReuseStrategy(SameIntervalTopicReuseStrategy.MULTIPLE_TOPICS)
			.notRetryOn(List.of(InvalidMessageException.class, PermanentDeliveryException.class))
			.traversingCauses()
			// TopicProvisioner creates them with the configured durability, and checks them.
			.doNotAutoCreateRetryTopics()
			// Retry and DLT traffic is a small fraction of the request traffic: one consumer thread
			// per retry topic per instance is plenty and saves a consumer (and its buffers) each.
			.concurrency(1)
			.dltHandlerMethod(new EndpointHandlerMethod(listenerBean, "onDeadLetter"));
	}

	/** The configured delays, in order, then stop. */
	record Schedule(List<Duration> delays) implements BackOff {

		Schedule {
			delays = List.copyOf(delays);
		}

		@Override
		public BackOffExecution start() {
			var remaining = this.delays.iterator();
			return () -> remaining.hasNext() ? remaining.next().toMillis() : BackOffExecution.STOP;
		}

	}

}
