package com.cloudgreet.relay.notification.delivery;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import com.cloudgreet.relay.common.Channel;
import com.cloudgreet.relay.common.event.CloudEventCodec;
import com.cloudgreet.relay.common.replay.BulkReplay;
import com.cloudgreet.relay.notification.sender.SenderCheck;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.stereotype.Component;

/**
 * An operator's bulk replay of email and SMS: pages through the window's failed and dead-lettered
 * messages oldest first and re-queues those whose senders their tenant allows now, until
 * {@code limit} are re-queued. The others are left as they are and counted as refused, not as
 * remaining, so a caller repeating while {@code remaining > 0} ends; each call reads past them.
 */
@Component
public class BulkReplayer {

	/** Messages read, checked and re-queued per statement. */
	private static final int PAGE = 500;

	private final MessageStore store;

	private final Engines engines;

	private final SenderCheck senders;

	public BulkReplayer(MessageStore store, Engines engines, SenderCheck senders) {
		this.store = store;
		this.engines = engines;
		this.senders = senders;
	}

	public Mono<BulkReplay.Result> replay(BulkReplay request, int limit) {
		return pages(request, null, limit, new Tally(0, 0)).flatMap((tally) -> {
			if (tally.replayed() > 0) {
				this.engines.wakeUp(Channel.EMAIL);
				this.engines.wakeUp(Channel.SMS);
			}
			// Re-queued messages no longer match; those refused still do.
			return this.store.countReplayable(request)
				.map((left) -> new BulkReplay.Result(tally.replayed(), Math.max(0, left - tally.refused()),
						tally.refused()));
		});
	}

	private Mono<Tally> pages(BulkReplay request, MessageStore.Replayable after, int limit, Tally sofar) {
		int size = (int) Math.min(PAGE, limit - sofar.replayed());
		return this.store.replayable(request, after, size).flatMap((page) -> {
			if (page.isEmpty()) {
				return Mono.just(sofar);
			}
			return Flux.fromIterable(page)
				.filterWhen(this::allowed)
				.map(MessageStore.Replayable::id)
				.collectList()
				.flatMap((ids) -> this.store.replay(ids, request.statuses()).map((moved) -> new Tally(
						sofar.replayed() + moved, sofar.refused() + page.size() - ids.size())))
				.flatMap((tally) -> (page.size() < size || tally.replayed() >= limit) ? Mono.just(tally)
						: pages(request, page.get(page.size() - 1), limit, tally));
		});
	}

	/** Whether the message's tenant allows its senders now; one that no longer decodes is left alone too. */
	private Mono<Boolean> allowed(MessageStore.Replayable message) {
		try {
			return this.senders
				.violations(CloudEventCodec.decode(message.event().getBytes(StandardCharsets.UTF_8), message.channel()))
				.map(List::isEmpty);
		}
		catch (RuntimeException ex) {
			return Mono.just(false);
		}
	}

	private record Tally(long replayed, long refused) {
	}

}
