package com.cloudgreet.relay.notification.delivery;

/** The states of a message, as stored and as the status API spells them. */
public enum DeliveryStatus {

	SCHEDULED("scheduled"), QUEUED("queued"), SENDING("sending"), DELIVERED("delivered"), FAILED("failed"),
	DEAD_LETTERED("dead_lettered"), CANCELED("canceled");

	private final String value;

	DeliveryStatus(String value) {
		this.value = value;
	}

	public String value() {
		return this.value;
	}

	public static DeliveryStatus of(String value) {
		for (DeliveryStatus status : values()) {
			if (status.value.equals(value)) {
				return status;
			}
		}
		throw new IllegalArgumentException("Unknown status " + value);
	}

	/** Nothing more happens to a message in these states unless someone asks for a retry (never for canceled). */
	public boolean isFinal() {
		return this == DELIVERED || this == FAILED || this == DEAD_LETTERED || this == CANCELED;
	}

}
