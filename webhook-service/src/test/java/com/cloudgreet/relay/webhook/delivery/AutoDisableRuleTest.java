package com.cloudgreet.relay.webhook.delivery;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

class AutoDisableRuleTest {

	private static final Instant NOW = Instant.parse("2026-01-10T00:00:00Z");

	@ParameterizedTest(name = "{0} failures over {1} h, enabled rule {2} -> disable {3}")
	@CsvSource({ "10, 120, true, true", "9, 120, true, false", "500, 119, true, false", "10, 121, true, true",
			"10, 120, false, false" })
	void disablesOnlyAfterEnoughFailuresOverEnoughTime(int failures, long hoursFailing, boolean enabled,
			boolean expected) {
		var rule = new AutoDisableRule(enabled, 10, Duration.ofDays(5));
		assertThat(rule.shouldDisable(failures, NOW.minus(Duration.ofHours(hoursFailing)), NOW)).isEqualTo(expected);
	}

}
