package com.cloudgreet.relay.webhook.delivery;

import java.time.Duration;
import java.util.Map;

import com.cloudgreet.relay.common.Channel;
import com.cloudgreet.relay.common.event.CloudEventCodec;
import com.cloudgreet.relay.common.event.RelayRequest;
import com.cloudgreet.relay.common.kafka.Topics;
import com.cloudgreet.relay.common.alert.DeadLetterAlerter;
import com.cloudgreet.relay.common.message.InvalidMessageException;
import com.cloudgreet.relay.common.metrics.DeliveryMetrics;
import com.cloudgreet.relay.common.metrics.RelayMetrics.Cause;
import com.cloudgreet.relay.common.privacy.Redaction;
import com.cloudgreet.relay.delivery.DeadLetterPublisher;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.annotation.KafkaListener;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

/**
 * Consumes {@code relay.webhook.v1}. The returned Mono completes once the event's deliveries are
 * stored, and only then does the offset commit (async acks), so a crash never loses an event;
 * a redelivered record is a no-op (see {@link FanOut}). Retries of deliveries do not go through
 * Kafka retry topics but the delivery engine's schedule in PostgreSQL: see the README for why.
 * A record that cannot be decoded goes straight to the DLT as it came, never retried.
 */
public class WebhookEventListener {

	static final String LISTENER_ID = "webhook-events";

	private static final Logger log = LoggerFactory.getLogger(WebhookEventListener.class);

	/** Store outages are waited out, never skipped: skipping would lose the event. */
	private static final Retry UNTIL_STORED = Retry.backoff(Long.MAX_VALUE, Duration.ofMillis(200))
		.maxBackoff(Duration.ofSeconds(30))
		.doBeforeRetry((signal) -> log.warn("Storing a webhook event failed (attempt {}); retrying",
				signal.totalRetries() + 1, signal.failure()));

	private final FanOut fanOut;

	private final DeadLetterPublisher deadLetters;

	private final DeadLetterAlerter alerter;

	private final DeliveryMetrics metrics;

	public WebhookEventListener(FanOut fanOut, DeadLetterPublisher deadLetters, DeadLetterAlerter alerter,
			DeliveryMetrics metrics) {
		this.fanOut = fanOut;
		this.deadLetters = deadLetters;
		this.alerter = alerter;
		this.metrics = metrics;
	}

	// idIsGroup = false: the consumer group comes from spring.kafka.consumer.group-id, not the id.
	@KafkaListener(id = LISTENER_ID, idIsGroup = false, topics = Topics.WEBHOOK)
	public Mono<Void> onEvent(ConsumerRecord<String, byte[]> record) {
		RelayRequest request;
		try {
			if (record.value() == null) {
				throw InvalidMessageException.of("", "record has no value");
			}
			request = CloudEventCodec.decode(record.value(), Channel.WEBHOOK);
		}
		catch (InvalidMessageException ex) {
			return poison(record, ex.getMessage()).retryWhen(UNTIL_STORED).contextCapture();
		}
		// contextCapture: the record's trace (from its traceparent header) follows the fan-out.
		return this.fanOut.accept(request).retryWhen(UNTIL_STORED).then().contextCapture();
	}

	private Mono<Void> poison(ConsumerRecord<String, byte[]> record, String cause) {
		// Parser messages may quote what they could not read, and a record's key is the producer's
		// choice; neither may carry a recipient into the header, the log or the alert.
		String reason = DeadLetterPublisher.reason(cause);
		String shownKey = record.key() == null ? "(no key)" : Redaction.redact(record.key());
		return this.deadLetters.publish(WebhookChannel.DEAD_LETTER_TOPIC, record.key(), record.value(), reason, null,
				Map.of())
			.doOnSuccess((sent) -> {
				log.warn("Poison record on {} (key {}) sent to {}: {}", Topics.WEBHOOK, shownKey,
						WebhookChannel.DEAD_LETTER_TOPIC, reason);
				this.alerter.deadLettered(Channel.WEBHOOK, shownKey, "(unknown)", reason);
				this.metrics.deadLettered(Cause.UNREADABLE);
			});
	}

}
