package com.cloudgreet.relay.gateway;

import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

class AdminApiIT extends GatewayIntegrationTest {

	private static final String UNKNOWN = "/v1/messages/msg_0192f0c0a1b27c3d8e4f5a6b7c8d0003";

	@Test
	void rotatesKeysWithoutDowntimeAndRevocationTakesEffectAtOnce() {
		NewTenant tenant = createTenant();
		// The old key is used (and so cached in Redis) before it is revoked.
		call(tenant.apiKey()).expectStatus().isNotFound();

		JsonNode added = admin().post()
			.uri("/admin/v1/tenants/" + tenant.id() + "/keys")
			.exchange()
			.expectStatus()
			.isCreated()
			.expectBody(JsonNode.class)
			.returnResult()
			.getResponseBody();
		String newKey = added.get("apiKey").asString();
		call(newKey).expectStatus().isNotFound();
		call(tenant.apiKey()).expectStatus().isNotFound();

		admin().delete().uri("/admin/v1/tenants/" + tenant.id() + "/keys/" + tenant.keyId()).exchange().expectStatus().isNoContent();

		call(tenant.apiKey()).expectStatus().isUnauthorized();
		call(newKey).expectStatus().isNotFound();
	}

	@Test
	void showsTenantsWithKeyHintsButNeverKeys() {
		NewTenant tenant = createTenant(RateLimitIT.limited(7, 14));
		byte[] body = admin().get()
			.uri("/admin/v1/tenants/" + tenant.id())
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.rateLimit.requestsPerSecond")
			.isEqualTo(7.0)
			.jsonPath("$.rateLimit.burst")
			.isEqualTo(14)
			.jsonPath("$.keys[0].hint")
			.isEqualTo("…" + tenant.apiKey().substring(tenant.apiKey().length() - 4))
			.returnResult()
			.getResponseBodyContent();
		assertThat(new String(body, java.nio.charset.StandardCharsets.UTF_8)).doesNotContain(tenant.apiKey());
	}

	@Test
	void changedLimitsApplyToCachedKeysImmediately() {
		NewTenant tenant = createTenant();
		call(tenant.apiKey()).expectHeader().valueEquals("RateLimit-Policy", "\"tenant\";q=1000;w=1");
		admin().put()
			.uri("/admin/v1/tenants/" + tenant.id() + "/rate-limit")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"requestsPerSecond\":2,\"burst\":4}")
			.exchange()
			.expectStatus()
			.isOk();
		call(tenant.apiKey()).expectHeader().valueEquals("RateLimit-Policy", "\"tenant\";q=4;w=2");
	}

	@Test
	void validatesTenantBodies() {
		admin().post()
			.uri("/admin/v1/tenants")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"name\":\"\",\"rateLimit\":{\"requestsPerSecond\":0,\"burst\":0}}")
			.exchange()
			.expectStatus()
			.isEqualTo(422)
			.expectBody()
			.jsonPath("$.errors[?(@.pointer == '/rateLimit/requestsPerSecond')]")
			.exists();
	}

	@Test
	void unknownTenantsAreNotFound() {
		admin().post()
			.uri("/admin/v1/tenants/ten_0192f0c0a1b27c3d8e4f5a6b7c8d9e0f/keys")
			.exchange()
			.expectStatus()
			.isNotFound()
			.expectHeader()
			.contentType(MediaType.APPLICATION_PROBLEM_JSON);
	}

	private WebTestClient admin() {
		return this.web.mutate().defaultHeader("Authorization", "Bearer " + ADMIN_TOKEN).build();
	}

	private WebTestClient.ResponseSpec call(String apiKey) {
		return this.web.get().uri(UNKNOWN).header("Authorization", "Bearer " + apiKey).exchange();
	}

}
