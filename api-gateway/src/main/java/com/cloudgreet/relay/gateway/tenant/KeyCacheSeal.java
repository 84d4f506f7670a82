package com.cloudgreet.relay.gateway.tenant;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

import javax.crypto.spec.SecretKeySpec;

import com.cloudgreet.relay.common.signing.HmacSha256;
import com.cloudgreet.relay.gateway.config.GatewayProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An HMAC-SHA256 on every API key entry cached in Redis, over the key hash it is stored under and
 * its value, so that an entry only a gateway could have written authenticates: the other services
 * share that Redis, and without this any of them (or anyone who reaches Redis) could write
 * {@code relay:apikey:<hash of a key of their choosing>} naming any tenant.
 */
final class KeyCacheSeal {

	private static final Logger log = LoggerFactory.getLogger(KeyCacheSeal.class);

	/** Domain separation: the admin token's derived key serves this purpose only. */
	private static final byte[] DERIVATION_LABEL = "relay gateway api key cache v1".getBytes(StandardCharsets.US_ASCII);

	private static final char SEPARATOR = '~';

	private final SecretKeySpec key;

	private KeyCacheSeal(byte[] key) {
		this.key = HmacSha256.key(key);
	}

	/**
	 * The dedicated {@code key-cache-secret} if set, else a key derived from the admin token (only
	 * gateways hold it; the internal token is shared with the consumer services). With neither, a
	 * random key: each gateway then trusts only the entries it wrote itself.
	 */
	static KeyCacheSeal of(GatewayProperties properties) {
		String secret = properties.gateway().keyCacheSecret();
		if (secret != null && !secret.isBlank()) {
			return new KeyCacheSeal(secret.getBytes(StandardCharsets.UTF_8));
		}
		String adminToken = properties.adminToken();
		if (adminToken != null && !adminToken.isBlank()) {
			return new KeyCacheSeal(HmacSha256.of(HmacSha256.key(adminToken.getBytes(StandardCharsets.UTF_8)), DERIVATION_LABEL));
		}
		log.warn("Neither relay.gateway.key-cache-secret nor relay.admin-token is set: API key entries cached in "
				+ "Redis are sealed with a key of this instance only, so other gateways look them up again");
		byte[] random = new byte[32];
		new SecureRandom().nextBytes(random);
		return new KeyCacheSeal(random);
	}

	/** {@code value} with its MAC, to store under {@code hash}. */
	String seal(String hash, String value) {
		return value + SEPARATOR + Base64.getUrlEncoder().withoutPadding().encodeToString(mac(hash, value));
	}

	/** The value of an entry stored under {@code hash}, or {@code null} if its MAC is missing or wrong. */
	String open(String hash, String sealed) {
		int at = sealed.lastIndexOf(SEPARATOR);
		if (at < 0) {
			return null;
		}
		String value = sealed.substring(0, at);
		byte[] claimed;
		try {
			claimed = Base64.getUrlDecoder().decode(sealed.substring(at + 1));
		}
		catch (IllegalArgumentException ex) {
			return null;
		}
		return MessageDigest.isEqual(mac(hash, value), claimed) ? value : null;
	}

	private byte[] mac(String hash, String value) {
		// The hash is part of the input: a genuine entry moved under another key's hash does not verify.
		return HmacSha256.of(this.key, (hash + "\n" + value).getBytes(StandardCharsets.UTF_8));
	}

}
