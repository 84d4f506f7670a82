package com.cloudgreet.relay.webhook.delivery;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.cloudgreet.relay.common.Channel;
import com.cloudgreet.relay.common.event.CloudEventCodec;
import com.cloudgreet.relay.common.event.RelayRequest;
import com.cloudgreet.relay.common.kafka.IntakeRetry;
import com.cloudgreet.relay.common.kafka.Topics;
import com.cloudgreet.relay.common.kafka.producer.ProducerAllowlist;
import com.cloudgreet.relay.common.alert.DeadLetterAlerter;
import com.cloudgreet.relay.common.message.InvalidMessageException;
import com.cloudgreet.relay.common.metrics.DeliveryMetrics;
import com.cloudgreet.relay.common.metrics.RelayMetrics.Cause;
import com.cloudgreet.relay.common.privacy.Redaction;
import com.cloudgreet.relay.delivery.DeadLetterPublisher;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.annotation.KafkaListener;
import reactor.core.publisher.Mono;

/**
 * Consumes {@code relay.webhook.v1} one poll at a time: the batch's events and their deliveries
 * are stored in one statement ({@link FanOut}), its poison records go to the DLT with the reason,
 * and only when that is done does the listener return and the batch's offsets commit, so a crash
 * never loses an event; a redelivered record is a no-op. Retries of deliveries do not go through
 * Kafka retry topics but the delivery engine's schedule in PostgreSQL: see docs/kafka-contract.md for why.
 */
public class WebhookEventListener {

	static final String LISTENER_ID = "webhook-events";

	private static final String TRACEPARENT = "traceparent";

	private static final Logger log = LoggerFactory.getLogger(WebhookEventListener.class);

	private final FanOut fanOut;

	private final DeadLetterPublisher deadLetters;

	private final DeadLetterAlerter alerter;

	private final DeliveryMetrics metrics;

	private final ProducerAllowlist producers;

	private final IntakeRetry retry;

	public WebhookEventListener(FanOut fanOut, DeadLetterPublisher deadLetters, DeadLetterAlerter alerter,
			DeliveryMetrics metrics, ProducerAllowlist producers, IntakeRetry retry) {
		this.fanOut = fanOut;
		this.retry = retry;
		this.producers = producers;
		this.deadLetters = deadLetters;
		this.alerter = alerter;
		this.metrics = metrics;
	}

	/**
	 * Blocks the listener thread (a consumer thread, not an event loop) until the batch is durable:
	 * the container commits the offsets when this returns. idIsGroup = false: the consumer group
	 * comes from spring.kafka.consumer.group-id, not the id.
	 */
	@KafkaListener(id = LISTENER_ID, idIsGroup = false, topics = Topics.WEBHOOK, batch = "true")
	public void onEvents(List<ConsumerRecord<String, byte[]>> records) {
		List<FanOut.Accepted> events = new ArrayList<>(records.size());
		List<Poison> poison = new ArrayList<>();
		for (ConsumerRecord<String, byte[]> record : records) {
			try {
				if (record.value() == null) {
					throw InvalidMessageException.of("", "record has no value");
				}
				RelayRequest request = CloudEventCodec.decode(record.value(), Channel.WEBHOOK);
				// A producer that may not act for the event's tenant: dead-lettered, never fanned out.
				Optional<String> refusal = this.producers.refusal(record, request.tenantId());
				if (refusal.isPresent()) {
					poison.add(new Poison(record, refusal.get()));
					continue;
				}
				events.add(new FanOut.Accepted(request, record.value(), traceparent(record)));
			}
			catch (InvalidMessageException ex) {
				poison.add(new Poison(record, ex.getMessage()));
			}
			catch (RuntimeException ex) {
				// A decoder bug on one record must not hold up (or, retried, block) the whole poll.
				poison.add(new Poison(record, "unexpected error reading the record: " + ex.getClass().getSimpleName()));
			}
		}
		// Store and DLT outages are waited out, never skipped (skipping would lose records): in place
		// for a while, then with the consumer paused (IntakeRetry). Each step is tried on its own, so
		// a DLT outage does not store the events again; a batch offered again after a long one does
		// (a no-op) and may publish a poison record to the DLT twice.
		this.retry.await(() -> this.fanOut.accept(events), "Storing a batch of webhook events");
		for (Poison p : poison) {
			this.retry.await(() -> deadLetter(p.record(), p.cause()), "Dead-lettering a poison webhook record");
		}
	}

	/** The record's trace, stored with its event: every delivery attempt continues it. */
	private static String traceparent(ConsumerRecord<?, ?> record) {
		Header header = record.headers().lastHeader(TRACEPARENT);
		return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
	}

	/** A record that cannot be decoded, and why: it goes to the DLT as it came, never retried. */
	private record Poison(ConsumerRecord<String, byte[]> record, String cause) {
	}

	private Mono<Void> deadLetter(ConsumerRecord<String, byte[]> record, String cause) {
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
