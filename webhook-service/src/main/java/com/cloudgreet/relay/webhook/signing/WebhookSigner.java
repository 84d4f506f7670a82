package com.cloudgreet.relay.webhook.signing;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;

import com.standardwebhooks.Webhook;
import com.standardwebhooks.exceptions.EmptyWebhookSecretException;
import com.standardwebhooks.exceptions.WebhookSigningException;

/**
 * Signs a webhook per the Standard Webhooks spec with the spec's reference library, so what we
 * send is what the official verifiers accept. With several secrets (a rotation's grace period)
 * the header carries one {@code v1,<sig>} per secret, space-separated; a receiver holding either
 * secret verifies.
 */
public final class WebhookSigner {

	/** Standard Webhooks header names. */
	public static final String ID_HEADER = "webhook-id";

	public static final String TIMESTAMP_HEADER = "webhook-timestamp";

	public static final String SIGNATURE_HEADER = "webhook-signature";

	private WebhookSigner() {
	}

	/** The {@code webhook-signature} value for {@code body} sent as message {@code id} at {@code timestamp}. */
	public static String signature(List<String> secrets, String id, Instant timestamp, byte[] body) {
		if (secrets.isEmpty()) {
			throw new IllegalArgumentException("an endpoint always has a signing secret");
		}
		String payload = new String(body, StandardCharsets.UTF_8);
		return secrets.stream().map((secret) -> sign(secret, id, timestamp, payload)).collect(Collectors.joining(" "));
	}

	private static String sign(String secret, String id, Instant timestamp, String payload) {
		try {
			return new Webhook(secret).sign(id, timestamp.getEpochSecond(), payload);
		}
		catch (WebhookSigningException | EmptyWebhookSecretException | RuntimeException ex) {
			// Never include the secret, nor the library message that might.
			throw new IllegalStateException("signing webhook " + id + " failed", ex);
		}
	}

}
