package com.cloudgreet.relay.delivery;

import reactor.core.publisher.Mono;

/**
 * All that is particular to a channel: how to send one message, classified into an
 * {@link Outcome} (never an error signal), and what its dead-letter record is.
 */
public interface DeliveryChannel<J extends Job> {

	/** The channel's name in logs, metrics and alerts ({@code email}, {@code sms}). */
	String name();

	/**
	 * Completes when the job's destination may take one more call (its rate: an SMS provider
	 * account, a webhook endpoint with a rate); waits, never fails. Runs before every call and
	 * outside its timing, so the attempt log's latency is the destination's, not the wait's.
	 */
	default Mono<Void> permit(J job) {
		return Mono.empty();
	}

	/** One provider call. */
	Mono<Outcome> send(J job);

	/**
	 * One provider call and the provider's name, for the attempt log: a channel with several
	 * providers (failover) says which one it called.
	 */
	default Mono<ProviderOutcome> attempt(J job) {
		return send(job).map(ProviderOutcome::unnamed);
	}

	/** Publishes the job's dead-letter record with {@code reason}; completes when Kafka has it. */
	Mono<Void> deadLetter(J job, String reason);

	/**
	 * Side effects of a claim's final outcome on the destination (a webhook endpoint's failure
	 * streak, disabling it), run after the outcome is recorded and only if the lease still held.
	 * An error is logged; the delivery's state is settled either way.
	 */
	default Mono<Void> afterOutcome(J job, Outcome outcome) {
		return Mono.empty();
	}

}
