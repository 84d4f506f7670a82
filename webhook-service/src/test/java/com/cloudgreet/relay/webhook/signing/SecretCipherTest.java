package com.cloudgreet.relay.webhook.signing;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SecretCipherTest {

	private static final String KEY_A = newKey();

	private static final String KEY_B = newKey();

	private final SecretCipher underA = new SecretCipher(Map.of("a", KEY_A), "a");

	private final String secret = SigningSecrets.generate();

	@Test
	void roundTripsAndHidesTheSecret() {
		String stored = this.underA.encrypt(this.secret, "ep_1");

		assertThat(stored).startsWith("v1:a:").doesNotContain(this.secret)
			.doesNotContain(this.secret.substring(SigningSecrets.PREFIX.length()));
		assertThat(this.underA.decrypt(stored, "ep_1")).isEqualTo(this.secret);
		assertThat(this.underA.isCurrent(stored)).isTrue();
	}

	@Test
	void usesAFreshNonceForEveryValue() {
		assertThat(this.underA.encrypt(this.secret, "ep_1")).isNotEqualTo(this.underA.encrypt(this.secret, "ep_1"));
	}

	@Test
	void aValueMovedToAnotherEndpointDoesNotDecrypt() {
		String stored = this.underA.encrypt(this.secret, "ep_1");

		assertThatThrownBy(() -> this.underA.decrypt(stored, "ep_2"))
			.isInstanceOf(SecretCipher.UndecryptableSecretException.class)
			.hasMessageContaining("ep_2")
			.hasMessageNotContaining(stored);
	}

	@Test
	void aTamperedValueDoesNotDecrypt() {
		String stored = this.underA.encrypt(this.secret, "ep_1");
		byte[] raw = Base64.getDecoder().decode(stored.substring("v1:a:".length()));
		raw[raw.length - 1] ^= 1;
		String tampered = "v1:a:" + Base64.getEncoder().encodeToString(raw);

		assertThatThrownBy(() -> this.underA.decrypt(tampered, "ep_1"))
			.isInstanceOf(SecretCipher.UndecryptableSecretException.class);
	}

	@Test
	void aValueRelabelledWithAnotherKeyIdDoesNotDecrypt() {
		var both = new SecretCipher(Map.of("a", KEY_A, "b", KEY_A), "a");
		String relabelled = both.encrypt(this.secret, "ep_1").replace("v1:a:", "v1:b:");

		assertThatThrownBy(() -> both.decrypt(relabelled, "ep_1"))
			.isInstanceOf(SecretCipher.UndecryptableSecretException.class);
	}

	@Test
	void decryptsUnderARetiredKeyAfterTheCurrentKeyChanged() {
		String underOldKey = this.underA.encrypt(this.secret, "ep_1");
		var rotated = new SecretCipher(Map.of("a", KEY_A, "b", KEY_B), "b");

		assertThat(rotated.isCurrent(underOldKey)).isFalse();
		assertThat(rotated.decrypt(underOldKey, "ep_1")).isEqualTo(this.secret);
		assertThat(rotated.encrypt(this.secret, "ep_1")).startsWith("v1:b:");
	}

	@Test
	void aRemovedKeyIsNamedInTheError() {
		String underOldKey = this.underA.encrypt(this.secret, "ep_1");
		var onlyB = new SecretCipher(Map.of("b", KEY_B), "b");

		assertThatThrownBy(() -> onlyB.decrypt(underOldKey, "ep_1")).hasMessageContaining("key 'a'");
	}

	/** Only the start-up re-encryption reads plaintext rows; the error names the endpoint, never the secret. */
	@Test
	void refusesPlaintextFromBeforeEncryption() {
		assertThat(SecretCipher.isPlaintext(this.secret)).isTrue();
		assertThat(this.underA.isCurrent(this.secret)).isFalse();
		assertThatThrownBy(() -> this.underA.decrypt(this.secret, "ep_1"))
			.isInstanceOf(SecretCipher.UndecryptableSecretException.class)
			.hasMessageContaining("endpoint ep_1")
			.hasMessageContaining("plaintext")
			.message()
			.doesNotContain(this.secret.substring(SigningSecrets.PREFIX.length()));
	}

	@Test
	void refusesToExistWithoutAKey() {
		assertThatThrownBy(() -> new SecretCipher(Map.of(), "a")).hasMessageContaining("relay.webhooks.secret-keys");
		assertThatThrownBy(() -> new SecretCipher(null, null)).hasMessageContaining("relay.webhooks.secret-keys");
	}

	@Test
	void refusesACurrentKeyIdThatNamesNoKey() {
		assertThatThrownBy(() -> new SecretCipher(Map.of("a", KEY_A), "b"))
			.hasMessageContaining("relay.webhooks.secret-key-id 'b'");
	}

	@ParameterizedTest(name = "{0}")
	@ValueSource(strings = { "c2hvcnQ=", "not base64!", "" })
	void refusesAKeyThatIsNot256Bits(String key) {
		assertThatThrownBy(() -> new SecretCipher(Map.of("a", key), "a")).hasMessageContaining("secret key 'a'");
	}

	@ParameterizedTest(name = "{0}")
	@ValueSource(strings = { "A", "with:colon", "with-dash", "" })
	void refusesKeyIdsAnEnvironmentVariableCouldNotName(String id) {
		assertThatThrownBy(() -> new SecretCipher(Map.of(id, KEY_A), id)).hasMessageContaining("key id");
	}

	private static String newKey() {
		byte[] key = new byte[32];
		new SecureRandom().nextBytes(key);
		return Base64.getEncoder().encodeToString(key);
	}

}
