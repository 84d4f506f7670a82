package com.cloudgreet.relay.notification.delivery;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.Function;

import com.cloudgreet.relay.common.Channel;
import com.cloudgreet.relay.common.event.CloudEventCodec;
import com.cloudgreet.relay.common.event.RelayRequest;
import com.cloudgreet.relay.common.kafka.RecordKeys;
import com.cloudgreet.relay.common.kafka.RelayKafkaHeaders;
import com.cloudgreet.relay.common.message.InvalidMessageException;
import org.apache.kafka.clients.producer.ProducerRecord;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Component;

/**
 * Re-queues a failed or dead-lettered message: its status goes back to {@code queued} (attempts
 * are kept) and the stored CloudEvent, same id, is published again to the request topic.
 */
@Component
public class Requeuer {

	private static final Duration PUBLISH_TIMEOUT = Duration.ofSeconds(10);

	private final MessageStore store;

	private final KafkaTemplate<String, byte[]> kafka;

	public Requeuer(MessageStore store, KafkaTemplate<String, byte[]> kafka) {
		this.store = store;
		this.kafka = kafka;
	}

	public Mono<Result> requeue(String id, String tenantId) {
		// Status first, then publish: the consumer must find the message claimable when the
		// record arrives. If publishing fails, the old status comes back so nothing looks queued
		// that is not.
		return this.store.requeue(id, tenantId)
			.flatMap((requeued) -> Mono.defer(() -> publish(requeued))
				.thenReturn((Result) new Result.Queued())
				.onErrorResume(InvalidMessageException.class, (ex) -> this.store
					.restore(id, requeued.generation(), requeued.previous())
					.thenReturn(new Result.NotRetryable("Message " + id + " was dead-lettered as unreadable ("
							+ ex.getMessage() + "); it cannot be replayed")))
				.onErrorResume(PublishFailedException.class, (ex) -> this.store
					.restore(id, requeued.generation(), requeued.previous())
					.then(Mono.error(ex))))
			.switchIfEmpty(Mono.defer(() -> this.store.find(id, tenantId)
				.map((message) -> (Result) new Result.NotRetryable("Message " + id + " is " + message.status()
						+ "; only failed or dead-lettered messages can be retried"))
				.defaultIfEmpty(new Result.NotFound())));
	}

	private Mono<Void> publish(MessageStore.Requeued requeued) {
		byte[] value = requeued.event().getBytes(StandardCharsets.UTF_8);
		RelayRequest request = CloudEventCodec.decode(value, requeued.channel());
		String key = requeued.channel() == Channel.SMS ? RecordKeys.forSms(request.tenantId(), request.sms().to())
				: RecordKeys.forEvent(request.event());
		ProducerRecord<String, byte[]> record = new ProducerRecord<>(requeued.channel().topic(), key, value);
		record.headers().add(RelayKafkaHeaders.CONTENT_TYPE, RelayKafkaHeaders.CLOUDEVENTS_JSON.getBytes(StandardCharsets.UTF_8));
		record.headers().add(RelayKafkaHeaders.TENANT_ID, request.tenantId().getBytes(StandardCharsets.UTF_8));
		record.headers().add(Generations.HEADER, Integer.toString(requeued.generation()).getBytes(StandardCharsets.UTF_8));
		// send() can block for metadata while the broker is unreachable: keep it off the event loop,
		// and give up in bounded time (the caller gets 503 and the old status is restored).
		return Mono.fromFuture(() -> this.kafka.send(record))
			.subscribeOn(Schedulers.boundedElastic())
			.timeout(PUBLISH_TIMEOUT)
			.onErrorMap(PublishFailedException::new)
			.then();
	}

	/** The request topic could not take the record; nothing was re-queued. */
	public static class PublishFailedException extends RuntimeException {

		PublishFailedException(Throwable cause) {
			super("Could not publish to Kafka: " + cause, cause);
		}

	}

	public sealed interface Result {

		<R> R match(Function<Queued, R> queued, Function<NotFound, R> notFound, Function<NotRetryable, R> notRetryable);

		record Queued() implements Result {

			@Override
			public <R> R match(Function<Queued, R> queued, Function<NotFound, R> notFound,
					Function<NotRetryable, R> notRetryable) {
				return queued.apply(this);
			}

		}

		record NotFound() implements Result {

			@Override
			public <R> R match(Function<Queued, R> queued, Function<NotFound, R> notFound,
					Function<NotRetryable, R> notRetryable) {
				return notFound.apply(this);
			}

		}

		record NotRetryable(String reason) implements Result {

			@Override
			public <R> R match(Function<Queued, R> queued, Function<NotFound, R> notFound,
					Function<NotRetryable, R> notRetryable) {
				return notRetryable.apply(this);
			}

		}

	}

	public record Accepted(String id, String status) {
	}

}
