package com.cloudgreet.relay.delivery;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

class RetryScheduleTest {

	private static final List<Duration> SVIX = List.of(Duration.ZERO, Duration.ofSeconds(5), Duration.ofMinutes(5),
			Duration.ofMinutes(30), Duration.ofHours(2), Duration.ofHours(5), Duration.ofHours(10),
			Duration.ofHours(10));

	@ParameterizedTest(name = "stage {0}, random {1}, Retry-After {2}s -> {3} ms")
	@CsvSource(nullValues = "none", value = {
			// no jitter at random = 0.5
			"0, 0.5, none, 0", "1, 0.5, none, 5000", "2, 0.5, none, 300000", "7, 0.5, none, 36000000",
			// +/- 20 % at the extremes
			"1, 0.0, none, 4000", "1, 1.0, none, 6000",
			// Retry-After lengthens a wait, never shortens it, and is capped at 1 h
			"1, 0.5, 60, 60000", "2, 0.5, 60, 300000", "1, 0.5, 86400, 3600000", "0, 0.5, 0, 0" })
	void waitsPerStageWithJitterAndRetryAfter(int stage, double random, Long retryAfterSeconds, long expectedMillis) {
		var schedule = new RetrySchedule(SVIX, 0.2, Duration.ofHours(1), () -> random);
		Duration retryAfter = retryAfterSeconds == null ? null : Duration.ofSeconds(retryAfterSeconds);
		assertThat(schedule.nextDelay(stage, retryAfter)).contains(Duration.ofMillis(expectedMillis));
	}

	@ParameterizedTest(name = "after {0} retries the schedule is exhausted")
	@CsvSource({ "8", "9" })
	void exhaustsAfterLastStage(int retriesUsed) {
		var schedule = new RetrySchedule(SVIX, 0.2, Duration.ofHours(1), () -> 0.5);
		assertThat(schedule.nextDelay(retriesUsed, null)).isEmpty();
	}

}
