package com.cloudgreet.relay.delivery;

/**
 * The reasons a delivery's DLT record carries, spelled once: the engine publishes them, and the
 * queue stores them with the write that settles the delivery, so a record still owed after a
 * crash is published with the same reason.
 */
public final class DeadLetterReasons {

	private DeadLetterReasons() {
	}

	/** Every retry stage is spent: the delivery is {@code dead_lettered}. */
	public static String exhausted(int tries, Outcome.Retryable last) {
		return "retry schedule exhausted after " + tries + " tries; last: " + last.describe();
	}

	/** The provider refused the message for good: the delivery is {@code failed}. */
	public static String permanent(Outcome outcome) {
		return "permanent failure: " + outcome.describe();
	}

}
