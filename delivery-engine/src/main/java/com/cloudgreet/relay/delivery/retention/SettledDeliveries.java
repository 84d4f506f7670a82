package com.cloudgreet.relay.delivery.retention;

import java.time.Instant;

import reactor.core.publisher.Mono;

/** A service's settled deliveries, as the retention job sees them. */
public interface SettledDeliveries {

	/**
	 * Deletes at most {@code limit} messages (or events) that settled before {@code cutoff}, with
	 * their attempts, in one statement; the number deleted (fewer than {@code limit}: none left).
	 */
	Mono<Long> deleteSettledBefore(Instant cutoff, int limit);

}
