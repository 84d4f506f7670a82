package com.cloudgreet.relay.delivery;

import java.time.Duration;

/**
 * How one channel's engine runs.
 *
 * @param maxInFlight attempts in flight per instance
 * @param perDestination attempts in flight to one destination (a webhook endpoint, a provider
 * account) per instance: a slow destination holds at most this many slots
 * @param perTenant attempts in flight for one tenant per instance: one tenant's slow destinations
 * cannot take every slot from the others
 * @param batchSize most deliveries claimed by one poll
 * @param pollInterval how often due retries and lapsed leases are looked for; fresh work and freed
 * slots wake the poller at once
 * @param lease how long a claim holds without renewal; renewed every third of it while the attempt
 * runs, so a dead instance's deliveries are picked up this long after it died
 * @param inProcessAttempts provider calls per claim before a retry stage is spent (1 = none in process)
 * @param initialBackoff first in-process backoff, growing by {@code backoffMultiplier}, ±50 % jitter
 * @param maxRetryAfterInProcess a provider {@code Retry-After} up to this long is waited out in process
 * @param minPause first pause after an account-level failure, doubling per failed probe up to {@code maxPause}
 * @param drainTimeout how long a graceful stop waits for attempts in flight
 * @param deadLetterGrace how long a dead letter's DLT record may stay owed before the sweeper
 * publishes it (its publisher died, or Kafka refused it): the engine gives its own publish half of
 * it, and sweeps every half of it
 */
public record EngineSettings(int maxInFlight, int perDestination, int perTenant, int batchSize, Duration pollInterval,
		Duration lease, int inProcessAttempts, Duration initialBackoff, double backoffMultiplier,
		Duration maxRetryAfterInProcess, Duration minPause, Duration maxPause, Duration drainTimeout, Duration deadLetterGrace) {

	public EngineSettings {
		if (maxInFlight < 1 || perDestination < 1 || perTenant < 1) {
			throw new IllegalArgumentException("maxInFlight, perDestination and perTenant must be at least 1");
		}
		if (deadLetterGrace == null || deadLetterGrace.compareTo(Duration.ofMillis(2)) < 0) {
			throw new IllegalArgumentException("deadLetterGrace must be at least 2 ms");
		}
	}

}
