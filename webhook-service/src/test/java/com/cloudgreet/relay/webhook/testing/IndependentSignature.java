package com.cloudgreet.relay.webhook.testing;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A receiver's verification of a Standard Webhooks signature, written from the spec with
 * javax.crypto only, so the tests do not check the signer with its own library: HMAC-SHA256 keyed
 * with the base64 after {@code whsec_}, over {@code id.timestamp.body}, compared in constant
 * time against each space-separated {@code v1,<base64>} of the header, timestamp within 5 min.
 */
public final class IndependentSignature {

	private static final Duration TOLERANCE = Duration.ofMinutes(5);

	private IndependentSignature() {
	}

	public static boolean verify(String secret, String id, String timestamp, byte[] body, String signatureHeader) {
		if (secret == null || id == null || timestamp == null || signatureHeader == null) {
			return false;
		}
		Instant sent = Instant.ofEpochSecond(Long.parseLong(timestamp));
		if (Duration.between(sent, Instant.now()).abs().compareTo(TOLERANCE) > 0) {
			return false;
		}
		byte[] expected = ("v1," + hmac(secret, id, timestamp, body)).getBytes(StandardCharsets.US_ASCII);
		for (String candidate : signatureHeader.split(" ")) {
			if (MessageDigest.isEqual(expected, candidate.getBytes(StandardCharsets.US_ASCII))) {
				return true;
			}
		}
		return false;
	}

	private static String hmac(String secret, String id, String timestamp, byte[] body) {
		try {
			byte[] key = Base64.getDecoder().decode(secret.substring("whsec_".length()));
			Mac mac = Mac.getInstance("HmacSHA256");
			mac.init(new SecretKeySpec(key, "HmacSHA256"));
			mac.update((id + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8));
			return Base64.getEncoder().encodeToString(mac.doFinal(body));
		}
		catch (java.security.GeneralSecurityException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
