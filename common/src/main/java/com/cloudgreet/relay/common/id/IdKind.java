package com.cloudgreet.relay.common.id;

/** The prefixes of Relay's IDs, so an ID says what it names (as Stripe and Svix do). */
public enum IdKind {

	/** An email or SMS message. */
	MESSAGE("msg"),
	/** A webhook event, fanned out into deliveries. */
	EVENT("evt"),
	/** A webhook endpoint. */
	ENDPOINT("ep"),
	/** One delivery of an event to one endpoint. */
	DELIVERY("dlv"),
	TENANT("ten"),
	API_KEY("key");

	private final String prefix;

	IdKind(String prefix) {
		this.prefix = prefix;
	}

	public String prefix() {
		return this.prefix;
	}

}
