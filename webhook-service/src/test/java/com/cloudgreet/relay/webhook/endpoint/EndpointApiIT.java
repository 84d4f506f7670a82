package com.cloudgreet.relay.webhook.endpoint;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import com.cloudgreet.relay.common.http.RelayHttpHeaders;
import com.cloudgreet.relay.common.id.IdKind;
import com.cloudgreet.relay.common.id.RelayIds;
import com.cloudgreet.relay.webhook.AbstractWebhookIT;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

class EndpointApiIT extends AbstractWebhookIT {

	private static final String PROBLEMS = "https://relay.cloudgreet.com/problems/";

	@Test
	void createsReadsListsUpdatesAndDeletesAnEndpoint() {
		JsonNode created = post(this.tenant, "/internal/v1/endpoints")
			.bodyValue(Map.of("url", "http://127.0.0.1:9/a", "eventTypes", List.of("invoice.paid", "invoice.paid"),
					"description", "billing"))
			.exchange()
			.expectStatus()
			.isCreated()
			.expectBody(JsonNode.class)
			.returnResult()
			.getResponseBody();
		String id = created.path("id").asString();
		assertThat(id).startsWith("ep_");
		assertThat(created.path("secret").asString()).matches("whsec_[A-Za-z0-9+/=]{32}");
		assertThat(created.path("enabled").asBoolean()).isTrue();
		assertThat(created.path("eventTypes").size()).as("duplicates removed").isEqualTo(1);

		get(this.tenant, "/internal/v1/endpoints/" + id).exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.url").isEqualTo("http://127.0.0.1:9/a")
			.jsonPath("$.description").isEqualTo("billing")
			.jsonPath("$.secret").doesNotExist();

		patch(this.tenant, "/internal/v1/endpoints/" + id)
			.bodyValue(Map.of("url", "http://127.0.0.1:9/b", "eventTypes", List.of(), "enabled", false))
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.url").isEqualTo("http://127.0.0.1:9/b")
			.jsonPath("$.eventTypes.length()").isEqualTo(0)
			.jsonPath("$.description").isEqualTo("billing")
			.jsonPath("$.enabled").isEqualTo(false)
			.jsonPath("$.disabledReason").isEqualTo("disabled by the user");

		get(this.tenant, "/internal/v1/endpoints").exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.data.length()").isEqualTo(1)
			.jsonPath("$.data[0].id").isEqualTo(id)
			.jsonPath("$.next").doesNotExist();

		this.web.delete().uri("/internal/v1/endpoints/" + id).header(RelayHttpHeaders.INTERNAL_TOKEN, TOKEN)
			.header(RelayHttpHeaders.TENANT_ID, this.tenant).exchange().expectStatus().isNoContent();
		get(this.tenant, "/internal/v1/endpoints/" + id).exchange().expectStatus().isNotFound();
	}

	@Test
	void pagesThroughEndpointsWithACursor() {
		for (int i = 0; i < 3; i++) {
			createEndpoint("http://127.0.0.1:9/" + i);
		}
		JsonNode first = get(this.tenant, "/internal/v1/endpoints?limit=2").exchange()
			.expectStatus().isOk().expectBody(JsonNode.class).returnResult().getResponseBody();
		assertThat(first.path("data").size()).isEqualTo(2);
		String next = first.path("next").asString();
		get(this.tenant, "/internal/v1/endpoints?limit=2&after=" + next).exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.data.length()").isEqualTo(1)
			.jsonPath("$.next").doesNotExist();
	}

	@Test
	void anotherTenantsEndpointIsNotFound() {
		String id = createEndpoint("http://127.0.0.1:9/x").path("id").asString();
		String stranger = RelayIds.next(IdKind.TENANT);

		get(stranger, "/internal/v1/endpoints/" + id).exchange()
			.expectStatus()
			.isNotFound()
			.expectHeader()
			.contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody()
			.jsonPath("$.type").isEqualTo(PROBLEMS + "not-found");
		patch(stranger, "/internal/v1/endpoints/" + id).bodyValue(Map.of("enabled", false))
			.exchange().expectStatus().isNotFound();
		post(stranger, "/internal/v1/endpoints/" + id + "/rotate-secret").exchange().expectStatus().isNotFound();
		get(stranger, "/internal/v1/endpoints/" + id + "/attempts").exchange().expectStatus().isNotFound();
		this.web.delete().uri("/internal/v1/endpoints/" + id).header(RelayHttpHeaders.INTERNAL_TOKEN, TOKEN)
			.header(RelayHttpHeaders.TENANT_ID, stranger).exchange().expectStatus().isNotFound();
		get(stranger, "/internal/v1/endpoints").exchange().expectBody().jsonPath("$.data.length()").isEqualTo(0);
		get(this.tenant, "/internal/v1/endpoints/" + id).exchange().expectStatus().isOk();
	}

