package com.cloudgreet.relay.notification.delivery;

import java.time.Instant;
import java.util.function.Function;

/** The answer to "may this consumer send this message now?". */
public sealed interface Claim {

	/** Exhaustive case analysis (Java 17 has no pattern switch). */
	<R> R match(Function<Claimed, R> claimed, Function<Settled, R> settled, Function<HeldElsewhere, R> heldElsewhere,
			Function<ForeignOwner, R> foreignOwner);

	/** Yes: this consumer holds the lease; wait until {@code notBefore} (a provider's Retry-After) if set. */
	record Claimed(Instant notBefore) implements Claim {

		@Override
		public <R> R match(Function<Claimed, R> claimed, Function<Settled, R> settled,
				Function<HeldElsewhere, R> heldElsewhere, Function<ForeignOwner, R> foreignOwner) {
			return claimed.apply(this);
		}

	}

	/** No: the message already reached {@code status}; a redelivered record must not send it again. */
	record Settled(DeliveryStatus status) implements Claim {

		@Override
		public <R> R match(Function<Claimed, R> claimed, Function<Settled, R> settled,
				Function<HeldElsewhere, R> heldElsewhere, Function<ForeignOwner, R> foreignOwner) {
			return settled.apply(this);
		}

	}

	/** Not now: another consumer is sending it (a duplicate record in flight) until {@code leaseUntil}. */
	record HeldElsewhere(Instant leaseUntil) implements Claim {

		@Override
		public <R> R match(Function<Claimed, R> claimed, Function<Settled, R> settled,
				Function<HeldElsewhere, R> heldElsewhere, Function<ForeignOwner, R> foreignOwner) {
			return heldElsewhere.apply(this);
		}

	}

	/** No: the id belongs to another tenant; the record is not trustworthy. */
	record ForeignOwner() implements Claim {

		@Override
		public <R> R match(Function<Claimed, R> claimed, Function<Settled, R> settled,
				Function<HeldElsewhere, R> heldElsewhere, Function<ForeignOwner, R> foreignOwner) {
			return foreignOwner.apply(this);
		}

	}

}
