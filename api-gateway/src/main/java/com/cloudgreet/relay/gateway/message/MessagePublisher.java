package com.cloudgreet.relay.gateway.message;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

import com.cloudgreet.relay.common.event.CloudEvent;
import com.cloudgreet.relay.common.event.CloudEventCodec;
import com.cloudgreet.relay.common.kafka.RelayKafkaHeaders;
import com.cloudgreet.relay.common.kafka.producer.ProducerAllowlist;
import com.cloudgreet.relay.common.kafka.producer.ProducerSignature;
import com.cloudgreet.relay.common.kafka.producer.SigningKey;
import com.cloudgreet.relay.gateway.config.GatewayProperties;
import com.cloudgreet.relay.gateway.config.ProducerKeyProperties;
import com.cloudgreet.relay.gateway.problem.ApiProblem;
import com.cloudgreet.relay.gateway.problem.ProblemExceptionHandler;
import com.cloudgreet.relay.gateway.web.RequestTrace;
import io.micrometer.context.ContextSnapshot;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.header.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.support.SendResult;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.util.context.ContextView;

import static java.nio.charset.StandardCharsets.UTF_8;

/**
 * Publishes request events to their channel's topic and completes only once the broker has
 * acknowledged the record (idempotent producer, {@code acks=all}; see {@code application.yml}).
 * Any failure becomes a {@code 503} with {@code Retry-After}: the caller never answers {@code 202}
 * for something that is not stored. The one exception is a record too large for Kafka, which no
 * retry can fix: it is {@code 413}, refused before sending when the producer's
 * {@code max.request.size} would refuse it, and mapped from {@link RecordTooLargeException} when
 * the broker's limit ({@code max.message.bytes}) is the lower one.
 * <p>
 * Every record is signed as producer {@code gateway} (relay-producer, relay-producer-signature):
 * the consumers believe a record's tenant only from a producer allowed to act for it, and the
 * gateway acts for every tenant.
 */
@Component
public class MessagePublisher {

	private static final Logger log = LoggerFactory.getLogger(MessagePublisher.class);

	private final KafkaTemplate<String, byte[]> kafka;

	/** Kafka's default {@code max.request.size}. */
	private static final int DEFAULT_MAX_REQUEST_SIZE = 1024 * 1024;

	/**
	 * Room for what the producer adds beyond key, value and our headers: the record batch header
	 * (61 bytes), per-record varints, and the {@code traceparent} header the observation adds.
	 */
	static final int RECORD_OVERHEAD = 512;

	private final Duration retryAfter;

	private final int maxRecordBytes;

	/**
	 * {@code send} may block for up to {@code max.block.ms} when the producer does not exist yet, the
	 * topic's metadata is unknown or the buffer is full; that must never happen on a Netty event loop.
	 * Such sends run on a bounded elastic scheduler. All others run where the request is ({@link SendPath}).
	 */
	private final Scheduler sendScheduler = Schedulers.boundedElastic();

	private final SendPath sendPath;

	private final SigningKey signingKey;

	private static final byte[] GATEWAY = ProducerAllowlist.GATEWAY.getBytes(UTF_8);

	public MessagePublisher(KafkaTemplate<String, byte[]> kafka, GatewayProperties properties,
			ProducerKeyProperties producerKey) {
		this.kafka = kafka;
		this.signingKey = signingKey(producerKey);
		this.sendPath = new SendPath(kafka);
		this.retryAfter = properties.gateway().unavailableRetryAfter();
		this.maxRecordBytes = maxRequestSize(kafka);
		long maxBody = properties.gateway().maxBodySize().toBytes();
		if (maxBody > this.maxRecordBytes) {
			// Bodies the HTTP layer admits could never be queued: every one near the cap would be 413.
			throw new IllegalStateException("relay.gateway.max-body-size (" + maxBody
					+ " bytes) exceeds the Kafka producer's max.request.size (" + this.maxRecordBytes
					+ " bytes); lower the one or raise the other (and the topics' max.message.bytes)");
		}
	}

	/** Start-up stops without a usable key: unsigned records would all be dead-lettered by the consumers. */
	private static SigningKey signingKey(ProducerKeyProperties producerKey) {
		try {
			return SigningKey.decode(producerKey.key(), "relay.kafka.producer.key");
		}
		catch (IllegalArgumentException ex) {
			throw new IllegalStateException(ex.getMessage() + ". The gateway signs every record it publishes with it, "
					+ "and the consumers list the same key as relay.kafka.producers.gateway.key.");
		}
	}

