package com.cloudgreet.relay.notification.delivery;

/**
 * Thrown to the Kafka listener when a message could not be delivered yet; spring-kafka moves the
 * record to the next retry topic (or the DLT after the last one).
 */
public class RetryableDeliveryException extends RuntimeException {

	public RetryableDeliveryException(String message) {
		super(message, null, false, false);
	}

}
