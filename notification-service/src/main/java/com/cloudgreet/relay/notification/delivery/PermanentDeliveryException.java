package com.cloudgreet.relay.notification.delivery;

/**
 * Thrown to the Kafka listener when a message can never be delivered as sent; the retry-topic
 * configuration lists it as not retryable, so the record goes straight to the DLT.
 */
public class PermanentDeliveryException extends RuntimeException {

	public PermanentDeliveryException(String message) {
		super(message, null, false, false);
	}

}