	@Test
	void unknownMessageIsNotFound() {
		get(this.tenant, "/internal/v1/messages/" + RelayIds.next(IdKind.EVENT)).exchange()
			.expectStatus()
			.isNotFound()
			.expectBody()
			.jsonPath("$.type").isEqualTo(PROBLEMS + "not-found");
	}

	@ParameterizedTest(name = "token {0}")
	@CsvSource(nullValues = "none", value = { "none", "wrong-token" })
	void rejectsInternalCallsWithoutTheRightToken(String token) {
		var request = this.web.get().uri("/internal/v1/endpoints").header(RelayHttpHeaders.TENANT_ID, this.tenant);
		if (token != null) {
			request = request.header(RelayHttpHeaders.INTERNAL_TOKEN, token);
		}
		request.exchange()
			.expectStatus()
			.isUnauthorized()
			.expectHeader()
			.contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody()
			.jsonPath("$.type").isEqualTo(PROBLEMS + "unauthorized")
			.jsonPath("$.status").isEqualTo(401);
	}

	@ParameterizedTest(name = "tenant header \"{0}\"")
	@CsvSource(nullValues = "none", value = { "none", "''" })
	void requiresTheTenantHeader(String tenant) {
		var request = this.web.get().uri("/internal/v1/endpoints").header(RelayHttpHeaders.INTERNAL_TOKEN, TOKEN);
		if (tenant != null) {
			request = request.header(RelayHttpHeaders.TENANT_ID, tenant);
		}
		request.exchange()
			.expectStatus()
			.isBadRequest()
			.expectHeader()
			.contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody()
			.jsonPath("$.type").isEqualTo(PROBLEMS + "malformed-request");
	}

	@Test
	void reportsEveryValidationViolation() {
		post(this.tenant, "/internal/v1/endpoints")
			.bodyValue(Map.of("eventTypes", List.of("ok.type", "bad type!"), "description", "x".repeat(501)))
			.exchange()
			.expectStatus()
			.isEqualTo(HttpStatus.UNPROCESSABLE_CONTENT)
			.expectBody()
			.jsonPath("$.type").isEqualTo(PROBLEMS + "validation-failed")
			.jsonPath("$.errors[?(@.pointer == '/url')]").exists()
			.jsonPath("$.errors[?(@.pointer == '/eventTypes/1')]").exists()
			.jsonPath("$.errors[?(@.pointer == '/description')]").exists();
	}

	/** Refused even with allow-private-networks=true (which the test profile sets for its loopback receivers). */
	@ParameterizedTest(name = "{0}")
	@CsvSource(delimiter = '|', value = { "ftp://example.com/hook | http or https",
			"http://169.254.169.254/latest/meta-data/ | not a public address",
			"http://[fd00:ec2::254]/ | not a public address", "http://[::ffff:169.254.169.254]/ | not a public address",
			"http://0.0.0.0:8080/ | not a public address", "http://224.0.0.1/ | not a public address",
			"http://user:pass@127.0.0.1/ | credentials" })
	void refusesUnsafeUrlAtRegistration(String url, String reason) {
		post(this.tenant, "/internal/v1/endpoints").bodyValue(Map.of("url", url))
			.exchange()
			.expectStatus()
			.isEqualTo(HttpStatus.UNPROCESSABLE_CONTENT)
			.expectHeader()
			.contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody()
			.jsonPath("$.type").isEqualTo(PROBLEMS + "unsafe-url")
			.jsonPath("$.detail").value((String detail) -> assertThat(detail).contains(reason))
			.jsonPath("$.errors[0].pointer").isEqualTo("/url");
	}

