package com.cloudgreet.relay.gateway;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import com.cloudgreet.relay.common.json.RelayJson;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

class StatusAndRoutingIT extends GatewayIntegrationTest {

	@LocalManagementPort
	int managementPort;

	@Test
	void answersQueuedFromTheMomentOfThe202BeforeTheOwnerKnowsTheMessage() {
		NewTenant tenant = createTenant();
		String id = send(tenant, "/v1/messages/email", email("early"));
		this.web.get()
			.uri("/v1/messages/" + id)
			.header("Authorization", "Bearer " + tenant.apiKey())
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.id")
			.isEqualTo(id)
			.jsonPath("$.status")
			.isEqualTo("queued")
			.jsonPath("$.channel")
			.isEqualTo("email");
	}

	@Test
	void anotherTenantsMessageIsNotFound() {
		NewTenant owner = createTenant();
		NewTenant other = createTenant();
		String id = send(owner, "/v1/messages/email", email("mine"));
		this.web.get()
			.uri("/v1/messages/" + id)
			.header("Authorization", "Bearer " + other.apiKey())
			.exchange()
			.expectStatus()
			.isNotFound()
			.expectHeader()
			.contentType(MediaType.APPLICATION_PROBLEM_JSON);
	}

	@Test
	void routesMessageStatusToNotificationServiceWithInternalTokenAndTenant() {
		NewTenant tenant = createTenant();
		String id = "msg_0192f0c0a1b27c3d8e4f5a6b7c8d9e0f";
		OWNER_ROUTES.put("GET /internal/v1/messages/" + id, (request) -> json(200,
				"{\"id\":\"" + id + "\",\"channel\":\"email\",\"status\":\"delivered\",\"attempts\":[]}"));
		this.web.get()
			.uri("/v1/messages/" + id)
			.header("Authorization", "Bearer " + tenant.apiKey())
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.status")
			.isEqualTo("delivered");
		RecordedRequest seen = lastOwnerRequest("/internal/v1/messages/" + id);
		assertThat(seen.getHeaders().get("X-Relay-Internal-Token")).isEqualTo("test-internal-token");
		assertThat(seen.getHeaders().get("X-Relay-Tenant-Id")).isEqualTo(tenant.id());
	}

	@Test
	void routesEventRetriesToWebhookServiceAndPassesProblemsThrough() {
		NewTenant tenant = createTenant();
		String id = "evt_0192f0c0a1b27c3d8e4f5a6b7c8d9e0f";
		OWNER_ROUTES.put("POST /internal/v1/messages/" + id + "/retry",
				(request) -> new MockResponse.Builder().code(409)
					.addHeader("Content-Type", "application/problem+json")
					.body("{\"type\":\"https://relay.cloudgreet.com/problems/message-not-retryable\",\"status\":409,"
							+ "\"instance\":\"/internal/v1/messages/" + id + "/retry\"}")
					.build());
		this.web.post()
			.uri("/v1/messages/" + id + "/retry")
			.header("Authorization", "Bearer " + tenant.apiKey())
			.exchange()
			.expectStatus()
			.isEqualTo(409)
			.expectHeader()
			.contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody()
			.jsonPath("$.type")
			.isEqualTo("https://relay.cloudgreet.com/problems/message-not-retryable")
			.jsonPath("$.instance")
			.isEqualTo("/v1/messages/" + id + "/retry");
	}

