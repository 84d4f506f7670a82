package com.cloudgreet.relay.gateway.idempotency;

import com.cloudgreet.relay.common.id.IdKind;
import com.cloudgreet.relay.common.id.RelayIds;

/**
 * What a handler running under {@link IdempotencyStore} needs from it: how to name what it
 * creates. A keyed request gets ids derived from tenant, key and request fingerprint, so every
 * retry of it (after a lost answer, a failed store of the answer, an expired in-flight marker, a
 * Kafka ack timeout) publishes the same id again and the consumers' de-duplication by id holds.
 * A request without a key gets fresh, time-ordered ids.
 *
 * @param seed the name ids are derived from, or {@code null} without an {@code Idempotency-Key}
 */
public record IdempotentRequest(String seed) {

	static final IdempotentRequest UNKEYED = new IdempotentRequest(null);

	/** The id of the one {@code kind} of thing this request creates. */
	public String newId(IdKind kind) {
		return this.seed == null ? RelayIds.next(kind) : RelayIds.nameBased(kind, this.seed);
	}

}
