package com.cloudgreet.relay.notification.consume;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

import com.cloudgreet.relay.common.Channel;
import com.cloudgreet.relay.common.alert.DeadLetterAlerter;
import com.cloudgreet.relay.common.json.RelayJson;
import com.cloudgreet.relay.common.kafka.RelayKafkaHeaders;
import com.cloudgreet.relay.common.privacy.Redaction;
import com.cloudgreet.relay.notification.delivery.Generations;
import com.cloudgreet.relay.notification.delivery.MessageStore;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

import org.springframework.stereotype.Component;

/**
 * What happens when a record reaches a dead-letter topic: the message is marked
 * {@code dead_lettered} in the log and an alert goes out. Never fails: a DLT handler that threw
 * would have its record re-published to the DLT it came from, forever.
 */
@Component
public class DeadLetters {

	private static final Logger log = LoggerFactory.getLogger(DeadLetters.class);

	private final MessageStore store;

	private final DeadLetterAlerter alerts;

	private final MeterRegistry meters;

	public DeadLetters(MessageStore store, DeadLetterAlerter alerts, MeterRegistry meters) {
		this.store = store;
		this.alerts = alerts;
		this.meters = meters;
	}

	public Mono<Void> handle(Channel channel, ConsumerRecord<String, byte[]> record) {
		String reason = reason(record);
		Optional<Identity> identity = identify(record.value());
		this.meters.counter("relay.notification.dead.letters", "channel", channel.id(), "identifiable",
				Boolean.toString(identity.isPresent())).increment();
		if (identity.isEmpty()) {
			log.warn("Dead-lettered unidentifiable {} record {}-{}@{}: {}", channel.id(), record.topic(),
					record.partition(), record.offset(), reason);
			this.alerts.deadLettered(channel, null, null, reason);
			return Mono.empty();
		}
		Identity id = identity.get();
		String event = new String(record.value(), StandardCharsets.UTF_8);
		return this.store.markDeadLettered(id.id(), id.tenantId(), channel, event, reason, Generations.of(record))
			.doOnNext((changed) -> {
				if (changed) {
					log.warn("Dead-lettered {} message {}: {}", channel.id(), id.id(), reason);
					this.alerts.deadLettered(channel, id.id(), id.tenantId(), reason);
				}
				else {
					// Delivered, permanently failed, or re-queued since: the DLT copy is a record, not news.
					log.info("{} message {} reached the DLT after settling: {}", channel.id(), id.id(), reason);
				}
			})
			.onErrorResume((ex) -> {
				log.error("Could not mark {} message {} dead-lettered: {}", channel.id(), id.id(), ex.toString());
				return Mono.empty();
			})
			.then();
	}

	/** Redacted again: a direct producer may write to the DLT with a reason of its own. */
	static String reason(ConsumerRecord<?, ?> record) {
		Header header = record.headers().lastHeader(RelayKafkaHeaders.DLT_REASON);
		return header == null ? "unknown" : Redaction.redact(new String(header.value(), StandardCharsets.UTF_8));
	}

	/** Reads id and tenant leniently: a poison record may still name both even if the rest is broken. */
	static Optional<Identity> identify(byte[] value) {
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

}
