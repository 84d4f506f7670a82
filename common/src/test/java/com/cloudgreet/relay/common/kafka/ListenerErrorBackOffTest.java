package com.cloudgreet.relay.common.kafka;

import org.junit.jupiter.api.Test;
import org.springframework.util.backoff.BackOffExecution;

import static org.assertj.core.api.Assertions.assertThat;

class ListenerErrorBackOffTest {

	@Test
	void aFailingBatchIsTriedAgainForeverWithPausesOfAtMostThirtySeconds() {
		BackOffExecution execution = RelayKafkaSupport.untilHandled().start();
		long first = execution.nextBackOff();
		long last = first;
		// A day and more of 30 s pauses: the container never gives up and skips the batch.
		for (int i = 0; i < 10_000; i++) {
			last = execution.nextBackOff();
			assertThat(last).isNotEqualTo(BackOffExecution.STOP).isLessThanOrEqualTo(30_000);
		}
		assertThat(first).isEqualTo(1_000);
		assertThat(last).isEqualTo(30_000);
	}

}
