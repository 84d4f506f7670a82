package com.cloudgreet.relay.webhook.delivery;

import com.cloudgreet.relay.delivery.RetrySchedule;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import com.cloudgreet.relay.common.metrics.DeliveryMetrics;
import com.cloudgreet.relay.common.metrics.RelayMetrics;
import com.cloudgreet.relay.common.metrics.RelayMetrics.Outcome;
import com.cloudgreet.relay.webhook.delivery.AttemptOutcome.Delivered;
import com.cloudgreet.relay.webhook.delivery.AttemptOutcome.PermanentFailure;
import com.cloudgreet.relay.webhook.delivery.AttemptOutcome.RetryableFailure;
import com.cloudgreet.relay.webhook.delivery.DeliveryStore.NextState;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * The last stage of an attempt: decide the delivery's next state from the outcome and the
 * schedule, record it, keep the endpoint's failure streak, and dead-letter or disable as needed.
 */
public class OutcomeHandler {

	private static final Logger log = LoggerFactory.getLogger(OutcomeHandler.class);

	private final DeliveryStore store;

	private final RetrySchedule schedule;

	private final AutoDisableRule autoDisable;

	private final DeadLetters deadLetters;

	private final MeterRegistry meters;

	private final DeliveryMetrics deliveries;

	private final Counter endpointsDisabled;

	private final Clock clock;

	public OutcomeHandler(DeliveryStore store, RetrySchedule schedule, AutoDisableRule autoDisable,
			DeadLetters deadLetters, DeliveryMetrics deliveries, MeterRegistry meters, Clock clock) {
		this.store = store;
		this.schedule = schedule;
		this.autoDisable = autoDisable;
		this.deadLetters = deadLetters;
		this.meters = meters;
		this.deliveries = deliveries;
		// Registered up front, so the dashboard shows 0 rather than no data before the first one.
		this.endpointsDisabled = meters.counter(RelayMetrics.ENDPOINTS_DISABLED);
		this.clock = clock;
	}

	public Mono<Void> handle(DeliveryTask task, String owner, Instant attemptedAt, AttemptOutcome outcome) {
		this.meters.timer("relay.webhook.attempts", "outcome", outcome.name()).record(outcome.latency());
		if (outcome instanceof Delivered) {
			this.deliveries.delivered(Duration.between(task.acceptedAt(), this.clock.instant()));
		}
		log.info("Delivery {} of {} to endpoint {}: {} (HTTP {}, {} ms)", task.deliveryId(), task.eventId(),
				task.endpointId(), outcome.name(), outcome.statusCode(), outcome.latency().toMillis());
		// The three records of a sealed interface (Java 17 has no pattern switch yet).
		if (outcome instanceof Delivered d) {
			return this.store.recordAttempt(task, owner, attemptedAt, d, NextState.DELIVERED, null).then();
		}
		if (outcome instanceof RetryableFailure r) {
			return retryOrDeadLetter(task, owner, attemptedAt, r);
		}
		PermanentFailure p = (PermanentFailure) outcome;
		return this.store.recordAttempt(task, owner, attemptedAt, p, NextState.FAILED, null)
			.filter(Boolean::booleanValue)
			.doOnNext((held) -> this.deliveries.count(Outcome.FAILED))
			.flatMap((held) -> p.disableEndpoint() ? disable(task, "receiver answered 410 Gone") : failureStreak(task));
	}

	private Mono<Void> retryOrDeadLetter(DeliveryTask task, String owner, Instant at, RetryableFailure failure) {
		Optional<Duration> delay = this.schedule.nextDelay(task.retriesUsed(), failure.retryAfter());
		if (delay.isPresent()) {
			return this.store.recordAttempt(task, owner, at, failure, NextState.RETRY, delay.get())
				.filter(Boolean::booleanValue)
				.doOnNext((held) -> this.deliveries.count(Outcome.RETRY_SCHEDULED))
				.flatMap((held) -> failureStreak(task));
		}
		String reason = "retry schedule exhausted after " + task.nextAttemptNumber() + " attempts; last: "
				+ failure.error();
		return this.store.recordAttempt(task, owner, at, failure, NextState.DEAD_LETTERED, null)
			.filter(Boolean::booleanValue)
			.flatMap((held) -> this.store.cloudEvent(task.tenantId(), task.eventId()))
			.flatMap((cloudEvent) -> this.deadLetters.delivery(task, cloudEvent, reason))
			.doOnSuccess((ignored) -> this.deliveries.count(Outcome.DEAD_LETTERED))
			// The delivery is dead_lettered in PostgreSQL either way, which the API shows and replay
			// works from; a failed DLT publish must not leave it pending.
			.onErrorResume((ex) -> {
				log.error("Delivery {} is dead-lettered but publishing it to the DLT failed", task.deliveryId(), ex);
				return Mono.empty();
			})
			.then(failureStreak(task));
	}

	private Mono<Void> failureStreak(DeliveryTask task) {
		Instant now = this.clock.instant();
		return this.store.endpointFailed(task.endpointId(), now)
			.filter((streak) -> streak.enabled()
					&& this.autoDisable.shouldDisable(streak.failures(), streak.failingSince(), now))
			.flatMap((streak) -> disable(task, this.autoDisable.reason(streak.failures(), streak.failingSince())));
	}

	private Mono<Void> disable(DeliveryTask task, String reason) {
		return this.store.disableEndpoint(task.endpointId(), reason).filter(Boolean::booleanValue).doOnNext((switched) -> {
			log.warn("Endpoint {} of tenant {} disabled: {}", task.endpointId(), task.tenantId(), reason);
			this.endpointsDisabled.increment();
			this.deadLetters.endpointDisabled(task.tenantId(), task.endpointId(), reason);
		}).then();
	}

}
