package com.cloudgreet.relay.common.message;

import java.time.Duration;
import java.time.Instant;

/**
 * The window a request's {@code sendAt} must fall in, measured from the instant the request was
 * accepted (the gateway's clock, or the CloudEvent {@code time} a direct producer stamped), never
 * from the clock of whoever decodes it later: a stored request decoded again when it falls due,
 * or a record consumed late from Kafka, stays valid, and a {@code sendAt} passed by then means
 * "send at once".
 */
public final class SendAt {

	/** The furthest ahead a request may be scheduled. */
	public static final Duration MAX_AHEAD = Duration.ofDays(30);

	/** How far in the past {@code sendAt} may be: clocks of producers and Relay disagree a little. */
	public static final Duration CLOCK_SKEW = Duration.ofMinutes(1);

	private SendAt() {
	}

	/**
	 * Refuses a {@code sendAt} more than {@link #CLOCK_SKEW} before {@code acceptedAt} or more than
	 * {@link #MAX_AHEAD} after it; {@code acceptedAt} is required when {@code sendAt} is given.
	 */
	public static void check(Instant sendAt, Instant acceptedAt) {
		if (sendAt == null) {
			return;
		}
		if (acceptedAt == null) {
			throw InvalidMessageException.of("/sendAt", "needs the request's acceptance time (the CloudEvent time)");
		}
		if (sendAt.isBefore(acceptedAt.minus(CLOCK_SKEW))) {
			throw InvalidMessageException.of("/sendAt", "is in the past (" + sendAt + " is before " + acceptedAt + ")");
		}
		if (sendAt.isAfter(acceptedAt.plus(MAX_AHEAD))) {
			throw InvalidMessageException.of("/sendAt", "must be at most " + MAX_AHEAD.toDays() + " days ahead, was "
					+ sendAt);
		}
	}

	/** Whether a request with {@code sendAt} waits at {@code now}: false without one or once it has passed. */
	public static boolean isAhead(Instant sendAt, Instant now) {
		return sendAt != null && sendAt.isAfter(now);
	}

}
