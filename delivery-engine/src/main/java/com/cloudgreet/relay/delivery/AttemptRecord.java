package com.cloudgreet.relay.delivery;

import java.time.Instant;

/** One provider call, for the attempt log; {@code provider} is the name of the provider called, if the channel has names. */
public record AttemptRecord(Instant at, Outcome outcome, long latencyMs, String provider) {

	public AttemptRecord(Instant at, Outcome outcome, long latencyMs) {
		this(at, outcome, latencyMs, null);
	}

}
