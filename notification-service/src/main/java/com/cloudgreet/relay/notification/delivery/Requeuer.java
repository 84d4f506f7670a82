package com.cloudgreet.relay.notification.delivery;

import java.nio.charset.StandardCharsets;
import java.util.function.Function;

import com.cloudgreet.relay.common.event.CloudEventCodec;
import com.cloudgreet.relay.common.event.RelayRequest;
import com.cloudgreet.relay.common.message.InvalidMessageException;
import com.cloudgreet.relay.notification.sender.SenderCheck;
import reactor.core.publisher.Mono;

import org.springframework.stereotype.Component;

/**
 * Re-queues a failed or dead-lettered message: it is due again at once on a fresh retry schedule,
 * same id, attempts kept. Nothing is re-published to Kafka: the engine's queue in PostgreSQL is
 * where the message's delivery state lives, so the retry is one {@code UPDATE} and a wake-up.
 * A message whose sender its tenant does not allow now is left as it is: a record dead-lettered
 * for its sender, or one accepted before the allowlist narrowed, must not go out through a retry.
 */
@Component
public class Requeuer {

	private final MessageStore store;

	private final Engines engines;

	private final SenderCheck senders;

	public Requeuer(MessageStore store, Engines engines, SenderCheck senders) {
		this.store = store;
		this.engines = engines;
		this.senders = senders;
	}

	public Mono<Result> requeue(String id, String tenantId) {
		return this.store.stored(id, tenantId)
			.flatMap((stored) -> {
				if (!"failed".equals(stored.status()) && !"dead_lettered".equals(stored.status())) {
					return Mono.just((Result) new Result.NotRetryable("Message " + id + " is " + stored.status()
							+ "; only failed or dead-lettered messages can be retried"));
				}
				RelayRequest request;
				try {
					request = CloudEventCodec.decode(stored.event().getBytes(StandardCharsets.UTF_8), stored.channel());
				}
				catch (InvalidMessageException ex) {
					return Mono.just((Result) new Result.NotRetryable("Message " + id
							+ " was dead-lettered as unreadable (" + ex.getMessage() + "); it cannot be replayed"));
				}
				return this.senders.violations(request).flatMap((refused) -> refused.isEmpty()
						? requeue(id, tenantId, stored)
						: Mono.just((Result) new Result.SenderRefused("Message " + id + " was left as it is: "
								+ SenderCheck.describe(refused))));
			})
			.defaultIfEmpty(new Result.NotFound());
	}

	private Mono<Result> requeue(String id, String tenantId, MessageStore.Stored stored) {
		return this.store.requeue(id, tenantId).map((requeued) -> {
			if (!requeued) {
				return (Result) new Result.NotRetryable(
						"Message " + id + " changed meanwhile; only failed or dead-lettered messages can be retried");
			}
			this.engines.wakeUp(stored.channel());
			return new Result.Queued();
		});
	}

	public sealed interface Result {

		<R> R match(Function<Queued, R> queued, Function<NotFound, R> notFound, Function<NotRetryable, R> notRetryable,
				Function<SenderRefused, R> senderRefused);

		record Queued() implements Result {

			@Override
			public <R> R match(Function<Queued, R> queued, Function<NotFound, R> notFound,
					Function<NotRetryable, R> notRetryable, Function<SenderRefused, R> senderRefused) {
				return queued.apply(this);
			}

		}

		record NotFound() implements Result {

			@Override
			public <R> R match(Function<Queued, R> queued, Function<NotFound, R> notFound,
					Function<NotRetryable, R> notRetryable, Function<SenderRefused, R> senderRefused) {
				return notFound.apply(this);
			}

		}

		record NotRetryable(String reason) implements Result {

			@Override
			public <R> R match(Function<Queued, R> queued, Function<NotFound, R> notFound,
					Function<NotRetryable, R> notRetryable, Function<SenderRefused, R> senderRefused) {
				return notRetryable.apply(this);
			}

		}

		/** Its tenant does not allow its sender (now); {@code reason} names the field, never the address. */
		record SenderRefused(String reason) implements Result {

			@Override
			public <R> R match(Function<Queued, R> queued, Function<NotFound, R> notFound,
					Function<NotRetryable, R> notRetryable, Function<SenderRefused, R> senderRefused) {
				return senderRefused.apply(this);
			}

		}

	}

	public record Accepted(String id, String status) {
	}

}
