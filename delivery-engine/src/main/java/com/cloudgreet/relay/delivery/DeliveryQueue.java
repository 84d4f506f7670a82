package com.cloudgreet.relay.delivery;

import java.time.Duration;
import java.util.Collection;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A channel's deliveries as durable work items (a PostgreSQL table). Every write after a claim is
 * fenced: it names the {@link Lease} and changes nothing (answers {@code false}) unless that lease
 * is still the delivery's current one.
 */
public interface DeliveryQueue<J extends Job> {

	/**
	 * Claims up to {@code limit} due deliveries ({@code FOR UPDATE SKIP LOCKED}) that are not leased
	 * or whose lease lapsed, skipping {@code busy} (this instance's own attempts in flight), with a
	 * new lease of {@code owner} and a new fencing token each.
	 */
	Flux<J> claimDue(String owner, Collection<String> busy, int limit, Duration lease);

	/** Extends the leases still held under these tokens; lapsed ones nobody took over included. */
	Mono<Void> renew(Collection<Lease> leases, Duration lease);

	/**
	 * Appends the attempt and, for a {@code DELIVERED} or {@code FAILED} step, settles the delivery,
	 * in one statement; {@code CONTINUE} keeps the lease for another in-process attempt.
	 */
	Mono<Boolean> record(J job, AttemptRecord attempt, Step step);

	/** Spends one retry stage: due again after {@code retryIn}, lease given up. */
	Mono<Boolean> retryLater(J job, Duration retryIn, String error);

	/** The schedule is exhausted: {@code dead_lettered}, lease given up. */
	Mono<Boolean> deadLetter(J job, String reason);

	/** Gives the delivery back, due at once and unspent (account failure, shutdown, no slot). */
	Mono<Boolean> release(J job, String note);

	/** What an attempt's outcome does to its delivery. */
	enum Step {

		DELIVERED, FAILED, CONTINUE

	}

}
