package com.cloudgreet.relay.gateway.idempotency;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import com.cloudgreet.relay.common.json.RelayJson;
import com.cloudgreet.relay.common.signing.WebhookSecrets;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Keeps signing secrets out of the idempotency cache. An answer that shows one (endpoint create,
 * secret rotation) is stored with every {@code whsec_...} value replaced by {@code null}: the
 * replay still says what happened (the endpoint exists, created once), and Redis, its replicas and
 * its backups never hold a secret in clear. A client that lost the first answer rotates the secret.
 */
final class SecretRedaction {

	private static final byte[] MARK = WebhookSecrets.PREFIX.getBytes(StandardCharsets.US_ASCII);

	private SecretRedaction() {
	}

	/** The body fit for storing, or empty if it holds a secret that cannot be cut out (not JSON). */
	static Optional<byte[]> redact(byte[] body) {
		if (!contains(body, MARK)) {
			return Optional.of(body);
		}
		JsonNode tree;
		try {
			tree = RelayJson.mapper().readTree(body);
		}
		catch (RuntimeException ex) {
			return Optional.empty();
		}
		if (tree == null || !(tree.isObject() || tree.isArray())) {
			return Optional.empty();
		}
		scrub(tree);
		return Optional.of(RelayJson.write(tree));
	}

	private static void scrub(JsonNode node) {
		if (node instanceof ObjectNode object) {
			List<String> secrets = new ArrayList<>();
			object.properties().forEach((field) -> {
				if (isSecret(field.getValue())) {
					secrets.add(field.getKey());
				}
				else {
					scrub(field.getValue());
				}
			});
			secrets.forEach(object::putNull);
		}
		else if (node instanceof ArrayNode array) {
			for (int i = 0; i < array.size(); i++) {
				if (isSecret(array.get(i))) {
					array.set(i, array.nullNode());
				}
				else {
					scrub(array.get(i));
				}
			}
		}
	}

	private static boolean isSecret(JsonNode node) {
		return node.isString() && node.asString().startsWith(WebhookSecrets.PREFIX);
	}

	private static boolean contains(byte[] haystack, byte[] needle) {
		outer: for (int i = 0; i <= haystack.length - needle.length; i++) {
			for (int j = 0; j < needle.length; j++) {
				if (haystack[i + j] != needle[j]) {
					continue outer;
				}
			}
			return true;
		}
		return false;
	}

}
