package com.cloudgreet.relay.notification.delivery;

import java.nio.charset.StandardCharsets;
import java.util.function.Function;

import com.cloudgreet.relay.common.event.CloudEventCodec;
import com.cloudgreet.relay.common.message.InvalidMessageException;
import reactor.core.publisher.Mono;

import org.springframework.stereotype.Component;

/**
 * Re-queues a failed or dead-lettered message: it is due again at once on a fresh retry schedule,
 * same id, attempts kept. Nothing is re-published to Kafka: the engine's queue in PostgreSQL is
 * where the message's delivery state lives, so the retry is one {@code UPDATE} and a wake-up.
 */
@Component
public class Requeuer {

	private final MessageStore store;

	private final Engines engines;

	public Requeuer(MessageStore store, Engines engines) {
		this.store = store;
		this.engines = engines;
	}

	public Mono<Result> requeue(String id, String tenantId) {
		return this.store.stored(id, tenantId)
			.flatMap((stored) -> {
				if (!"failed".equals(stored.status()) && !"dead_lettered".equals(stored.status())) {
					return Mono.just((Result) new Result.NotRetryable("Message " + id + " is " + stored.status()
							+ "; only failed or dead-lettered messages can be retried"));
				}
				try {
					CloudEventCodec.decode(stored.event().getBytes(StandardCharsets.UTF_8), stored.channel());
				}
				catch (InvalidMessageException ex) {
					return Mono.just((Result) new Result.NotRetryable("Message " + id
							+ " was dead-lettered as unreadable (" + ex.getMessage() + "); it cannot be replayed"));
				}
				return this.store.requeue(id, tenantId).map((requeued) -> {
					if (!requeued) {
						return (Result) new Result.NotRetryable(
								"Message " + id + " changed meanwhile; only failed or dead-lettered messages can be retried");
					}
					this.engines.wakeUp(stored.channel());
					return new Result.Queued();
				});
			})
			.defaultIfEmpty(new Result.NotFound());
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
