package com.cloudgreet.relay.notification.consume;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import org.springframework.util.backoff.BackOffExecution;

import static org.assertj.core.api.Assertions.assertThat;

class RetryStagesTest {

	@Test
	void scheduleYieldsConfiguredDelaysThenStops() {
		BackOffExecution execution = new RetryStages.Schedule(
				List.of(Duration.ofSeconds(10), Duration.ofMinutes(1), Duration.ofMinutes(1))).start();
		assertThat(execution.nextBackOff()).isEqualTo(10_000);
		assertThat(execution.nextBackOff()).isEqualTo(60_000);
		assertThat(execution.nextBackOff()).isEqualTo(60_000);
		assertThat(execution.nextBackOff()).isEqualTo(BackOffExecution.STOP);
	}

	@Test
	void eachExecutionStartsFromTheFirstDelay() {
		var schedule = new RetryStages.Schedule(List.of(Duration.ofSeconds(1), Duration.ofSeconds(2)));
		schedule.start().nextBackOff();
		assertThat(schedule.start().nextBackOff()).isEqualTo(1_000);
	}

}