	@Test
	void proxiesEndpointCallsVerbatimToWebhookService() {
		NewTenant tenant = createTenant();
		OWNER_ROUTES.put("POST /internal/v1/endpoints?dryRun=false", (request) -> new MockResponse.Builder().code(201)
			.addHeader("Content-Type", "application/json")
			.addHeader("Location", "/internal/v1/endpoints/ep_1")
			.body("{\"id\":\"ep_1\",\"secret\":\"whsec_x\",\"echo\":" + request.getBody().string(StandardCharsets.UTF_8) + "}")
			.build());
		this.web.post()
			.uri("/v1/endpoints?dryRun=false")
			.header("Authorization", "Bearer " + tenant.apiKey())
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"url\":\"https://example.com/hook\",\"eventTypes\":[\"a.b\"]}")
			.exchange()
			.expectStatus()
			.isCreated()
			.expectHeader()
			.valueEquals("Location", "/v1/endpoints/ep_1")
			.expectBody()
			.jsonPath("$.echo.url")
			.isEqualTo("https://example.com/hook");
		OWNER_ROUTES.put("DELETE /internal/v1/endpoints/ep_1", (request) -> new MockResponse.Builder().code(204).build());
		this.web.delete()
			.uri("/v1/endpoints/ep_1")
			.header("Authorization", "Bearer " + tenant.apiKey())
			.exchange()
			.expectStatus()
			.isNoContent();
		assertThat(lastOwnerRequest("/internal/v1/endpoints/ep_1").getHeaders().get("X-Relay-Tenant-Id"))
			.isEqualTo(tenant.id());
	}

	@Test
	void refusesEndpointPathsThatCouldEscapeTheEndpointsTree() {
		NewTenant tenant = createTenant();
		this.web.get()
			.uri("/v1/endpoints/%2e%2e/messages")
			.header("Authorization", "Bearer " + tenant.apiKey())
			.exchange()
			.expectStatus()
			.isNotFound();
	}

	@Test
	void servesAnOpenApiDocument() {
		// The document is built at start-up (OpenApiDocumentIT), so the default 5 s is ample.
		this.web.get()
			.uri("/v3/api-docs")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.openapi")
			.exists()
			.jsonPath("$.paths['/v1/messages/sms'].post.requestBody.content['application/json'].schema['$ref']")
			.isEqualTo("#/components/schemas/SmsMessage")
			.jsonPath("$.paths['/v1/messages/email'].post.responses['202']")
			.exists()
			.jsonPath("$.paths['/v1/messages/{id}'].delete.responses['409']")
			.exists()
			.jsonPath("$.components.schemas.SmsMessage.properties.sendAt.format")
			.isEqualTo("date-time")
			.jsonPath("$.paths['/admin/v1/tenants'].post")
			.exists()
			.jsonPath("$.components.schemas.EndpointRequest.properties.rateLimit.type")
			.isEqualTo("number")
			.jsonPath("$.paths['/v1/endpoints/{endpointId}/replay'].post.parameters[?(@.name == 'since')]")
			.exists()
			.jsonPath("$.paths['/v1/endpoints/**']")
			.doesNotExist()
			.jsonPath("$.components.securitySchemes.apiKey.scheme")
			.isEqualTo("bearer")
			// Each attempt names the provider that answered (email and SMS failover); the status's
			// attempts are a schema of their own, not the endpoint attempts' "Attempt".
			.jsonPath("$.components.schemas.MessageStatus.properties.attempts.items['$ref']")
			.isEqualTo("#/components/schemas/MessageAttempt")
			.jsonPath("$.components.schemas.MessageAttempt.properties.provider.type")
			.isEqualTo("string");
	}

	@Test
	void healthShowsKafkaRedisDatabaseAndRateLimiterWithoutDetails() {
		String health = WebTestClient.bindToServer()
			.baseUrl("http://127.0.0.1:" + this.managementPort)
			.build()
			.get()
			.uri("/actuator/health")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody(String.class)
			.returnResult()
			.getResponseBody();
		JsonNode components = RelayJson.mapper().readTree(health).path("components");
		assertThat(components.path("kafka").path("status").asString()).isEqualTo("UP");
		assertThat(components.path("redis").path("status").asString()).isEqualTo("UP");
		assertThat(components.path("r2dbc").path("status").asString()).isEqualTo("UP");
		assertThat(components.path("rateLimiter").path("status").asString()).isEqualTo("UP");
		// Nothing more for a caller nobody authenticated: versions, hosts and exception texts stay inside.
		assertThat(health).doesNotContain("details", "version", "127.0.0.1", "redis://");
	}

	private String send(NewTenant tenant, String path, String body) {
		return this.web.post()
			.uri(path)
			.header("Authorization", "Bearer " + tenant.apiKey())
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(body)
			.exchange()
			.expectStatus()
			.isAccepted()
			.expectBody(tools.jackson.databind.JsonNode.class)
			.returnResult()
			.getResponseBody()
			.get("id")
			.asString();
	}

	private static MockResponse json(int status, String body) {
		return new MockResponse.Builder().code(status).addHeader("Content-Type", "application/json").body(body).build();
	}

	private static RecordedRequest lastOwnerRequest(String target) {
		synchronized (OWNER_REQUESTS) {
			for (int i = OWNER_REQUESTS.size() - 1; i >= 0; i--) {
				if (OWNER_REQUESTS.get(i).getTarget().equals(target)) {
					return OWNER_REQUESTS.get(i);
				}
			}
		}
		throw new AssertionError("no request to " + target);
	}

}
