package com.cloudgreet.relay.delivery.retention;

import java.time.Clock;
import java.time.Instant;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.context.SmartLifecycle;

/**
 * Deletes settled deliveries older than {@code settled-after} every {@code interval}, one small
 * batch per statement until none is left, so the delivery log does not grow without bound and
 * no delete holds locks for long. Runs on every instance: batches lock with {@code SKIP LOCKED},
 * so instances running at once share the work instead of waiting on each other.
 */
public class RetentionJob implements SmartLifecycle {

	private static final Logger log = LoggerFactory.getLogger(RetentionJob.class);

	private final SettledDeliveries settled;

	private final RetentionSettings settings;

	private final Clock clock;

	private final String name;

	private Disposable running;

	public RetentionJob(String name, SettledDeliveries settled, RetentionSettings settings, Clock clock) {
		this.name = name;
		this.settled = settled;
		this.settings = settings;
		this.clock = clock;
	}

	/** One run: deletes everything that settled before now minus {@code settled-after}; the number deleted. */
	public Mono<Long> purge() {
		return Mono.defer(() -> {
			Instant cutoff = this.clock.instant().minus(this.settings.settledAfter());
			int limit = this.settings.batchSize();
			// Deferred: each batch is a new statement, whatever the store's Mono does on resubscription.
			Mono<Long> batch = Mono.defer(() -> this.settled.deleteSettledBefore(cutoff, limit));
			return batch.expand((deleted) -> deleted < limit ? Mono.empty() : batch).reduce(0L, Long::sum);
		});
	}

	@Override
	public synchronized void start() {
		if (this.running != null || !this.settings.enabled()) {
			return;
		}
		this.running = Flux.interval(this.settings.interval(), this.settings.interval())
			.onBackpressureDrop()
			.concatMap((tick) -> purge().doOnNext((deleted) -> {
				if (deleted > 0) {
					log.info("Retention deleted {} settled {} older than {}", deleted, this.name,
							this.settings.settledAfter());
				}
			}).onErrorResume((ex) -> {
				// Not urgent: whatever is left is deleted by the next run.
				log.warn("Retention of settled {} failed; retrying at the next run", this.name, ex);
				return Mono.empty();
			}), 1)
			.subscribe();
	}

	@Override
	public synchronized void stop() {
		if (this.running != null) {
			this.running.dispose();
			this.running = null;
		}
	}

	@Override
	public synchronized boolean isRunning() {
		return this.running != null;
	}

}
