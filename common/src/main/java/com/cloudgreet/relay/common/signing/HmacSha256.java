package com.cloudgreet.relay.common.signing;

import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * HMAC-SHA256, the one MAC Relay uses (webhook signatures, Kafka producer signatures, the gateway's
 * key cache seal). A {@link Mac} is not thread-safe and looking one up is most of a short MAC's
 * cost, so each thread keeps one and re-keys it per use.
 */
public final class HmacSha256 {

	public static final String ALGORITHM = "HmacSHA256";

	private static final ThreadLocal<Mac> MACS = ThreadLocal.withInitial(() -> {
		try {
			return Mac.getInstance(ALGORITHM);
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException(ALGORITHM + " is part of every JRE", ex);
		}
	});

	private HmacSha256() {
	}

	public static SecretKeySpec key(byte[] bytes) {
		return new SecretKeySpec(bytes, ALGORITHM);
	}

	/**
	 * This thread's {@link Mac}, keyed with {@code key}: feed it with {@code update} and finish with
	 * {@code doFinal} before this thread asks again.
	 */
	public static Mac keyed(SecretKeySpec key) {
		Mac mac = MACS.get();
		try {
			mac.init(key);
		}
		catch (InvalidKeyException ex) {
			// Never the key, nor a message that might quote it.
			throw new IllegalStateException("an " + ALGORITHM + " key was refused");
		}
		return mac;
	}

	public static byte[] of(SecretKeySpec key, byte[] data) {
		return keyed(key).doFinal(data);
	}

}
