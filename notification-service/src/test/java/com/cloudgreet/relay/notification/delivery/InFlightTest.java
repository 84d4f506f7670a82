package com.cloudgreet.relay.notification.delivery;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import static org.assertj.core.api.Assertions.assertThat;

class InFlightTest {

	@Test
	void stopWaitsForDeliveriesInProgress() {
		InFlight inFlight = new InFlight();
		inFlight.start();
		inFlight.track(Mono.delay(Duration.ofMillis(300))).subscribe();
		assertThat(inFlight.count()).isEqualTo(1);

		long started = System.nanoTime();
		inFlight.stop();

		assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(250));
		assertThat(inFlight.count()).isZero();
		assertThat(inFlight.isRunning()).isFalse();
	}

	@Test
	void countsFailedAndCancelledDeliveriesAsDone() {
		InFlight inFlight = new InFlight();
		inFlight.track(Mono.error(new IllegalStateException("boom"))).subscribe((v) -> { }, (e) -> { });
		inFlight.track(Mono.never()).subscribe().dispose();
		assertThat(inFlight.count()).isZero();
	}

}
