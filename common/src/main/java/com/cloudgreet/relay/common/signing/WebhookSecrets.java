package com.cloudgreet.relay.common.signing;

/**
 * The shape of a webhook signing secret ({@code whsec_<base64>}, Standard Webhooks), named once so
 * whatever must never keep or show one (the gateway's idempotency cache, logs) can recognise it.
 */
public final class WebhookSecrets {

	public static final String PREFIX = "whsec_";

	private WebhookSecrets() {
	}

}
