package com.cloudgreet.relay.webhook.signing;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;

import javax.crypto.Mac;

import com.cloudgreet.relay.common.signing.HmacSha256;

/**
 * Signs a webhook per the Standard Webhooks spec: {@code v1,} and the base64 HMAC-SHA256, keyed
 * with the base64 key after {@code whsec_}, of {@code <id>.<timestamp>.<body>}. With several
 * secrets (a rotation's grace period) the header carries one {@code v1,<sig>} per secret,
 * space-separated; a receiver holding either secret verifies.
 * <p>
 * JDK only, rather than the spec's reference library, because that one looks up a new
 * {@link Mac}, formats the signed content with {@code String.format} and decodes and re-encodes
 * the body as a string on every call, which is most of a signature's cost; here each thread keeps
 * its {@link Mac} and the body's bytes are hashed as they are. The tests verify every signature
 * with the reference library and with an independent verifier.
 */
public final class WebhookSigner {

	/** Standard Webhooks header names. */
	public static final String ID_HEADER = "webhook-id";

	public static final String TIMESTAMP_HEADER = "webhook-timestamp";

	public static final String SIGNATURE_HEADER = "webhook-signature";

	private static final byte[] SEPARATOR = { '.' };

	private WebhookSigner() {
	}

	/** The {@code webhook-signature} value for {@code body} sent as message {@code id} at {@code timestamp}. */
	public static String signature(List<String> secrets, String id, Instant timestamp, byte[] body) {
		if (secrets.isEmpty()) {
			throw new IllegalArgumentException("an endpoint always has a signing secret");
		}
		byte[] signed = (id + "." + timestamp.getEpochSecond()).getBytes(StandardCharsets.UTF_8);
		StringBuilder header = new StringBuilder();
		for (String secret : secrets) {
			if (!header.isEmpty()) {
				header.append(' ');
			}
			header.append(sign(secret, id, signed, body));
		}
		return header.toString();
	}

	private static String sign(String secret, String id, byte[] idAndTimestamp, byte[] body) {
		try {
			Mac mac = HmacSha256.keyed(HmacSha256.key(key(secret)));
			mac.update(idAndTimestamp);
			mac.update(SEPARATOR);
			return "v1," + Base64.getEncoder().encodeToString(mac.doFinal(body));
		}
		catch (RuntimeException ex) {
			// Never include the secret, nor a message that might.
			throw new IllegalStateException("signing webhook " + id + " failed", ex);
		}
	}

	/** The key bytes: the base64 after {@code whsec_} (the spec's form; a bare base64 key is accepted as the reference library does). */
	private static byte[] key(String secret) {
		String encoded = secret.startsWith(SigningSecrets.PREFIX) ? secret.substring(SigningSecrets.PREFIX.length())
				: secret;
		return Base64.getDecoder().decode(encoded);
	}

}
