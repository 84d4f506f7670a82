package com.cloudgreet.relay.webhook.signing;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import com.cloudgreet.relay.webhook.testing.IndependentSignature;
import com.standardwebhooks.Webhook;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

class WebhookSignerTest {

	private static final byte[] BODY = "{\"type\":\"invoice.paid\",\"data\":{\"amount\":42,\"note\":\"é\"}}"
		.getBytes(StandardCharsets.UTF_8);

	@Test
	void signatureVerifiesWithIndependentHmacAndWithTheSpecLibrary() throws Exception {
		String secret = SigningSecrets.generate();
		Instant now = Instant.now();
		String header = WebhookSigner.signature(List.of(secret), "dlv_1", now, BODY);

		assertThat(header).startsWith("v1,").doesNotContain(" ");
		String timestamp = Long.toString(now.getEpochSecond());
		assertThat(IndependentSignature.verify(secret, "dlv_1", timestamp, BODY, header)).isTrue();
		assertThat(IndependentSignature.verify(secret, "dlv_2", timestamp, BODY, header)).isFalse();
		assertThatCode(() -> new Webhook(secret).verify(new String(BODY, StandardCharsets.UTF_8),
				Map.of("webhook-id", List.of("dlv_1"), "webhook-timestamp", List.of(timestamp), "webhook-signature",
						List.of(header))))
			.doesNotThrowAnyException();
	}

	@Test
	void duringRotationEitherSecretVerifies() {
		String current = SigningSecrets.generate();
		String previous = SigningSecrets.generate();
		Instant now = Instant.now();
		String header = WebhookSigner.signature(List.of(current, previous), "dlv_1", now, BODY);
		String timestamp = Long.toString(now.getEpochSecond());

		assertThat(header.split(" ")).hasSize(2);
		assertThat(IndependentSignature.verify(current, "dlv_1", timestamp, BODY, header)).isTrue();
		assertThat(IndependentSignature.verify(previous, "dlv_1", timestamp, BODY, header)).isTrue();
		assertThat(IndependentSignature.verify(SigningSecrets.generate(), "dlv_1", timestamp, BODY, header)).isFalse();
	}

	@Test
	void secretsAreWhsecPrefixedRandom24ByteKeys() {
		String a = SigningSecrets.generate();
		assertThat(a).startsWith("whsec_");
		assertThat(java.util.Base64.getDecoder().decode(a.substring(6))).hasSize(24);
		assertThat(SigningSecrets.generate()).isNotEqualTo(a);
	}

}
