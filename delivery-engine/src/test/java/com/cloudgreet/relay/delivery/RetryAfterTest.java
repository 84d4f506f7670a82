package com.cloudgreet.relay.delivery;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RetryAfterTest {

	private final Clock clock = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);

	@Test
	void readsDeltaSecondsAndHttpDatesAndIgnoresGarbage() {
		assertThat(RetryAfter.parse("7", this.clock)).isEqualTo(Duration.ofSeconds(7));
		assertThat(RetryAfter.parse(" 0 ", this.clock)).isEqualTo(Duration.ZERO);
		assertThat(RetryAfter.parse("-3", this.clock)).isEqualTo(Duration.ZERO);
		assertThat(RetryAfter.parse("Thu, 01 Jan 2026 00:01:30 GMT", this.clock)).isEqualTo(Duration.ofSeconds(90));
		assertThat(RetryAfter.parse("Wed, 31 Dec 2025 23:00:00 GMT", this.clock)).isEqualTo(Duration.ZERO);
		assertThat(RetryAfter.parse("soon", this.clock)).isNull();
		assertThat(RetryAfter.parse("", this.clock)).isNull();
		assertThat(RetryAfter.parse(null, this.clock)).isNull();
	}

}
