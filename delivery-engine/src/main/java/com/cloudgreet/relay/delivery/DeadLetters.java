package com.cloudgreet.relay.delivery;

import java.time.Duration;

import com.cloudgreet.relay.common.Channel;
import com.cloudgreet.relay.common.alert.DeadLetterAlerter;
import com.cloudgreet.relay.common.metrics.DeliveryMetrics;
import com.cloudgreet.relay.common.metrics.RelayMetrics;
import com.cloudgreet.relay.delivery.DeliveryQueue.OwedDeadLetter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.context.ContextView;
import reactor.util.retry.Retry;
import reactor.util.retry.RetryBackoffSpec;

/**
 * A channel's dead letters, published from the queue's outbox (see {@link DeliveryQueue}): once
 * right after the write that settled the delivery, and by a sweep, on every instance, for each
 * record still owed after the grace (its publisher died between that write and Kafka, or gave up
 * while Kafka was away). A published record is marked in the queue, then logged, counted and, for
 * an exhausted schedule, alerted. At least once: a record whose publisher was only slow may reach
 * the DLT twice, never not at all.
 */
final class DeadLetters<J extends Job> {

	private static final Logger log = LoggerFactory.getLogger(DeadLetters.class);

	/** Owed records picked per sweep; the next sweep takes the rest. */
	private static final int SWEEP_BATCH = 100;

	/** Owed records of one sweep published at once. */
	private static final int SWEEP_CONCURRENCY = 8;

	/** Kafka blips are retried in place, within the engine's share of the grace. */
	private static final RetryBackoffSpec UNTIL_PUBLISHED = Retry.backoff(Long.MAX_VALUE, Duration.ofMillis(200))
		.maxBackoff(Duration.ofSeconds(10));

	/** Marking a record published is retried briefly: should it fail, a sweep publishes the record again. */
	private static final RetryBackoffSpec UNTIL_MARKED = Retry.backoff(3, Duration.ofMillis(100));

	private final Channel kind;

	private final DeliveryQueue<J> queue;

	private final DeliveryChannel<J> channel;

	private final Duration grace;

	private final DeadLetterAlerter alerter;

	private final DeliveryMetrics deliveries;

	private final TraceParents traces;

	DeadLetters(Channel kind, DeliveryQueue<J> queue, DeliveryChannel<J> channel, Duration grace,
			DeadLetterAlerter alerter, DeliveryMetrics deliveries, TraceParents traces) {
		this.kind = kind;
		this.queue = queue;
		this.channel = channel;
		this.grace = grace;
		this.alerter = alerter;
		this.deliveries = deliveries;
		this.traces = traces;
	}

	/**
	 * Publishes the job's DLT record, owed since its delivery settled, and marks it published;
	 * answers whether Kafka has it. Kafka errors are retried for half the grace; after that the
	 * record is left owed, for a sweep, and the attempt's slot is freed.
	 */
	Mono<Boolean> publish(J job, String reason, boolean exhausted, ContextView context) {
		return this.channel.deadLetter(job, reason)
			.retryWhen(UNTIL_PUBLISHED.doBeforeRetry((signal) -> log.warn(
					"Publishing the dead letter of {} message {} failed; retrying", this.kind.id(), job.id())))
			.timeout(this.grace.dividedBy(2))
			.thenReturn(true)
			.onErrorResume((ex) -> {
				log.warn("The dead letter of {} message {} is not published yet ({}); a sweep publishes it",
						this.kind.id(), job.id(), ex.toString());
				return Mono.just(false);
			})
			.flatMap((published) -> !published ? Mono.just(false)
					: marked(job).then(Mono.fromCallable(() -> {
						announce(job, reason, exhausted, context);
						return true;
					})));
	}

	private Mono<Void> marked(J job) {
		return this.queue.deadLetterPublished(job).retryWhen(UNTIL_MARKED).onErrorResume((ex) -> {
			log.warn("Marking the dead letter of {} message {} published failed; a sweep may publish it again: {}",
					this.kind.id(), job.id(), ex.toString());
			return Mono.empty();
		});
	}

	private void announce(J job, String reason, boolean exhausted, ContextView context) {
		if (exhausted) {
			TraceParents.inScope(context, () -> log.warn("Dead-lettered {} message {}: {}", this.kind.id(), job.id(),
					DeadLetterPublisher.reason(reason)));
			this.deliveries.count(RelayMetrics.Outcome.DEAD_LETTERED);
			this.deliveries.deadLettered(RelayMetrics.Cause.EXHAUSTED);
			this.alerter.deadLettered(this.kind, job.id(), job.tenantId(), reason);
			return;
		}
		// Failed, not dead-lettered: the DLT record tells consumers of the DLT, no alert.
		this.deliveries.deadLettered(RelayMetrics.Cause.REJECTED);
		TraceParents.inScope(context, () -> log.info("{} message {} reached the DLT as failed: {}", this.kind.id(),
				job.id(), DeadLetterPublisher.reason(reason)));
	}

	/** Publishes the records owed for longer than the grace; the number published. */
	Mono<Long> sweep() {
		return this.queue.claimOwedDeadLetters(this.grace, SWEEP_BATCH)
			.flatMap(this::publishOwed, SWEEP_CONCURRENCY)
			.filter(Boolean::booleanValue)
			.count()
			.doOnNext((published) -> {
				if (published > 0) {
					log.warn("Published {} {} dead letter(s) their publisher had left owed", published, this.kind.id());
				}
			});
	}

	private Mono<Boolean> publishOwed(OwedDeadLetter<J> owed) {
		J job = owed.job();
		return this.traces.continueIn(job.traceparent(), job.id(),
				Mono.deferContextual((context) -> publish(job, owed.reason(), owed.exhausted(), context)));
	}

	/** Sweeps every half of the grace until disposed; a failed sweep (database away) is tried again next time. */
	Disposable sweepEvery() {
		Duration every = this.grace.dividedBy(2);
		return Flux.interval(every, every)
			.onBackpressureDrop()
			.concatMap((tick) -> sweep().onErrorResume((ex) -> {
				log.warn("Sweeping owed {} dead letters failed; retrying next time: {}", this.kind.id(), ex.toString());
				return Mono.just(0L);
			}), 1)
			.subscribe();
	}

}
