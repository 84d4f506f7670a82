package com.cloudgreet.relay.webhook.signing;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encrypts endpoint signing secrets for storage with AES-256-GCM (JDK only): a random 96-bit
 * nonce per value and a 128-bit tag. The associated data names the format, the key id and the
 * endpoint, so a value copied into another endpoint's row, or relabelled with another key id,
 * fails to decrypt instead of signing for the wrong endpoint.
 * <p>
 * Stored form: {@code v1:<key id>:<base64(nonce || ciphertext || tag)>}. The key id lets rows
 * written under an older key decrypt after the current key changed; {@code StoredSecrets}
 * rewrites them under the current key. A value still in the plaintext form {@code whsec_...}
 * (rows from before encryption at rest) is encrypted by that job at start-up and refused here:
 * after start-up one can only have been written behind the service's back.
 */
public final class SecretCipher {

	static final String VERSION = "v1";

	/** Lower-case letters and digits: environment variables can name them (RELAY_WEBHOOKS_SECRETKEYS_K2). */
	private static final Pattern KEY_ID = Pattern.compile("[a-z0-9]{1,32}");

	private static final int KEY_BYTES = 32;

	private static final int NONCE_BYTES = 12;

	private static final int TAG_BITS = 128;

	private static final String TRANSFORMATION = "AES/GCM/NoPadding";

	private final Map<String, SecretKey> keys;

	private final String currentKeyId;

	private final SecureRandom random = new SecureRandom();

	/**
	 * {@code base64Keys} maps key ids to base64 256-bit keys; {@code currentKeyId} is the one new
	 * values are written under. Refuses to exist without a valid current key: there is no default.
	 */
	public SecretCipher(Map<String, String> base64Keys, String currentKeyId) {
		if (base64Keys == null || base64Keys.isEmpty()) {
			throw new IllegalArgumentException("relay.webhooks.secret-keys is empty: webhook signing secrets are "
					+ "encrypted at rest and need a key (base64 of 32 random bytes: openssl rand -base64 32)");
		}
		Map<String, SecretKey> parsed = new LinkedHashMap<>();
		base64Keys.forEach((id, value) -> parsed.put(id, parseKey(id, value)));
		if (currentKeyId == null || !parsed.containsKey(currentKeyId)) {
			throw new IllegalArgumentException("relay.webhooks.secret-key-id '" + currentKeyId
					+ "' is not one of the ids in relay.webhooks.secret-keys " + parsed.keySet());
		}
		this.keys = Map.copyOf(parsed);
		this.currentKeyId = currentKeyId;
	}

	private static SecretKey parseKey(String id, String base64) {
		if (id == null || !KEY_ID.matcher(id).matches()) {
			throw new IllegalArgumentException(
					"secret key id '" + id + "' must be 1 to 32 lower-case letters or digits");
		}
		byte[] key;
		try {
			key = Base64.getDecoder().decode(base64 == null ? "" : base64.trim());
		}
		catch (IllegalArgumentException ex) {
			throw new IllegalArgumentException("secret key '" + id + "' is not valid base64");
		}
		if (key.length != KEY_BYTES) {
			throw new IllegalArgumentException("secret key '" + id + "' must be 32 bytes (256 bits), not " + key.length);
		}
		return new SecretKeySpec(key, "AES");
	}

	public String currentKeyId() {
		return this.currentKeyId;
	}

	/** The prefix of every value written under the current key; values without it need re-encryption. */
	public String currentPrefix() {
		return VERSION + ":" + this.currentKeyId + ":";
	}

	public boolean isCurrent(String stored) {
		return stored != null && stored.startsWith(currentPrefix());
	}

	public String encrypt(String secret, String endpointId) {
		byte[] nonce = new byte[NONCE_BYTES];
		this.random.nextBytes(nonce);
		try {
			Cipher cipher = Cipher.getInstance(TRANSFORMATION);
			cipher.init(Cipher.ENCRYPT_MODE, this.keys.get(this.currentKeyId), new GCMParameterSpec(TAG_BITS, nonce));
			cipher.updateAAD(associatedData(this.currentKeyId, endpointId));
			byte[] sealed = cipher.doFinal(secret.getBytes(StandardCharsets.UTF_8));
			byte[] value = ByteBuffer.allocate(nonce.length + sealed.length).put(nonce).put(sealed).array();
			return currentPrefix() + Base64.getEncoder().encodeToString(value);
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException("encrypting the secret of endpoint " + endpointId + " failed", ex);
		}
	}

	/** The secret, or {@link UndecryptableSecretException} (unknown key id, tampered or moved value). */
	public String decrypt(String stored, String endpointId) {
		if (isPlaintext(stored)) {
			throw new UndecryptableSecretException(endpointId,
					"it is stored in plaintext; only the start-up re-encryption reads such rows");
		}
		String[] parts = stored.split(":", 3);
		if (parts.length != 3 || !parts[0].equals(VERSION)) {
			throw new UndecryptableSecretException(endpointId, "its stored form is not " + VERSION);
		}
		SecretKey key = this.keys.get(parts[1]);
		if (key == null) {
			throw new UndecryptableSecretException(endpointId,
					"key '" + parts[1] + "' is not in relay.webhooks.secret-keys");
		}
		try {
			byte[] value = Base64.getDecoder().decode(parts[2]);
			Cipher cipher = Cipher.getInstance(TRANSFORMATION);
			cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, value, 0, NONCE_BYTES));
			cipher.updateAAD(associatedData(parts[1], endpointId));
			return new String(cipher.doFinal(value, NONCE_BYTES, value.length - NONCE_BYTES), StandardCharsets.UTF_8);
		}
		catch (GeneralSecurityException | IllegalArgumentException ex) {
			// Deliberately without the cause's message: nothing about the value reaches a log.
			throw new UndecryptableSecretException(endpointId, "it fails authentication under key '" + parts[1] + "'");
		}
	}

	/** A secret stored before encryption at rest: the value itself. */
	public static boolean isPlaintext(String stored) {
		return stored.startsWith(SigningSecrets.PREFIX);
	}

	private static byte[] associatedData(String keyId, String endpointId) {
		return (VERSION + ":" + keyId + ":" + endpointId).getBytes(StandardCharsets.UTF_8);
	}

	/** A stored secret that cannot be decrypted: the message names the endpoint and why, never the value. */
	public static final class UndecryptableSecretException extends RuntimeException {

		UndecryptableSecretException(String endpointId, String why) {
			super("the signing secret of endpoint " + endpointId + " cannot be decrypted: " + why);
		}

	}

}
