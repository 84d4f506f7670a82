package com.cloudgreet.relay.gateway.tenant;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * API key material: {@code rk_} followed by 32 random bytes in base64url (256 bits, so guessing
 * is hopeless and an unsalted SHA-256 is a safe storage form). The prefix lets secret scanners
 * recognise leaked keys.
 */
public final class ApiKeys {

	static final String PREFIX = "rk_";

	/** Base64url of 32 bytes, unpadded. */
	private static final int SECRET_LENGTH = 43;

	private static final SecureRandom RANDOM = new SecureRandom();

	private ApiKeys() {
	}

	public static String generate() {
		byte[] bytes = new byte[32];
		RANDOM.nextBytes(bytes);
		return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
	}

	/** Whether {@code text} could be a key at all; anything else is refused without a lookup. */
	public static boolean isWellFormed(String text) {
		// rk_ and 43 of [A-Za-z0-9_-]; a loop rather than a regex, as every request asks.
		if (text == null || text.length() != PREFIX.length() + SECRET_LENGTH || !text.startsWith(PREFIX)) {
			return false;
		}
		for (int i = PREFIX.length(); i < text.length(); i++) {
			char c = text.charAt(i);
			if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-')) {
				return false;
			}
		}
		return true;
	}

	public static String hash(String key) {
		try {
			byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.US_ASCII));
			return HexFormat.of().formatHex(digest);
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("SHA-256 is part of every JRE", ex);
		}
	}

	public static String hint(String key) {
		return "…" + key.substring(key.length() - 4);
	}

}
