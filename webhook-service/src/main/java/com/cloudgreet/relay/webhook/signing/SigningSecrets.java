package com.cloudgreet.relay.webhook.signing;

import java.security.SecureRandom;
import java.util.Base64;

/** Creates endpoint signing secrets in the Standard Webhooks form {@code whsec_<base64>}. */
public final class SigningSecrets {

	public static final String PREFIX = "whsec_";

	/** 24 random bytes (192 bits), as Svix issues; the spec asks for 24 to 64. */
	private static final int KEY_BYTES = 24;

	private static final SecureRandom RANDOM = new SecureRandom();

	private SigningSecrets() {
	}

	public static String generate() {
		byte[] key = new byte[KEY_BYTES];
		RANDOM.nextBytes(key);
		return PREFIX + Base64.getEncoder().encodeToString(key);
	}

}
