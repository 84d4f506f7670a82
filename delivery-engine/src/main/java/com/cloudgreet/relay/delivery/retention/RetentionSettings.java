package com.cloudgreet.relay.delivery.retention;

import java.time.Duration;
import java.util.Objects;

/**
 * {@code relay.retention.*}: how long settled deliveries (delivered, failed, dead-lettered) and their
 * attempts are kept, and how the job that deletes them runs.
 *
 * @param enabled whether the job runs at all
 * @param settledAfter a message or event is deleted this long after it settled (its last change)
 * @param batchSize rows deleted by one statement; each batch is its own short transaction, so the
 * job never holds many locks or a long one
 * @param interval how often the job runs; each run deletes batch after batch until nothing is left
 */
public record RetentionSettings(boolean enabled, Duration settledAfter, int batchSize, Duration interval) {

	public RetentionSettings {
		Objects.requireNonNull(settledAfter, "settledAfter");
		Objects.requireNonNull(interval, "interval");
		if (settledAfter.isNegative() || settledAfter.isZero()) {
			throw new IllegalArgumentException("relay.retention.settled-after must be positive: " + settledAfter);
		}
		if (batchSize < 1) {
			throw new IllegalArgumentException("relay.retention.batch-size must be at least 1: " + batchSize);
		}
		if (interval.isNegative() || interval.isZero()) {
			throw new IllegalArgumentException("relay.retention.interval must be positive: " + interval);
		}
	}

}
