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

	/** Recording waits out database outages; the wait between tries stays short so a blip costs little. */
	private static final RetryBackoffSpec UNTIL_RECORDED = Retry.backoff(Long.MAX_VALUE, Duration.ofMillis(50))
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

	/** Retries {@code write} until the database answers; the answer (lease held or not) is passed on. */
	static <T> Mono<T> untilWritten(Mono<T> write) {
		return write.retryWhen(UNTIL_RECORDED).onErrorMap((ex) -> Exceptions.isRetryExhausted(ex) ? ex.getCause() : ex);
	}

}
