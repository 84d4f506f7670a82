package com.cloudgreet.relay.common.kafka.producer;

import java.util.Base64;

import javax.crypto.spec.SecretKeySpec;

import com.cloudgreet.relay.common.signing.HmacSha256;

/**
 * A producer's HMAC key, at least {@value ProducerSignature#MIN_KEY_BYTES} bytes, configured as
 * base64 ({@code openssl rand -base64 32}). A class rather than a record: it holds the key ready
 * for {@link javax.crypto.Mac#init}, so signing copies nothing per record, and it never prints it.
 */
public final class SigningKey {

	private final SecretKeySpec spec;

	private SigningKey(byte[] bytes) {
		this.spec = HmacSha256.key(bytes);
	}

	/**
	 * The key configured as {@code setting}; a missing, malformed or short one fails with a message
	 * naming the setting and how to make a key, and never quoting the value.
	 */
	public static SigningKey decode(String base64, String setting) {
		String problem;
		if (base64 == null || base64.isBlank()) {
			problem = "is required";
		}
		else {
			try {
				byte[] bytes = Base64.getDecoder().decode(base64.trim());
				if (bytes.length >= ProducerSignature.MIN_KEY_BYTES) {
					return new SigningKey(bytes);
				}
				problem = "is shorter than " + ProducerSignature.MIN_KEY_BYTES + " bytes";
			}
			catch (IllegalArgumentException ex) {
				problem = "is not base64";
			}
		}
		throw new IllegalArgumentException(setting + " " + problem
				+ ": a producer key is the base64 of at least 32 random bytes (openssl rand -base64 32)");
	}

	SecretKeySpec spec() {
		return this.spec;
	}

	@Override
	public String toString() {
		return "SigningKey[***]";
	}

}
