package com.cloudgreet.relay.notification.delivery;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import com.cloudgreet.relay.notification.config.NotificationProperties;
import io.github.resilience4j.reactor.retry.RetryOperator;
import io.github.resilience4j.retry.Retry;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

import static org.assertj.core.api.Assertions.assertThat;

class DelivererTest {

	private final NotificationProperties.Delivery settings = new NotificationProperties.Delivery(3,
			Duration.ofMillis(10), 2.0, Duration.ofSeconds(1), Duration.ofMinutes(2));

	@Test
	void retriesTransientOutcomesInProcessUpToTheAttemptLimit() {
		AtomicInteger calls = new AtomicInteger();
		Mono<Object> attempt = Mono.defer(() -> {
			calls.incrementAndGet();
			return Mono.error(new Deliverer.TransientAttempt(new SendOutcome.RetryableFailure("503", "down", null)));
		});
		StepVerifier.create(attempt.transformDeferred(RetryOperator.of(Retry.of("t", Deliverer.retryConfig(this.settings)))))
			.expectError(Deliverer.TransientAttempt.class)
			.verify(Duration.ofSeconds(5));
		assertThat(calls).hasValue(3);
	}

	@Test
	void leavesRetryAfterLongerThanTheInProcessLimitToTheRetryTopics() {
		AtomicInteger calls = new AtomicInteger();
		Mono<Object> attempt = Mono.defer(() -> {
			calls.incrementAndGet();
			return Mono.error(new Deliverer.TransientAttempt(
					new SendOutcome.RetryableFailure("429", "slow down", Duration.ofMinutes(5))));
		});
		StepVerifier.create(attempt.transformDeferred(RetryOperator.of(Retry.of("t", Deliverer.retryConfig(this.settings)))))
			.expectError(Deliverer.TransientAttempt.class)
			.verify(Duration.ofSeconds(5));
		assertThat(calls).hasValue(1);
	}

	@Test
	void waitsOutShortRetryAfterBeforeTheNextAttempt() {
		long started = System.nanoTime();
		AtomicInteger calls = new AtomicInteger();
		Mono<String> attempt = Mono.defer(() -> calls.incrementAndGet() == 1
				? Mono.error(new Deliverer.TransientAttempt(
						new SendOutcome.RetryableFailure("429", "slow down", Duration.ofMillis(500))))
				: Mono.just("ok"));
		StepVerifier.create(attempt.transformDeferred(RetryOperator.of(Retry.of("t", Deliverer.retryConfig(this.settings)))))
			.expectNext("ok")
			.verifyComplete();
		assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(500));
	}

}
