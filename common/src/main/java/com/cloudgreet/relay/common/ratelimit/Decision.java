package com.cloudgreet.relay.common.ratelimit;

import java.time.Duration;
import java.util.Comparator;
import java.util.List;

/**
 * The answer for one request across every limit that applies. When any limit refuses, nothing is
 * spent on any of them, and {@code retryAfter} says when the tightest refusing limit admits again.
 */
public record Decision(boolean allowed, Duration retryAfter, List<LimitState> states) {

	public Decision {
		states = List.copyOf(states);
	}

	/** The state closest to refusing: the one a client should be told about first. */
	public LimitState tightest() {
		return this.states.stream().min(Comparator.comparingLong(LimitState::remaining)).orElseThrow();
	}

}
