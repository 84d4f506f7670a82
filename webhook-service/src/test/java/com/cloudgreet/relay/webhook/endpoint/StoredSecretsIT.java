package com.cloudgreet.relay.webhook.endpoint;

import java.util.List;
import java.util.Map;

import com.cloudgreet.relay.webhook.AbstractWebhookIT;
import com.cloudgreet.relay.webhook.signing.SecretCipher;
import com.cloudgreet.relay.webhook.testing.IndependentSignature;
import com.cloudgreet.relay.webhook.testing.Receiver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.r2dbc.core.DatabaseClient;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Signing secrets at rest (read back with plain SQL) and across key and secret rotations. */
class StoredSecretsIT extends AbstractWebhookIT {

	@Autowired
	private DatabaseClient db;

	@Autowired
	private StoredSecrets storedSecrets;

	/** A key the test profile lists beside the current one ("test"), standing for a retired key. */
	@Value("${relay.webhooks.secret-keys.old}")
	private String retiredKey;

	@Test
	void theSecretColumnHoldsCiphertextAndDeliveriesStillVerifyWithThePlaintext() {
		try (Receiver receiver = Receiver.ok()) {
			JsonNode created = createEndpoint(receiver.url());
			String id = created.path("id").asString();
			String secret = created.path("secret").asString();

			String stored = storedSecret(id);
			assertThat(stored).startsWith("v1:test:")
				.doesNotContain(secret)
				.doesNotContain(secret.substring("whsec_".length()));

			publish("at-rest.test", Map.of());
			await().atMost(WAIT).until(() -> receiver.count() == 1);
			assertVerifies(receiver.received().get(0), secret);
		}
	}

	@Test
	void secretsUnderARetiredKeyStillSignAndAreReEncryptedUnderTheCurrentKey() {
		try (Receiver receiver = Receiver.ok()) {
			JsonNode created = createEndpoint(receiver.url());
			String id = created.path("id").asString();
			String first = created.path("secret").asString();
			String second = rotate(id);
			// Both rows as an instance whose current key was "old" wrote them.
			var before = new SecretCipher(Map.of("old", this.retiredKey), "old");
			this.db.sql("update endpoint set secret = :secret where id = :id").bind("id", id)
				.bind("secret", before.encrypt(second, id)).then().block();
			this.db.sql("update endpoint_previous_secret set secret = :secret where endpoint_id = :id").bind("id", id)
				.bind("secret", before.encrypt(first, id)).then().block();

			publish("retired-key.test", Map.of());
			await().atMost(WAIT).until(() -> receiver.count() == 1);
			assertVerifies(receiver.received().get(0), first);
			assertVerifies(receiver.received().get(0), second);

			assertThat(this.storedSecrets.reEncrypt().block()).isGreaterThanOrEqualTo(2);
			assertThat(storedSecret(id)).startsWith("v1:test:");
			assertThat(previousSecrets(id)).singleElement().asString().startsWith("v1:test:");

			publish("retired-key.test", Map.of());
			await().atMost(WAIT).until(() -> receiver.count() == 2);
			assertVerifies(receiver.received().get(1), first);
			assertVerifies(receiver.received().get(1), second);
		}
	}

	/** Rows from before encryption at rest are encrypted by the start-up step and keep their secret. */
	@Test
	void plaintextSecretsAreEncryptedAtStartUpAndKeepSigning() {
		try (Receiver receiver = Receiver.ok()) {
			JsonNode created = createEndpoint(receiver.url());
			String id = created.path("id").asString();
			String secret = created.path("secret").asString();
			this.db.sql("update endpoint set secret = :secret where id = :id").bind("id", id).bind("secret", secret)
				.then().block();

			// The start-up step, as a restart runs it.
			this.storedSecrets.stop();
			this.storedSecrets.start();

			await().atMost(WAIT).until(() -> storedSecret(id).startsWith("v1:test:"));
			assertThat(storedSecret(id)).doesNotContain(secret);
			publish("legacy.test", Map.of());
			await().atMost(WAIT).until(() -> receiver.count() == 1);
			assertVerifies(receiver.received().get(0), secret);
		}
	}

