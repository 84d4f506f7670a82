package com.cloudgreet.relay.common.kafka.producer;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class ProducerSignatureTest {

	/** base64 of the 32 bytes "example-producer-key-of-32-bytes". */
	static final String KEY = "ZXhhbXBsZS1wcm9kdWNlci1rZXktb2YtMzItYnl0ZXM=";

	private static final SigningKey SIGNING_KEY = SigningKey.decode(KEY, "test.key");

	private static final byte[] VALUE = "{\"id\":\"msg_1\"}".getBytes(StandardCharsets.UTF_8);

	/**
	 * The worked example of docs/kafka-contract.md, computed with openssl:
	 * {@code printf 'relay.email.v1\nmsg_1\n{"id":"msg_1"}' | openssl dgst -sha256 -mac HMAC -macopt hexkey:<key as hex> -binary | base64}
	 */
	@Test
	void signsTopicKeyAndValueAsTheContractSays() {
		assertThat(ProducerSignature.sign(SIGNING_KEY, "relay.email.v1", "msg_1", VALUE))
			.isEqualTo("v1,bs0N5FkXM7iXHac7KepHjVeU+dusV1ZG7AwFE37e0PI=");
	}

	@Test
	void verifiesItsOwnSignatureIncludingOneWithoutRecordKey() {
		String keyed = ProducerSignature.sign(SIGNING_KEY, "relay.sms.v1", "k", VALUE);
		String keyless = ProducerSignature.sign(SIGNING_KEY, "relay.sms.v1", null, VALUE);

		assertThat(ProducerSignature.verifies(SIGNING_KEY, "relay.sms.v1", "k", VALUE, keyed)).isTrue();
		assertThat(ProducerSignature.verifies(SIGNING_KEY, "relay.sms.v1", null, VALUE, keyless)).isTrue();
		// A missing key is signed as an empty one.
		assertThat(ProducerSignature.verifies(SIGNING_KEY, "relay.sms.v1", "", VALUE, keyless)).isTrue();
	}

	@Test
	void refusesSignatureOfAnotherTopicKeyValueOrProducerKey() {
		String signature = ProducerSignature.sign(SIGNING_KEY, "relay.email.v1", "msg_1", VALUE);
		SigningKey other = SigningKey.decode("b3RoZXItcHJvZHVjZXIta2V5LW9mLTMyLWJ5dGVzISE=", "test.other");

		assertThat(ProducerSignature.verifies(SIGNING_KEY, "relay.sms.v1", "msg_1", VALUE, signature)).isFalse();
		assertThat(ProducerSignature.verifies(SIGNING_KEY, "relay.email.v1", "msg_2", VALUE, signature)).isFalse();
		assertThat(ProducerSignature.verifies(SIGNING_KEY, "relay.email.v1", "msg_1",
				"{\"id\":\"msg_2\"}".getBytes(StandardCharsets.UTF_8), signature)).isFalse();
		assertThat(ProducerSignature.verifies(other, "relay.email.v1", "msg_1", VALUE, signature)).isFalse();
	}

	/** Moving bytes between key and value must not keep a signature valid. */
	@Test
	void refusesRecordKeyWithLineFeed() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> ProducerSignature.sign(SIGNING_KEY, "relay.email.v1", "a\nb", VALUE));
		String signature = ProducerSignature.sign(SIGNING_KEY, "relay.email.v1", "a", "b\nc".getBytes(StandardCharsets.UTF_8));
		assertThat(ProducerSignature.verifies(SIGNING_KEY, "relay.email.v1", "a\nb",
				"c".getBytes(StandardCharsets.UTF_8), signature)).isFalse();
	}

	@Test
	void refusesMalformedHeaders() {
		for (String header : new String[] { null, "", "v1,", "v2,bs0N5FkXM7iXHac7KepHjVeU+dusV1ZG7AwFE37e0PI=",
				"bs0N5FkXM7iXHac7KepHjVeU+dusV1ZG7AwFE37e0PI=", "v1,not base64!" }) {
			assertThat(ProducerSignature.verifies(SIGNING_KEY, "relay.email.v1", "msg_1", VALUE, header)).as(header)
				.isFalse();
		}
	}

	@Test
	void refusesMissingShortOrMalformedKeysWithoutQuotingThem() {
		assertThatIllegalArgumentException().isThrownBy(() -> SigningKey.decode(null, "relay.kafka.producer.key"))
			.withMessageStartingWith("relay.kafka.producer.key is required");
		assertThatIllegalArgumentException().isThrownBy(() -> SigningKey.decode("c2hvcnQ=", "relay.kafka.producer.key"))
			.withMessageContaining("shorter than 32 bytes")
			.withMessageNotContaining("c2hvcnQ=");
		assertThatIllegalArgumentException().isThrownBy(() -> SigningKey.decode("%%%secret%%%", "x.key"))
			.withMessageContaining("not base64")
			.withMessageNotContaining("secret");
		assertThat(SIGNING_KEY.toString()).doesNotContain(KEY).isEqualTo("SigningKey[***]");
	}

}
