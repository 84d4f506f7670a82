package com.cloudgreet.relay.delivery;

import java.time.Duration;
import java.util.Collection;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A channel's deliveries as durable work items (a PostgreSQL table). Every write after a claim is
 * fenced: it names the {@link Lease} and changes nothing (answers {@code false}) unless that lease
 * is still the delivery's current one.
 *
 * <p>It is also the outbox of the channel's dead letters: the write that fails a delivery or
 * dead-letters it records, in the same statement, that its DLT record is owed, with the reason
 * ({@link DeadLetterReasons}). The record stays owed until {@link #deadLetterPublished} after
 * Kafka has it, so a crash between the write and the publish loses nothing:
 * {@link #claimOwedDeadLetters} finds it again.
 */
public interface DeliveryQueue<J extends Job> {

	/**
	 * Claims up to {@code limit} due deliveries ({@code FOR UPDATE SKIP LOCKED}) that are not leased
	 * or whose lease lapsed, skipping {@code busy} (this instance's own attempts in flight), with a
	 * new lease of {@code owner} and a new fencing token each. At most as many per destination and
	 * per tenant as {@code capacity} has free: the engine starts only what fits and gives the rest
	 * back. A queue with a single destination may leave the destination caps to the engine.
	 */
	Flux<J> claimDue(String owner, Collection<String> busy, Capacity capacity, int limit, Duration lease);

	/** Extends the leases still held under these tokens; lapsed ones nobody took over included. */
	Mono<Void> renew(Collection<Lease> leases, Duration lease);

	/**
	 * Appends the attempt and, for a {@code DELIVERED} or {@code FAILED} step, settles the delivery,
	 * in one statement; {@code CONTINUE} keeps the lease for another in-process attempt. A
	 * {@code FAILED} step also records its DLT record as owed, with
	 * {@link DeadLetterReasons#permanent}.
	 */
	Mono<Boolean> record(J job, AttemptRecord attempt, Step step);

	/**
	 * The claim's last attempt failed retryably: appends it and spends one retry stage (due again
	 * after {@code retryIn}) or, with {@code retryIn} null, dead-letters the delivery with
	 * {@code reason}. A queue that can should do this in one statement; this default takes two
	 * writes, each retried in place, so a failed second write never logs the attempt twice.
	 */
	default Mono<Boolean> recordFailure(J job, AttemptRecord attempt, Duration retryIn, String reason) {
		return Writes.untilWritten(record(job, attempt, Step.CONTINUE))
			.flatMap((held) -> !held ? Mono.just(false)
					: Writes.untilWritten((retryIn != null) ? retryLater(job, retryIn, attempt.outcome().describe())
							: deadLetter(job, reason)));
	}

	/** Spends one retry stage: due again after {@code retryIn}, lease given up. */
	Mono<Boolean> retryLater(J job, Duration retryIn, String error);

	/** The schedule is exhausted: {@code dead_lettered}, lease given up, its DLT record owed with {@code reason}. */
	Mono<Boolean> deadLetter(J job, String reason);

	/** Gives the delivery back, due at once and unspent (account failure, shutdown, no slot). */
	Mono<Boolean> release(J job, String note);

	/**
	 * Picks up to {@code limit} DLT records owed for longer than {@code grace} (their publisher died
	 * or gave up), oldest first, each with the delivery as a job to publish it from. Picking one
	 * holds it for another {@code grace}, so other instances sweeping meanwhile skip it; a sweeper
	 * that dies holding it leaves it owed. Not fenced: the lease was given up when it settled.
	 */
	Flux<OwedDeadLetter<J>> claimOwedDeadLetters(Duration grace, int limit);

	/** Kafka has the delivery's DLT record: nothing is owed any more. Idempotent, not fenced. */
	Mono<Void> deadLetterPublished(J job);

	/**
	 * A DLT record still owed: {@code exhausted} if the delivery is {@code dead_lettered} (alerted
	 * as such), not if it failed permanently.
	 */
	record OwedDeadLetter<J extends Job>(J job, String reason, boolean exhausted) {
	}

	/** What an attempt's outcome does to its delivery. */
	enum Step {

		DELIVERED, FAILED, CONTINUE

	}

}
