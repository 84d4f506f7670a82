package com.cloudgreet.relay.delivery;

import java.time.Duration;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Exceptions;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;
import reactor.util.retry.RetryBackoffSpec;

/** How the engine writes a delivery's state: waiting out database outages in place. */
final class Writes {

	private static final Logger log = LoggerFactory.getLogger(Writes.class);

	private static final Duration FIRST_BACKOFF = Duration.ofMillis(50);

	/** Recording waits out database outages; the wait between tries stays short so a blip costs little. */
	private static final RetryBackoffSpec UNTIL_RECORDED = Retry.backoff(Long.MAX_VALUE, FIRST_BACKOFF)
		.maxBackoff(Duration.ofSeconds(1))
		.filter((ex) -> !(ex instanceof DeliveryEngine.Fenced))
		.doBeforeRetry((signal) -> {
			if (signal.totalRetries() % 20 == 0) {
				log.warn("Recording a delivery failed (try {}); retrying in place: {}", signal.totalRetries() + 1,
						signal.failure().toString());
			}
		});

	private Writes() {
	}

	/**
	 * Retries {@code write} until the database answers; the answer (lease held or not) is passed on.
	 * The retry machinery (a companion flux per subscription) is built only once a write failed:
	 * almost every write lands at once, and this runs for every attempt.
	 */
	static <T> Mono<T> untilWritten(Mono<T> write) {
		return write.onErrorResume((ex) -> !(ex instanceof DeliveryEngine.Fenced),
				(ex) -> Mono.delay(FIRST_BACKOFF)
					.then(write.retryWhen(UNTIL_RECORDED))
					.onErrorMap((again) -> Exceptions.isRetryExhausted(again) ? again.getCause() : again));
	}

}
