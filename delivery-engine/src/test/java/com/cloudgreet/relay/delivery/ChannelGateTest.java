package com.cloudgreet.relay.delivery;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ChannelGateTest {

	private Instant now = Instant.parse("2026-01-01T00:00:00Z");

	private final Clock clock = new Clock() {

		@Override
		public ZoneOffset getZone() {
			return ZoneOffset.UTC;
		}

		@Override
		public Clock withZone(java.time.ZoneId zone) {
			return this;
		}

		@Override
		public Instant instant() {
			return ChannelGateTest.this.now;
		}

	};

	private final ChannelGate gate = new ChannelGate(Duration.ofSeconds(1), Duration.ofSeconds(4), this.clock);

	@Test
	void pausesThenProbesWithOneDeliveryAndBacksOffWhileTheAccountStaysRefused() {
		assertThat(this.gate.allowance(5)).isEqualTo(Integer.MAX_VALUE);
		assertThat(this.gate.pause()).as("first pause alerts").isTrue();
		assertThat(this.gate.allowance(0)).isZero();

		this.now = this.now.plusSeconds(1);
		assertThat(this.gate.allowance(1)).as("the probe waits for attempts in flight").isZero();
		assertThat(this.gate.allowance(0)).as("one probe").isEqualTo(1);
		assertThat(this.gate.pause()).as("a failed probe does not alert again").isFalse();

		this.now = this.now.plusMillis(1_999);
		assertThat(this.gate.allowance(0)).as("paused twice as long").isZero();
		this.now = this.now.plusMillis(1);
		assertThat(this.gate.allowance(0)).isEqualTo(1);
		this.gate.pause();
		this.now = this.now.plusSeconds(4);
		assertThat(this.gate.allowance(0)).as("capped at the maximum").isEqualTo(1);
	}

	@Test
	void reopensOnAnyAnswerAboutAMessageAndStartsOverFromTheShortestPause() {
		this.gate.pause();
		this.now = this.now.plusSeconds(1);
		this.gate.allowance(0);
		assertThat(this.gate.reopen()).isTrue();
		assertThat(this.gate.allowance(7)).isEqualTo(Integer.MAX_VALUE);
		assertThat(this.gate.reopen()).isFalse();
		this.gate.pause();
		this.now = this.now.plusSeconds(1);
		assertThat(this.gate.allowance(0)).isEqualTo(1);
	}

}