	private static int maxRequestSize(KafkaTemplate<String, byte[]> kafka) {
		Object configured = kafka.getProducerFactory()
			.getConfigurationProperties()
			.get(ProducerConfig.MAX_REQUEST_SIZE_CONFIG);
		return configured == null ? DEFAULT_MAX_REQUEST_SIZE : Integer.parseInt(configured.toString().trim());
	}

	public Mono<Void> publish(CloudEvent event, String recordKey) {
		return publish(event, recordKey, null);
	}

	/**
	 * As {@link #publish(CloudEvent, String)}, and signals the outcome on {@code completion} (the
	 * request's own Netty event loop) rather than on the producer's I/O thread, which completes
	 * every send: left there, the rest of every request (observations, the response) would run
	 * single file on that one thread, and delay its next batch. The answer is written on the
	 * connection's event loop anyway, so this moves that hop earlier rather than adding one.
	 */
	public Mono<Void> publish(CloudEvent event, String recordKey, Executor completion) {
		byte[] value = CloudEventCodec.encode(event);
		ProducerRecord<String, byte[]> record = new ProducerRecord<>(event.channel().topic(), recordKey, value);
		record.headers().add(RelayKafkaHeaders.CONTENT_TYPE, RelayKafkaHeaders.CLOUDEVENTS_JSON.getBytes(UTF_8));
		record.headers().add(RelayKafkaHeaders.TENANT_ID, event.tenantid().getBytes(UTF_8));
		record.headers().add(RelayKafkaHeaders.PRODUCER, GATEWAY);
		record.headers().add(RelayKafkaHeaders.PRODUCER_SIGNATURE,
				ProducerSignature.sign(this.signingKey, record.topic(), recordKey, value).getBytes(UTF_8));
		int size = estimatedSize(record);
		if (size > this.maxRecordBytes) {
			return Mono.error(tooLarge(size));
		}
		String topic = record.topic();
		Mono<Void> send = Mono.deferContextual((context) -> Mono.fromFuture(completion == null
				? send(record, context) : send(record, context).whenCompleteAsync((result, ex) -> { }, completion)))
			.doOnSuccess((result) -> this.sendPath.succeeded(topic))
			.doOnError((ex) -> this.sendPath.failed())
			.then();
		if (!this.sendPath.wouldNotBlock(topic)) {
			send = send.subscribeOn(this.sendScheduler);
		}
		// The failure is logged with the request's trace id (restored for the log line only).
		return send.onErrorResume((ex) -> Mono.deferContextual((context) -> {
			try (ContextSnapshot.Scope scope = RequestTrace.restore(context)) {
				if (isRecordTooLarge(ex)) {
					log.info("Kafka refused {} for {} as too large ({} bytes)", event.id(), event.channel().topic(), size);
					return Mono.error(tooLarge(size));
				}
				log.warn("Kafka did not accept {} for {}: {}", event.id(), event.channel().topic(), ex.toString());
				return Mono.error(ApiProblem.unavailable(
						"The message could not be queued; nothing was accepted. Retry shortly.", this.retryAfter));
			}
		}));
	}

	/**
	 * Sends with the request's observation current, so the template's observation is its child and
	 * the record carries the caller's trace ({@code traceparent}). Context propagation is limited
	 * (not automatic, see {@code application.yml}): this is the one place on the hot path that
	 * reads the trace from thread locals, so it restores them here, for the call only.
	 */
	private CompletableFuture<SendResult<String, byte[]>> send(ProducerRecord<String, byte[]> record,
			ContextView context) {
		try (ContextSnapshot.Scope scope = RequestTrace.restore(context)) {
			return this.kafka.send(record);
		}
	}

	/** An upper bound of what the producer checks against {@code max.request.size}. */
	static int estimatedSize(ProducerRecord<String, byte[]> record) {
		long size = RECORD_OVERHEAD + record.value().length
				+ (record.key() == null ? 0 : record.key().getBytes(UTF_8).length);
		for (Header header : record.headers()) {
			size += header.key().getBytes(UTF_8).length + (header.value() == null ? 0 : header.value().length);
		}
		return (int) Math.min(Integer.MAX_VALUE, size);
	}

	private static boolean isRecordTooLarge(Throwable ex) {
		for (Throwable cause = ex; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
			if (cause instanceof RecordTooLargeException) {
				return true;
			}
		}
		return false;
	}

	private ApiProblem tooLarge(int size) {
		// Not 503: retrying the same request can never succeed.
		return ProblemExceptionHandler.tooLarge("The message is too large to queue: about " + size
				+ " bytes as a Kafka record, over the limit of " + this.maxRecordBytes + " bytes. Send a smaller body.");
	}

}
