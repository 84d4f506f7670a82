package com.cloudgreet.relay.common.kafka;

import java.time.Duration;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Exceptions;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

/**
 * How a batch listener waits for its batch to become durable (stored, its poison dead-lettered)
 * while PostgreSQL or Kafka does not answer: it tries again in place, with pauses growing to 5 s,
 * for at most {@code relay.kafka.intake.wait-in-place}, then fails the batch. The container's error
 * handler ({@link RelayKafkaSupport}) then pauses the consumer and keeps polling it, so the group
 * keeps its member, and offers the same batch again with pauses growing to 30 s until it is durable.
 * Waiting in place without a bound would hold the consumer thread past {@code max.poll.interval.ms}
 * (5 min) in a longer outage: the member would be evicted and its partitions moved, once per
 * interval, for as long as the outage lasted.
 */
public class IntakeRetry {

	private static final Logger log = LoggerFactory.getLogger(IntakeRetry.class);

	private final Duration waitInPlace;

	public IntakeRetry(Duration waitInPlace) {
		this.waitInPlace = waitInPlace;
	}

	/**
	 * Runs {@code work} (subscribed anew for each try) until it succeeds, on the listener's thread.
	 * @throws IntakeUnavailableException if it did not succeed within the wait in place
	 */
	public void await(Supplier<? extends Mono<?>> work, String what) {
		try {
			Mono.defer(work)
				.retryWhen(Retry.backoff(Long.MAX_VALUE, Duration.ofMillis(200))
					.maxBackoff(Duration.ofSeconds(5))
					.doBeforeRetry((signal) -> log.warn("{} failed (try {}); retrying: {}", what,
							signal.totalRetries() + 1, signal.failure().toString())))
				.timeout(this.waitInPlace)
				.block();
		}
		catch (RuntimeException ex) {
			Throwable cause = Exceptions.unwrap(ex);
			log.warn("{} did not succeed within {} ({}); the consumer pauses and the batch is offered again", what,
					this.waitInPlace, cause.toString());
			throw new IntakeUnavailableException(what + " did not succeed within " + this.waitInPlace, cause);
		}
	}

	/** A batch that could not be made durable in time; the container retries it, never skips it. */
	public static class IntakeUnavailableException extends RuntimeException {

		IntakeUnavailableException(String message, Throwable cause) {
			super(message, cause);
		}

	}

}
