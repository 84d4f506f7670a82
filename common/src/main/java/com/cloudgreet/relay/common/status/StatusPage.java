package com.cloudgreet.relay.common.status;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * Bounds of the status API ({@code GET /v1/messages/{id}}): one answer lists at most
 * {@link #ATTEMPTS} attempts (oldest first) and, for an event, at most {@link #DELIVERIES}
 * deliveries; {@code next} carries the cursors for the rest, passed back as query parameters of
 * the same names. A message retried for weeks would otherwise answer with thousands of attempts.
 *
 * @param attemptsAfter the value of {@code ?attemptsAfter=} that fetches the following attempts,
 * null when this page holds the last one
 * @param deliveriesAfter the value of {@code ?deliveriesAfter=} that fetches the following
 * deliveries (events only), null when there are no more
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record StatusPage(String attemptsAfter, String deliveriesAfter) {

	/** Attempts in one status answer. */
	public static final int ATTEMPTS = 50;

	/** Deliveries in one event's status answer (an event fans out to at most max-endpoints-per-tenant). */
	public static final int DELIVERIES = 100;

	public static final String ATTEMPTS_AFTER = "attemptsAfter";

	public static final String DELIVERIES_AFTER = "deliveriesAfter";

	/** Null (no {@code next}) when neither list continues. */
	public static StatusPage of(String attemptsAfter, String deliveriesAfter) {
		return attemptsAfter == null && deliveriesAfter == null ? null : new StatusPage(attemptsAfter, deliveriesAfter);
	}

}