	/**
	 * After start-up every row is encrypted, so a plaintext one was written behind the service's
	 * back (a restored backup, a hand-made fix): it never signs, and the error names the endpoint,
	 * never the secret.
	 */
	@Test
	@ExtendWith(OutputCaptureExtension.class)
	void aPlaintextSecretWrittenAfterStartUpIsRefused(CapturedOutput output) {
		try (Receiver receiver = Receiver.ok()) {
			JsonNode created = createEndpoint(receiver.url());
			String id = created.path("id").asString();
			String secret = created.path("secret").asString();
			this.db.sql("update endpoint set secret = :secret where id = :id").bind("id", id).bind("secret", secret)
				.then().block();

			String eventId = publish("plaintext.test", Map.of());

			await().atMost(WAIT).until(() -> status(eventId).path("deliveries").path(0).path("attempts").size() >= 1);
			assertThat(status(eventId).path("deliveries").path(0).path("attempts").path(0).path("error").asString())
				.contains("cannot be decrypted");
			assertThat(receiver.count()).isZero();
			assertThat(output.getAll()).contains("the signing secret of endpoint " + id + " cannot be decrypted")
				.contains("plaintext")
				.doesNotContain(secret)
				.doesNotContain(secret.substring("whsec_".length()));
		}
	}

	@Test
	void twoRotationsWithinOneGracePeriodKeepEverySecretSigning() {
		try (Receiver receiver = Receiver.ok()) {
			JsonNode created = createEndpoint(receiver.url());
			String id = created.path("id").asString();
			String first = created.path("secret").asString();
			String second = rotate(id);
			String third = rotate(id);

			assertThat(previousSecrets(id)).hasSize(2).allSatisfy((stored) -> assertThat(stored).startsWith("v1:test:"));
			publish("double-rotation.test", Map.of());
			await().atMost(WAIT).until(() -> receiver.count() == 1);
			Receiver.Received request = receiver.received().get(0);
			assertThat(request.headers().get("webhook-signature").split(" ")).hasSize(3);
			for (String secret : List.of(first, second, third)) {
				assertVerifies(request, secret);
			}
		}
	}

	@Test
	void aPreviousSecretIsDeletedWhenItsGracePeriodEndsAndNoLongerSigns() {
		try (Receiver receiver = Receiver.ok()) {
			JsonNode created = createEndpoint(receiver.url());
			String id = created.path("id").asString();
			String first = created.path("secret").asString();
			String second = rotate(id);
			assertThat(previousSecrets(id)).hasSize(1);
			// The grace period (24 h) ends now rather than tomorrow.
			this.db.sql("update endpoint_previous_secret set expires_at = now() where endpoint_id = :id").bind("id", id)
				.then().block();

			// The purge job runs every 200 ms in the test profile.
			await().atMost(WAIT).until(() -> previousSecrets(id).isEmpty());
			publish("expired.test", Map.of());
			await().atMost(WAIT).until(() -> receiver.count() == 1);
			Receiver.Received request = receiver.received().get(0);
			assertThat(request.headers().get("webhook-signature").split(" ")).hasSize(1);
			assertVerifies(request, second);
			assertThat(verifies(request, first)).isFalse();
		}
	}

	private String rotate(String id) {
		return post(this.tenant, "/internal/v1/endpoints/" + id + "/rotate-secret").exchange()
			.expectStatus()
			.isOk()
			.expectBody(JsonNode.class)
			.returnResult()
			.getResponseBody()
			.path("secret")
			.asString();
	}

	private String storedSecret(String id) {
		return this.db.sql("select secret from endpoint where id = :id").bind("id", id)
			.map((row) -> row.get("secret", String.class))
			.one()
			.block();
	}

	private List<String> previousSecrets(String id) {
		return this.db.sql("select secret from endpoint_previous_secret where endpoint_id = :id").bind("id", id)
			.map((row) -> row.get("secret", String.class))
			.all()
			.collectList()
			.block();
	}

	private static void assertVerifies(Receiver.Received request, String secret) {
		assertThat(verifies(request, secret)).as("signature verifies with the plaintext secret").isTrue();
	}

	private static boolean verifies(Receiver.Received request, String secret) {
		return IndependentSignature.verify(secret, request.webhookId(), request.headers().get("webhook-timestamp"),
				request.body(), request.headers().get("webhook-signature"));
	}

}
