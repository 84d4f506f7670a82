package com.cloudgreet.relay.delivery.retention;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class RetentionSettingsTest {

	@Test
	void settledAfterMustBePositive() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new RetentionSettings(true, Duration.ZERO, 10, Duration.ofMinutes(1)))
			.withMessageContaining("settled-after");
	}

	@Test
	void batchSizeLessThanOne() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new RetentionSettings(true, Duration.ofDays(1), 0, Duration.ofMinutes(1)))
			.withMessageContaining("batch-size");
	}

	@Test
	void purgeDeletesBatchAfterBatchUntilOneComesBackShortWithTheCutoffFromTheClock() {
		Instant now = Instant.parse("2026-03-01T00:00:00Z");
		List<Instant> cutoffs = new ArrayList<>();
		long[] left = { 25 };
		SettledDeliveries settled = (cutoff, limit) -> {
			cutoffs.add(cutoff);
			long deleted = Math.min(limit, left[0]);
			left[0] -= deleted;
			return Mono.just(deleted);
		};
		RetentionJob job = new RetentionJob("test", settled,
				new RetentionSettings(true, Duration.ofDays(30), 10, Duration.ofHours(1)), Clock.fixed(now, ZoneOffset.UTC));

		assertThat(job.purge().block()).isEqualTo(25);
		assertThat(cutoffs).hasSize(3).containsOnly(Instant.parse("2026-01-30T00:00:00Z"));
	}

}
