package com.cloudgreet.relay.common.kafka.producer;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;

import javax.crypto.Mac;

import com.cloudgreet.relay.common.signing.HmacSha256;

/**
 * The {@code relay-producer-signature} of a record: {@code v1,} and the base64 HMAC-SHA256, keyed
 * with the producer's key, of the canonical bytes {@code <topic>\n<record key or empty>\n<value>}.
 * Kafka does not tell a consumer who produced a record, so the record carries it: the topic binds
 * a signature to one topic, the key and value to one record. A record key with a line feed is
 * never signed nor accepted, so the key's end is always where the canonical string says.
 */
public final class ProducerSignature {

	public static final String VERSION = "v1,";

	/** The shortest key accepted: HMAC-SHA256's own output size. */
	public static final int MIN_KEY_BYTES = 32;

	private static final byte[] LINE_FEED = { '\n' };

	private ProducerSignature() {
	}

	/** The header value for a record; {@code recordKey} may be null (signed as empty). */
	public static String sign(SigningKey key, String topic, String recordKey, byte[] value) {
		if (recordKey != null && recordKey.indexOf('\n') >= 0) {
			throw new IllegalArgumentException("a signed record's key must not contain a line feed");
		}
		return VERSION + Base64.getEncoder().encodeToString(mac(key, topic, recordKey, value));
	}

	/** Whether {@code header} is this record's signature under {@code key}; compared in constant time. */
	public static boolean verifies(SigningKey key, String topic, String recordKey, byte[] value, String header) {
		if (header == null || !header.startsWith(VERSION) || (recordKey != null && recordKey.indexOf('\n') >= 0)) {
			return false;
		}
		byte[] claimed;
		try {
			claimed = Base64.getDecoder().decode(header.substring(VERSION.length()));
		}
		catch (IllegalArgumentException ex) {
			return false;
		}
		return MessageDigest.isEqual(mac(key, topic, recordKey, value), claimed);
	}

	private static byte[] mac(SigningKey key, String topic, String recordKey, byte[] value) {
		Mac mac = HmacSha256.keyed(key.spec());
		mac.update(topic.getBytes(StandardCharsets.UTF_8));
		mac.update(LINE_FEED);
		if (recordKey != null) {
			mac.update(recordKey.getBytes(StandardCharsets.UTF_8));
		}
		mac.update(LINE_FEED);
		return mac.doFinal(value == null ? new byte[0] : value);
	}

}
