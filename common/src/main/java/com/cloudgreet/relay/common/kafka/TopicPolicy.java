package com.cloudgreet.relay.common.kafka;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * How durable every Relay topic must be ({@code relay.kafka.topics.*}): topics a service declares
 * are created with these values when missing, and an existing topic that is weaker stops the
 * service at start-up. Production runs 3 replicas with 2 in sync, so an acknowledged record
 * ({@code acks=all}) survives the loss of one broker; a single-broker run needs 1 and 1.
 *
 * @param partitions partitions of a topic created here, and the fewest an existing one may have
 * (consumers scale up to this many per group)
 * @param replicationFactor replicas of each partition
 * @param minInsyncReplicas the topic's {@code min.insync.replicas}: replicas that must have a
 * record before an {@code acks=all} producer is answered
 * @param verifyTimeout how long start-up waits for the broker to answer; a broker that does not
 * answer in time leaves the topics unchecked (logged), so a service can start while Kafka is away
 */
@ConfigurationProperties("relay.kafka.topics")
public record TopicPolicy(int partitions, short replicationFactor, int minInsyncReplicas, Duration verifyTimeout) {

	public TopicPolicy {
		if (partitions < 1) {
			throw new IllegalArgumentException("relay.kafka.topics.partitions must be at least 1, was " + partitions);
		}
		if (replicationFactor < 1) {
			throw new IllegalArgumentException(
					"relay.kafka.topics.replication-factor must be at least 1, was " + replicationFactor);
		}
		if (minInsyncReplicas < 1 || minInsyncReplicas > replicationFactor) {
			throw new IllegalArgumentException("relay.kafka.topics.min-insync-replicas must be between 1 and "
					+ "the replication factor (" + replicationFactor + "), was " + minInsyncReplicas);
		}
		if (verifyTimeout == null || verifyTimeout.isNegative() || verifyTimeout.isZero()) {
			throw new IllegalArgumentException("relay.kafka.topics.verify-timeout must be positive, was " + verifyTimeout);
		}
	}

}
