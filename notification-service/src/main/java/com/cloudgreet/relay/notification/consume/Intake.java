package com.cloudgreet.relay.notification.consume;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.cloudgreet.relay.common.Channel;
import com.cloudgreet.relay.common.alert.DeadLetterAlerter;
import com.cloudgreet.relay.common.event.CloudEventCodec;
import com.cloudgreet.relay.common.event.RelayRequest;
import com.cloudgreet.relay.common.json.RelayJson;
import com.cloudgreet.relay.common.kafka.IntakeRetry;
import com.cloudgreet.relay.common.kafka.Topics;
import com.cloudgreet.relay.common.kafka.producer.ProducerAllowlist;
import com.cloudgreet.relay.common.message.InvalidMessageException;
import com.cloudgreet.relay.common.message.SendAt;
import com.cloudgreet.relay.common.metrics.DeliveryMetrics;
import com.cloudgreet.relay.common.metrics.RelayMetrics;
import com.cloudgreet.relay.delivery.DeadLetterPublisher;
import com.cloudgreet.relay.delivery.DeliveryEngine;
import com.cloudgreet.relay.notification.config.NotificationProperties;
import com.cloudgreet.relay.notification.delivery.DecodedRequests;
import com.cloudgreet.relay.notification.delivery.Engines;
import com.cloudgreet.relay.notification.delivery.MessageJob;
import com.cloudgreet.relay.notification.delivery.MessageStore;
import com.cloudgreet.relay.notification.delivery.NewMessage;
import com.cloudgreet.relay.notification.sender.TenantSenders;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

import org.springframework.stereotype.Component;

/**
 * Takes one poll's records of a request topic into the engine: decode and check each, store the
 * good ones in one statement (claiming as many as the engine has free slots for, which it starts
 * at once), dead-letter the poison ones with their reason. The listener returns, and the offsets
 * commit, only after all of that: nothing is acknowledged before it is durable. Database outages
 * are waited out with backoff, never skipped.
 */
@Component
public class Intake {

	private static final Logger log = LoggerFactory.getLogger(Intake.class);

	private static final String TRACEPARENT = "traceparent";

	private final MessageStore store;

	private final TenantSenders senders;

	private final Engines engines;

	private final DeadLetterPublisher deadLetters;

	private final DeadLetterAlerter alerter;

	/** Dead letters of records no engine ever saw (poison), under the shared delivery metrics. */
	private final Map<Channel, DeliveryMetrics> deadLetterCounts = new EnumMap<>(Channel.class);

	private final Duration lease;

	private final DecodedRequests decoded;

	private final ProducerAllowlist producers;

	private final IntakeRetry retry;

	public Intake(MessageStore store, TenantSenders senders, Engines engines, DeadLetterPublisher deadLetters,
			DeadLetterAlerter alerter, MeterRegistry meters, NotificationProperties properties,
			DecodedRequests decoded, ProducerAllowlist producers, IntakeRetry retry) {
		this.store = store;
		this.retry = retry;
		this.producers = producers;
		this.decoded = decoded;
		this.senders = senders;
		this.engines = engines;
		this.deadLetters = deadLetters;
		this.alerter = alerter;
		for (Channel channel : List.of(Channel.EMAIL, Channel.SMS)) {
			this.deadLetterCounts.put(channel, new DeliveryMetrics(meters, channel));
		}
		this.lease = properties.delivery().lease();
	}

	/**
	 * Blocks the listener thread (not an event loop) until the batch is durable, or fails it for the
	 * container to offer again while its consumer is paused ({@link IntakeRetry}).
	 */
	public void accept(Channel channel, List<ConsumerRecord<String, byte[]>> records) {
		this.retry.await(() -> store(channel, records), "Storing a batch of " + channel.id() + " requests");
	}

	private Mono<Void> store(Channel channel, List<ConsumerRecord<String, byte[]>> records) {
		return Flux.fromIterable(records)
			.concatMap((record) -> check(channel, record))
			.collectList()
			.flatMap((items) -> {
				List<NewMessage> good = new ArrayList<>();
				List<Poison> poison = new ArrayList<>();
				items.forEach((item) -> {
					if (item.message() != null) {
						good.add(item.message());
					}
					else {
						poison.add(item.poison());
					}
				});
				DeliveryEngine<MessageJob> engine = this.engines.of(channel);
				String destination = MessageJob.destinationOf(channel);
				// A message scheduled ahead is stored to wait, never dispatched at once; one whose
				// sendAt passed while it sat in Kafka is sent at once like any other.
				Instant now = Instant.now();
				List<NewMessage> scheduled = good.stream().filter((m) -> SendAt.isAhead(m.sendAt(), now)).toList();
				List<NewMessage> due = good.stream().filter((m) -> !SendAt.isAhead(m.sendAt(), now)).toList();
				var reservation = engine
					.reserve(due.stream().map((m) -> new DeliveryEngine.Slot(m.tenantId(), destination)).toList());
				// Messages with a slot go first: the store claims the first count() of the batch.
				List<NewMessage> ordered = new ArrayList<>(good.size());
				for (int i = 0; i < due.size(); i++) {
					if (reservation.granted(i)) {
						ordered.add(due.get(i));
					}
				}
				for (int i = 0; i < due.size(); i++) {
					if (!reservation.granted(i)) {
						ordered.add(due.get(i));
					}
				}
				ordered.addAll(scheduled);
				return this.store.ingest(channel, ordered, reservation.count(), engine.owner(), this.lease)
					.doOnError((ex) -> reservation.cancel())
					.doOnCancel(reservation::cancel)
					.flatMap((ingested) -> {
						keepDecoded(ordered, reservation.count());
						reservation.start(ingested.claimed());
						if (due.size() > reservation.count()) {
							engine.wakeUp();
						}
						for (String foreign : ingested.foreign()) {
							good.stream().filter((m) -> m.id().equals(foreign)).findFirst().ifPresent((m) -> poison
								.add(new Poison(m.id(), m.event().getBytes(StandardCharsets.UTF_8),
										"invalid message: " + InvalidMessageException
											.of("/id", "is already used by a message of another tenant")
											.getMessage(), null, false)));
						}
						return Flux.fromIterable(poison).concatMap((p) -> deadLetter(channel, p)).then();
					});
			});
	}

