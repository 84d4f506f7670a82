package com.cloudgreet.relay.common.ratelimit;

import java.time.Duration;

/**
 * Where one limit stands after a decision: how many requests it would still admit right now, and
 * how long until its bucket is full again (the {@code t} and {@code r} of the IETF RateLimit
 * header's items).
 */
public record LimitState(Limit limit, long remaining, Duration resetAfter) {
}
