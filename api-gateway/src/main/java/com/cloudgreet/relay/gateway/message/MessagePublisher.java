package com.cloudgreet.relay.gateway.message;

import java.time.Duration;

import com.cloudgreet.relay.common.event.CloudEvent;
import com.cloudgreet.relay.common.event.CloudEventCodec;
import com.cloudgreet.relay.common.kafka.RelayKafkaHeaders;
import com.cloudgreet.relay.gateway.config.GatewayProperties;
import com.cloudgreet.relay.gateway.problem.ApiProblem;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

import static java.nio.charset.StandardCharsets.UTF_8;

/**
 * Publishes request events to their channel's topic and completes only once the broker has
 * acknowledged the record (idempotent producer, {@code acks=all}; see {@code application.yml}).
 * Any failure becomes a {@code 503} with {@code Retry-After}: the caller never answers {@code 202}
 * for something that is not stored.
 */
@Component
public class MessagePublisher {

	private static final Logger log = LoggerFactory.getLogger(MessagePublisher.class);

	private final KafkaTemplate<String, byte[]> kafka;

	private final Duration retryAfter;

	/**
	 * {@code send} may block for up to {@code max.block.ms} when the broker is unknown or the
	 * buffer is full; that must never happen on a Netty event loop, so sends run on a bounded
	 * elastic scheduler instead.
	 */
	private final Scheduler sendScheduler = Schedulers.boundedElastic();

	public MessagePublisher(KafkaTemplate<String, byte[]> kafka, GatewayProperties properties) {
		this.kafka = kafka;
		this.retryAfter = properties.gateway().unavailableRetryAfter();
	}

	public Mono<Void> publish(CloudEvent event, String recordKey) {
		ProducerRecord<String, byte[]> record = new ProducerRecord<>(event.channel().topic(), recordKey,
				CloudEventCodec.encode(event));
		record.headers().add(RelayKafkaHeaders.CONTENT_TYPE, RelayKafkaHeaders.CLOUDEVENTS_JSON.getBytes(UTF_8));
		record.headers().add(RelayKafkaHeaders.TENANT_ID, event.tenantid().getBytes(UTF_8));
		return Mono.defer(() -> Mono.fromFuture(this.kafka.send(record)))
			.subscribeOn(this.sendScheduler)
			.onErrorMap((ex) -> {
				log.warn("Kafka did not accept {} for {}: {}", event.id(), event.channel().topic(), ex.toString());
				return ApiProblem.unavailable("The message could not be queued; nothing was accepted. Retry shortly.",
						this.retryAfter);
			})
			.then();
	}

}
