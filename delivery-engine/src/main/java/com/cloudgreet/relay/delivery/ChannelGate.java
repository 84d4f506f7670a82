package com.cloudgreet.relay.delivery;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Whether a channel may take work. An account-level failure (the provider refuses our credentials
 * or sender, not one message) pauses it: nothing is claimed until the pause ends, and then a
 * single delivery goes out as a probe. A probe that fails the same way pauses again for twice as
 * long (up to {@code maxPause}); any other answer reopens the channel. Thread-safe.
 */
public final class ChannelGate {

	private final Duration minPause;

	private final Duration maxPause;

	private final Clock clock;

	private Instant pausedUntil;

	private Duration nextPause;

	private boolean probing;

	public ChannelGate(Duration minPause, Duration maxPause, Clock clock) {
		this.minPause = minPause;
		this.maxPause = maxPause;
		this.clock = clock;
		this.nextPause = minPause;
	}

	/** How many deliveries may be claimed now, with {@code inFlight} already running. */
	public synchronized int allowance(int inFlight) {
		if (this.pausedUntil == null) {
			return Integer.MAX_VALUE;
		}
		if (this.clock.instant().isBefore(this.pausedUntil)) {
			return 0;
		}
		this.probing = true;
		return inFlight == 0 ? 1 : 0;
	}

	/** Pauses the channel; true if it was open (so this failure deserves an alert). */
	public synchronized boolean pause() {
		boolean wasOpen = this.pausedUntil == null;
		Instant until = this.clock.instant().plus(this.nextPause);
		if (this.pausedUntil == null || until.isAfter(this.pausedUntil)) {
			this.pausedUntil = until;
		}
		if (wasOpen || this.probing) {
			Duration doubled = this.nextPause.multipliedBy(2);
			this.nextPause = doubled.compareTo(this.maxPause) > 0 ? this.maxPause : doubled;
		}
		this.probing = false;
		return wasOpen;
	}

	/** The provider took an answer for a message (any non-account outcome): open again. */
	public synchronized boolean reopen() {
		boolean wasPaused = this.pausedUntil != null;
		this.pausedUntil = null;
		this.probing = false;
		this.nextPause = this.minPause;
		return wasPaused;
	}

	public synchronized boolean isPaused() {
		return this.pausedUntil != null;
	}

}