	/**
	 * The messages stored without a claim (all but the first {@code claimed} of the batch) wait for a
	 * poll: their decoded requests are kept for it, so the attempt does not decode them again.
	 */
	private void keepDecoded(List<NewMessage> ordered, int claimed) {
		for (int i = claimed; i < ordered.size(); i++) {
			NewMessage message = ordered.get(i);
			this.decoded.put(message.id(), message.event(), message.request());
		}
	}

	/** A record's message, or why it is poison. Sender checks read the database: their errors propagate. */
	private Mono<Item> check(Channel channel, ConsumerRecord<String, byte[]> record) {
		RelayRequest request;
		try {
			if (record.value() == null) {
				throw InvalidMessageException.of("", "record has no value");
			}
			request = CloudEventCodec.decode(record.value(), channel);
		}
		catch (InvalidMessageException ex) {
			return Mono.just(Item.poison(record, "invalid message: " + ex.getMessage(), null));
		}
		catch (RuntimeException ex) {
			// A decoder bug on one record must not hold up (or, retried, block) the whole poll.
			return Mono.just(Item.poison(record, "unexpected error reading the record: " + ex.getClass().getSimpleName(),
					null));
		}
		Optional<String> refusal = this.producers.refusal(record, request.tenantId());
		if (refusal.isPresent()) {
			return Mono.just(Item.refused(record, refusal.get()));
		}
		return this.senders.verify(request)
			.thenReturn(Item.good(new NewMessage(request.id(), request.tenantId(),
					new String(record.value(), StandardCharsets.UTF_8), traceparent(record), request)))
			.onErrorResume(InvalidMessageException.class,
					(ex) -> Mono.just(Item.poison(record, "invalid message: " + ex.getMessage(), request.tenantId())));
	}

	private Mono<Void> deadLetter(Channel channel, Poison poison) {
		String reason = DeadLetterPublisher.reason(poison.reason());
		Optional<Identity> identity = poison.identifiable() ? identify(poison.value()) : Optional.empty();
		Mono<Void> recorded = identity.map((id) -> this.store.deadLetterPoison(channel, id.id(), id.tenantId(),
				new String(poison.value(), StandardCharsets.UTF_8), reason)).orElse(Mono.empty());
		return recorded
			.then(this.deadLetters.publish(Topics.deadLetter(channel.topic()), poison.key(), poison.value(), reason,
					poison.tenantId(), Map.of()))
			.then(Mono.fromRunnable(() -> {
				this.deadLetterCounts.get(channel).deadLettered(RelayMetrics.Cause.UNREADABLE);
				if (identity.isPresent()) {
					log.warn("Dead-lettered {} message {}: {}", channel.id(), identity.get().id(), reason);
					this.alerter.deadLettered(channel, identity.get().id(), identity.get().tenantId(), reason);
				}
				else {
					log.warn("Dead-lettered unidentifiable {} record: {}", channel.id(), reason);
					this.alerter.deadLettered(channel, null, null, reason);
				}
			}));
	}

	private static String traceparent(ConsumerRecord<?, ?> record) {
		Header header = record.headers().lastHeader(TRACEPARENT);
		return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
	}

	/** Reads id and tenant leniently: a poison record may still name both even if the rest is broken. */
	static Optional<Identity> identify(byte[] value) {
		if (value == null) {
			return Optional.empty();
		}
		try {
			JsonNode tree = RelayJson.mapper().readTree(value);
			String id = tree.path("id").asString(null);
			String tenant = tree.path("tenantid").asString(null);
			if (id == null || tenant == null || !id.matches("[A-Za-z0-9_.:\\-]{1,128}")
					|| !tenant.matches("[A-Za-z0-9_.:\\-]{1,128}")) {
				return Optional.empty();
			}
			return Optional.of(new Identity(id, tenant));
		}
		catch (RuntimeException ex) {
			return Optional.empty();
		}
	}

	record Identity(String id, String tenantId) {
	}

	/** A record to dead-letter as it came; {@code identifiable}: may name a message of the log. */
	record Poison(String key, byte[] value, String reason, String tenantId, boolean identifiable) {
	}

	private record Item(NewMessage message, Poison poison) {

		static Item good(NewMessage message) {
			return new Item(message, null);
		}

		static Item poison(ConsumerRecord<String, byte[]> record, String reason, String tenantId) {
			return new Item(null, new Poison(record.key(), record.value(), reason, tenantId, true));
		}

		/**
		 * A record whose producer may not act for the tenant it names: neither recorded in that
		 * tenant's log (where a retry or bulk replay would send it, and its id would be taken) nor
		 * labelled with the tenant in the DLT.
		 */
		static Item refused(ConsumerRecord<String, byte[]> record, String reason) {
			return new Item(null, new Poison(record.key(), record.value(), reason, null, false));
		}

	}

}
