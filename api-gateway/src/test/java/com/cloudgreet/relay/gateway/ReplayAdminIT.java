package com.cloudgreet.relay.gateway;

import java.util.ArrayList;
import java.util.List;

import com.cloudgreet.relay.common.json.RelayJson;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/** POST /admin/v1/replays: admin only, routed to each owner's operator area with the token and no tenant. */
class ReplayAdminIT extends GatewayIntegrationTest {

	private static final String INTERNAL = "/internal/v1/admin/replays";

	@Test
	void routesAWindowToEveryOwnerWithoutATenantAndSumsTheirCounts() {
		OWNER_ROUTES.put("POST " + INTERNAL, (request) -> json(202, "{\"replayed\":3,\"remaining\":1,\"refused\":2}"));
		int before = ownerCalls().size();

		JsonNode answer = this.web.post()
			.uri("/admin/v1/replays")
			.header("Authorization", "Bearer " + ADMIN_TOKEN)
			.header("Content-Type", "application/json")
			.bodyValue("{\"from\":\"2026-01-01T00:00:00Z\",\"to\":\"2026-01-02T00:00:00Z\"}")
			.exchange()
			.expectStatus()
			.isAccepted()
			.expectBody(JsonNode.class)
			.returnResult()
			.getResponseBody();

		assertThat(answer.path("replayed").asLong()).isEqualTo(6);
		assertThat(answer.path("remaining").asLong()).isEqualTo(2);
		assertThat(answer.path("refused").asLong()).isEqualTo(4);
		assertThat(answer.path("services").path("notification").path("replayed").asLong()).isEqualTo(3);
		assertThat(answer.path("services").path("webhook").path("replayed").asLong()).isEqualTo(3);
		List<RecordedRequest> calls = ownerCalls().subList(before, ownerCalls().size());
		assertThat(calls).hasSize(2).allSatisfy((call) -> {
			assertThat(call.getHeaders().get("X-Relay-Internal-Token")).isEqualTo("test-internal-token");
			assertThat(call.getHeaders().get("X-Relay-Tenant-Id")).isNull();
			JsonNode body = RelayJson.mapper().readTree(call.getBody().utf8());
			assertThat(body.path("statuses").toString()).isEqualTo("[\"failed\",\"dead_lettered\"]");
		});
	}

	@Test
	void anEndpointGoesToWebhookServiceOnly() {
		OWNER_ROUTES.put("POST " + INTERNAL, (request) -> json(202, "{\"replayed\":1,\"remaining\":0}"));
		int before = ownerCalls().size();

		this.web.post()
			.uri("/admin/v1/replays")
			.header("Authorization", "Bearer " + ADMIN_TOKEN)
			.header("Content-Type", "application/json")
			.bodyValue("{\"endpointId\":\"ep_1\",\"tenantId\":\"ten_1\",\"from\":\"2026-01-01T00:00:00Z\","
					+ "\"to\":\"2026-01-02T00:00:00Z\",\"statuses\":[\"dead_lettered\"]}")
			.exchange()
			.expectStatus()
			.isAccepted()
			.expectBody()
			.jsonPath("$.replayed").isEqualTo(1)
			.jsonPath("$.services.webhook.replayed").isEqualTo(1)
			.jsonPath("$.services.notification").doesNotExist();
		assertThat(ownerCalls().size() - before).isEqualTo(1);
	}

	@Test
	void refusesAWindowThatEndsBeforeItStarts() {
		this.web.post()
			.uri("/admin/v1/replays")
			.header("Authorization", "Bearer " + ADMIN_TOKEN)
			.header("Content-Type", "application/json")
			.bodyValue("{\"from\":\"2026-01-02T00:00:00Z\",\"to\":\"2026-01-01T00:00:00Z\"}")
			.exchange()
			.expectStatus()
			.isBadRequest();
	}

	@Test
	void refusesATenantKeyAndNoKey() {
		NewTenant tenant = createTenant();
		for (String authorization : new String[] { "Bearer " + tenant.apiKey(), null }) {
			var request = this.web.post().uri("/admin/v1/replays").header("Content-Type", "application/json");
			if (authorization != null) {
				request.header("Authorization", authorization);
			}
			request.bodyValue("{\"from\":\"2026-01-01T00:00:00Z\",\"to\":\"2026-01-02T00:00:00Z\"}")
				.exchange()
				.expectStatus()
				.isUnauthorized();
		}
	}

	private static List<RecordedRequest> ownerCalls() {
		synchronized (OWNER_REQUESTS) {
			return new ArrayList<>(OWNER_REQUESTS.stream().filter((r) -> r.getTarget().equals(INTERNAL)).toList());
		}
	}

	private static MockResponse json(int status, String body) {
		return new MockResponse.Builder().code(status).addHeader("Content-Type", "application/json").body(body).build();
	}

}