	/**
	 * The host resolves (here: is written as NAT64) to the metadata address: the answer says it is
	 * refused, never which address it reached, so the API cannot be used to map our network.
	 */
	@Test
	void refusalNamesNeitherTheResolvedAddressNorItsKind() {
		post(this.tenant, "/internal/v1/endpoints").bodyValue(Map.of("url", "http://[64:ff9b::a9fe:a9fe]/hook"))
			.exchange()
			.expectStatus()
			.isEqualTo(HttpStatus.UNPROCESSABLE_CONTENT)
			.expectBody(String.class)
			.value((body) -> assertThat(body).contains("not a public address")
				.doesNotContain("64:ff9b:0:0:0:0:a9fe:a9fe")
				.doesNotContain("169.254")
				.doesNotContain("metadata"));
	}

	@Test
	void refusesAnUnsafeUrlOnUpdateToo() {
		String id = createEndpoint("http://127.0.0.1:9/x").path("id").asString();
		patch(this.tenant, "/internal/v1/endpoints/" + id).bodyValue(Map.of("url", "http://169.254.169.254/"))
			.exchange()
			.expectStatus()
			.isEqualTo(HttpStatus.UNPROCESSABLE_CONTENT)
			.expectBody()
			.jsonPath("$.type").isEqualTo(PROBLEMS + "unsafe-url");
		get(this.tenant, "/internal/v1/endpoints/" + id).exchange().expectBody().jsonPath("$.url")
			.isEqualTo("http://127.0.0.1:9/x");
	}

	/** The test profile allows 5 endpoints per tenant. */
	@Test
	void capsTheEndpointsOfATenant() {
		for (int i = 0; i < 5; i++) {
			createEndpoint("http://127.0.0.1:9/" + i);
		}

		post(this.tenant, "/internal/v1/endpoints").bodyValue(Map.of("url", "http://127.0.0.1:9/one-too-many"))
			.exchange()
			.expectStatus()
			.isEqualTo(HttpStatus.CONFLICT)
			.expectHeader()
			.contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody()
			.jsonPath("$.type").isEqualTo(PROBLEMS + "endpoint-limit-reached")
			.jsonPath("$.limit").isEqualTo(5);
		get(this.tenant, "/internal/v1/endpoints").exchange().expectBody().jsonPath("$.data.length()").isEqualTo(5);
		createEndpointFor(RelayIds.next(IdKind.TENANT), "http://127.0.0.1:9/other-tenant");

		String first = get(this.tenant, "/internal/v1/endpoints?limit=1").exchange()
			.expectBody(JsonNode.class).returnResult().getResponseBody().path("data").get(0).path("id").asString();
		this.web.delete().uri("/internal/v1/endpoints/" + first).header(RelayHttpHeaders.INTERNAL_TOKEN, TOKEN)
			.header(RelayHttpHeaders.TENANT_ID, this.tenant).exchange().expectStatus().isNoContent();
		createEndpoint("http://127.0.0.1:9/after-a-delete");
	}

	@Test
	void concurrentCreatesCannotExceedTheCap() throws Exception {
		List<Callable<Integer>> creates = new ArrayList<>();
		for (int i = 0; i < 12; i++) {
			String url = "http://127.0.0.1:9/race-" + i;
			creates.add(() -> post(this.tenant, "/internal/v1/endpoints").bodyValue(Map.of("url", url))
				.exchange()
				.returnResult(String.class)
				.getStatus()
				.value());
		}
		ExecutorService pool = Executors.newFixedThreadPool(12);
		try {
			List<Integer> statuses = new ArrayList<>();
			for (Future<Integer> status : pool.invokeAll(creates)) {
				statuses.add(status.get());
			}
			assertThat(statuses).filteredOn((status) -> status == 201).hasSize(5);
			assertThat(statuses).filteredOn((status) -> status != 201).containsOnly(409);
		}
		finally {
			pool.shutdownNow();
		}
	}

	/** The test context's only name server never answers (see AbstractWebhookIT). */
	@Test
	void refusesAHostWhoseNameDoesNotResolveInTime() {
		long started = System.nanoTime();

		post(this.tenant, "/internal/v1/endpoints").bodyValue(Map.of("url", "https://hooks.example.com/in"))
			.exchange()
			.expectStatus()
			.isEqualTo(HttpStatus.UNPROCESSABLE_CONTENT)
			.expectHeader()
			.contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody()
			.jsonPath("$.type").isEqualTo(PROBLEMS + "unsafe-url")
			.jsonPath("$.detail").value((String detail) -> assertThat(detail).contains("did not resolve in time"));
		// The test profile's DNS limit is 1 s: refused after it, not after a resolver's own retries.
		assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(4));
	}

}
