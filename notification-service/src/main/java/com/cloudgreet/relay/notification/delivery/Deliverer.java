package com.cloudgreet.relay.notification.delivery;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import com.cloudgreet.relay.common.Channel;
import com.cloudgreet.relay.common.event.RelayRequest;
import com.cloudgreet.relay.common.message.InvalidMessageException;
import com.cloudgreet.relay.notification.config.NotificationProperties;
import io.github.resilience4j.core.IntervalBiFunction;
import io.github.resilience4j.reactor.retry.RetryOperator;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.github.resilience4j.retry.RetryRegistry;
import io.github.resilience4j.micrometer.tagged.TaggedRetryMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

import org.springframework.stereotype.Component;

/**
 * Delivers one request: record and claim it in the log, call the provider with a few fast
 * in-process retries, and record the result. What cannot be finished here is thrown to the Kafka
 * listener as a {@link RetryableDeliveryException} (next retry topic) or a
 * {@link PermanentDeliveryException} (straight to the DLT).
 */
@Component
public class Deliverer {

	private static final Logger log = LoggerFactory.getLogger(Deliverer.class);

	private final MessageStore store;

	private final NotificationProperties.Delivery settings;

	private final Retry retry;

	private final MeterRegistry meters;

	private final InFlight inFlight;

	public Deliverer(MessageStore store, NotificationProperties properties, MeterRegistry meters, InFlight inFlight) {
		this.store = store;
		this.inFlight = inFlight;
		this.settings = properties.delivery();
		this.meters = meters;
		RetryRegistry retries = RetryRegistry.of(retryConfig(this.settings));
		// resilience4j_retry_calls{name="provider",kind=successful_with_retry|failed_with_retry|...}
		TaggedRetryMetrics.ofRetryRegistry(retries).bindTo(meters);
		this.retry = retries.retry("provider");
	}

	/**
	 * @param permit completes when the provider's outbound rate allows one more send
	 * @param send one provider call, subscribed once per attempt
	 */
	public Mono<Void> deliver(Channel channel, RelayRequest request, String event, Mono<Void> permit,
			Mono<SendOutcome> send) {
		String id = request.id();
		return this.inFlight.track(this.store.claim(id, request.tenantId(), channel, event, this.settings.claimLease())
			.flatMap((claim) -> claim.<Mono<Void>>match(
					(claimed) -> send(channel, id, claimed.notBefore(), permit, send),
					(settled) -> {
						// A redelivered record (restart, rebalance, duplicate produce): effectively-once
						// means we never call the provider again for a message that already settled.
						log.info("Skipping {} message {}: already {}", channel.id(), id, settled.status().value());
						return Mono.empty();
					},
					(held) -> Mono.error(new RetryableDeliveryException(
							"message " + id + " is being sent by another consumer until " + held.leaseUntil())),
					(foreign) -> Mono.error(
							InvalidMessageException.of("/id", "is already used by a message of another tenant")))));
	}

	private Mono<Void> send(Channel channel, String id, Instant notBefore, Mono<Void> permit, Mono<SendOutcome> send) {
		Duration wait = notBefore == null ? Duration.ZERO : Duration.between(Instant.now(), notBefore);
		if (wait.compareTo(this.settings.maxRetryAfterInProcess()) > 0) {
			// The provider asked for a longer pause than we hold a claim for: hand the message to
			// the next retry stage instead of tying up this consumer.
			return this.store.release(id, notBefore, "provider asked to wait until " + notBefore)
				.then(Mono.error(new RetryableDeliveryException("provider asked to wait until " + notBefore)));
		}
		Mono<Void> pause = wait.isNegative() || wait.isZero() ? Mono.empty() : Mono.delay(wait).then();
		return pause.then(attempts(channel, id, permit, send)).flatMap((outcome) -> conclude(channel, id, outcome));
	}

	private Mono<SendOutcome> attempts(Channel channel, String id, Mono<Void> permit, Mono<SendOutcome> send) {
		Mono<SendOutcome> attempt = permit.then(Mono.defer(() -> {
			Instant at = Instant.now();
			long started = System.nanoTime();
			return send.flatMap((outcome) -> {
				long nanos = System.nanoTime() - started;
				timer(channel, outcome).record(nanos, TimeUnit.NANOSECONDS);
				return this.store.recordAttempt(id, at, outcome, TimeUnit.NANOSECONDS.toMillis(nanos)).thenReturn(outcome);
			});
		}));
		return attempt
			.flatMap((outcome) -> (outcome instanceof SendOutcome.RetryableFailure failure)
					? Mono.<SendOutcome>error(new TransientAttempt(failure)) : Mono.just(outcome))
			.transformDeferred(RetryOperator.of(this.retry))
			.onErrorResume(TransientAttempt.class, (ex) -> Mono.just(ex.failure));
	}

	private Mono<Void> conclude(Channel channel, String id, SendOutcome outcome) {
		return outcome.<Mono<Void>>match(
				(delivered) -> this.store.markDelivered(id, delivered.providerMessageId())
					.doOnSuccess((done) -> log.info("Delivered {} message {} ({})", channel.id(), id,
							delivered.providerCode())),
				(failure) -> {
					Instant notBefore = failure.retryAfterHint().map(Instant.now()::plus).orElse(null);
					return this.store.release(id, notBefore, describe(failure))
						.then(Mono.error(new RetryableDeliveryException("transient failure: " + describe(failure))));
				},
				(failure) -> this.store.markFailed(id, describe(failure))
					.then(Mono.error(new PermanentDeliveryException("permanent failure: " + describe(failure)))));
	}

	private Timer timer(Channel channel, SendOutcome outcome) {
		String name = outcome.outcomeName();
		return Timer.builder("relay.notification.attempts")
			.description("Provider calls by channel and outcome")
			.tag("channel", channel.id())
			.tag("outcome", name)
			.publishPercentileHistogram()
			.register(this.meters);
	}

	static String describe(SendOutcome outcome) {
		String code = outcome.providerCode() == null ? "" : outcome.providerCode() + " ";
		return code + (outcome.detail() == null ? "" : outcome.detail());
	}

	/**
	 * Transient outcomes only are retried in process, jittered exponentially; a provider's own
	 * Retry-After replaces the backoff, and one longer than we are willing to hold a claim for
	 * ends the in-process retries so the retry topics take over.
	 */
	static RetryConfig retryConfig(NotificationProperties.Delivery settings) {
		IntervalBiFunction<Object> interval = (attempt, result) -> {
			if (result.isLeft() && result.getLeft() instanceof TransientAttempt transientAttempt
					&& transientAttempt.failure.retryAfter() != null) {
				return transientAttempt.failure.retryAfter().toMillis();
			}
			double base = settings.initialBackoff().toMillis() * Math.pow(settings.backoffMultiplier(), attempt - 1);
			return (long) (base * (0.5 + ThreadLocalRandom.current().nextDouble()));
		};
		Duration maxWait = settings.maxRetryAfterInProcess();
		return RetryConfig.custom()
			.maxAttempts(settings.inProcessAttempts())
			.intervalBiFunction(interval)
			.retryOnException((ex) -> ex instanceof TransientAttempt transientAttempt
					&& (transientAttempt.failure.retryAfter() == null
							|| transientAttempt.failure.retryAfter().compareTo(maxWait) <= 0))
			.build();
	}

	/** Carries a transient outcome through resilience4j's error-based retry. */
	static final class TransientAttempt extends RuntimeException {

		final SendOutcome.RetryableFailure failure;

		TransientAttempt(SendOutcome.RetryableFailure failure) {
			super(describe(failure), null, false, false);
			this.failure = failure;
		}

	}

}
