package com.cloudgreet.relay.delivery;

import java.time.Instant;

/** One provider call, for the attempt log. */
public record AttemptRecord(Instant at, Outcome outcome, long latencyMs) {
}
