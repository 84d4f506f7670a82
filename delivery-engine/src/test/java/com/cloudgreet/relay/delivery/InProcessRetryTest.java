package com.cloudgreet.relay.delivery;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.resilience4j.reactor.retry.RetryOperator;
import io.github.resilience4j.retry.Retry;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

import static org.assertj.core.api.Assertions.assertThat;

class InProcessRetryTest {

	private final EngineSettings settings = new EngineSettings(8, 8, 8, 8, Duration.ofSeconds(1), Duration.ofSeconds(10), 3,
			Duration.ofMillis(10), 2.0, Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(10),
			Duration.ofSeconds(5), Duration.ofSeconds(10));

	@Test
	void retriesTransientOutcomesInProcessUpToTheAttemptLimit() {
		AtomicInteger calls = new AtomicInteger();
		Mono<Object> attempt = Mono.defer(() -> {
			calls.incrementAndGet();
			return Mono.error(new InProcessRetry.TransientAttempt(new Outcome.Retryable("503", "down", null)));
		});
		StepVerifier.create(attempt.transformDeferred(RetryOperator.of(Retry.of("t", InProcessRetry.config(this.settings)))))
			.expectError(InProcessRetry.TransientAttempt.class)
			.verify(Duration.ofSeconds(5));
		assertThat(calls).hasValue(3);
	}

	@Test
	void leavesRetryAfterLongerThanTheInProcessLimitToTheRetrySchedule() {
		AtomicInteger calls = new AtomicInteger();
		Mono<Object> attempt = Mono.defer(() -> {
			calls.incrementAndGet();
			return Mono.error(new InProcessRetry.TransientAttempt(
					new Outcome.Retryable("429", "slow down", Duration.ofMinutes(5))));
		});
		StepVerifier.create(attempt.transformDeferred(RetryOperator.of(Retry.of("t", InProcessRetry.config(this.settings)))))
			.expectError(InProcessRetry.TransientAttempt.class)
			.verify(Duration.ofSeconds(5));
		assertThat(calls).hasValue(1);
	}

	@Test
	void waitsOutShortRetryAfterBeforeTheNextAttempt() {
		long started = System.nanoTime();
		AtomicInteger calls = new AtomicInteger();
		Mono<String> attempt = Mono.defer(() -> calls.incrementAndGet() == 1
				? Mono.error(new InProcessRetry.TransientAttempt(
						new Outcome.Retryable("429", "slow down", Duration.ofMillis(500))))
				: Mono.just("ok"));
		StepVerifier.create(attempt.transformDeferred(RetryOperator.of(Retry.of("t", InProcessRetry.config(this.settings)))))
			.expectNext("ok")
			.verifyComplete();
		assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(500));
	}

}
