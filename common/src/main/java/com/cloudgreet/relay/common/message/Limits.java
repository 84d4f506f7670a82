package com.cloudgreet.relay.common.message;

/**
 * Size limits of the request contract. They bound what one request may cost Relay and its
 * providers; the gateway additionally caps the raw body size.
 */
public final class Limits {

	/** Recipients across to, cc and bcc (SES allows 50 per message). */
	public static final int EMAIL_RECIPIENTS = 50;

	/** RFC 5322 line limit, the practical maximum of a subject. */
	public static final int EMAIL_SUBJECT_LENGTH = 998;

	public static final int EMAIL_BODY_LENGTH = 256 * 1024;

	/** RFC 5321 path limit. */
	public static final int EMAIL_ADDRESS_LENGTH = 254;

	/** Twilio's maximum body: ten concatenated segments. */
	public static final int SMS_BODY_LENGTH = 1600;

	public static final int EVENT_TYPE_LENGTH = 128;

	public static final int EVENT_ID_LENGTH = 128;

	/**
	 * A webhook event's payload, as serialized JSON (Svix caps at 1 MB, Stripe's events are far
	 * smaller). Receivers often refuse larger bodies, and webhook-service keeps up to
	 * relay.webhooks.max-in-flight bodies in memory at once.
	 */
	public static final int WEBHOOK_PAYLOAD_BYTES = 256 * 1024;

	public static final int METADATA_ENTRIES = 20;

	public static final int METADATA_KEY_LENGTH = 64;

	public static final int METADATA_VALUE_LENGTH = 512;

	private Limits() {
	}

}
