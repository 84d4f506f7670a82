package com.cloudgreet.relay.gateway;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * A tenant sends only from the senders the admin API allowed it; without any, only the service's
 * default sender. Refusals are 422 with a pointer, like every other invalid field.
 */
class SendersIT extends GatewayIntegrationTest {

	private static final String ACME = "{\"name\":\"acme\",\"senders\":{\"email\":[\"example.com\",\"noreply@acme.io\"],"
			+ "\"sms\":[\"+14155550100\",\"ACME\"]}}";

	@ParameterizedTest(name = "{0}")
	@CsvSource(delimiter = '|', value = { "from at an allowed domain | \"from\":\"Billing <billing@example.com>\" | 202 | ",
			"from an allowed address | \"from\":\"noreply@acme.io\",\"replyTo\":\"help@example.com\" | 202 | ",
			"no sender: the default | \"cc\":[\"bob@example.org\"] | 202 | ",
			"from another address at an allowed address's domain | \"from\":\"ceo@acme.io\" | 422 | /from",
			"from a subdomain | \"from\":\"x@mail.example.com\" | 422 | /from",
			"replyTo elsewhere | \"from\":\"a@example.com\",\"replyTo\":\"Help <help@evil.example>\" | 422 | /replyTo",
			"bidi override in the display name | \"from\":\"\u202Emoc.elpmaxe\u202C <a@example.com>\" | 422 | /from" })
	void emailSendersMustBeAllowed(String name, String fields, int status, String pointer) {
		NewTenant tenant = createTenant(ACME);
		String body = "{\"to\":[\"ada@example.org\"],\"subject\":\"s\",\"text\":\"t\"," + fields + "}";
		expect(post(tenant, "/v1/messages/email", body), status, pointer);
	}

	@ParameterizedTest(name = "{0}")
	@CsvSource(delimiter = '|', value = { "allowed number | +14155550100 | 202 | ", "allowed sender id | ACME | 202 | ",
			"sender id in other case | acme | 422 | /from", "other number | +14155550101 | 422 | /from" })
	void smsSendersMustBeAllowed(String name, String from, int status, String pointer) {
		NewTenant tenant = createTenant(ACME);
		expect(post(tenant, "/v1/messages/sms", "{\"to\":\"+14155550123\",\"from\":\"" + from + "\",\"body\":\"hi\"}"),
				status, pointer);
	}

	@Test
	void aTenantWithoutAllowedSendersSendsOnlyFromTheDefault() {
		NewTenant tenant = createTenant();
		post(tenant, "/v1/messages/email", email("default")).expectStatus().isAccepted();
		post(tenant, "/v1/messages/sms", sms("default")).expectStatus().isAccepted();
		post(tenant, "/v1/messages/email",
				"{\"to\":[\"ada@example.org\"],\"from\":\"a@example.com\",\"subject\":\"s\",\"text\":\"t\"}")
			.expectStatus()
			.isEqualTo(422)
			.expectBody()
			.jsonPath("$.errors[0].pointer")
			.isEqualTo("/from")
			.jsonPath("$.errors[0].detail")
			.value((String detail) -> org.assertj.core.api.Assertions.assertThat(detail)
				.contains("no custom sender is allowed"));
	}

	@Test
	void theAdminApiSetsShowsAndValidatesAllowedSenders() {
		NewTenant tenant = createTenant();
		String from = "{\"to\":[\"ada@example.org\"],\"from\":\"News <news@Example.com>\",\"subject\":\"s\",\"text\":\"t\"}";
		post(tenant, "/v1/messages/email", from).expectStatus().isEqualTo(422);

		admin().put()
			.uri("/admin/v1/tenants/" + tenant.id() + "/senders")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"email\":[\"EXAMPLE.com\"],\"sms\":[\"ACME\"]}")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.email[0]")
			.isEqualTo("example.com");
		post(tenant, "/v1/messages/email", from).expectStatus().isAccepted();
		admin().get()
			.uri("/admin/v1/tenants/" + tenant.id())
			.exchange()
			.expectBody()
			.jsonPath("$.senders.email[0]")
			.isEqualTo("example.com")
			.jsonPath("$.senders.sms[0]")
			.isEqualTo("ACME");

		admin().put()
			.uri("/admin/v1/tenants/" + tenant.id() + "/senders")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"email\":[\"*.example.com\"],\"sms\":[]}")
			.exchange()
			.expectStatus()
			.isEqualTo(422)
			.expectBody()
			.jsonPath("$.errors[0].pointer")
			.isEqualTo("/email/0");
		admin().put()
			.uri("/admin/v1/tenants/ten_0192f0c0a1b27c3d8e4f5a6b7c8d9e0f/senders")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"email\":[],\"sms\":[]}")
			.exchange()
			.expectStatus()
			.isNotFound();
		admin().post()
			.uri("/admin/v1/tenants")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"name\":\"x\",\"senders\":{\"sms\":[\"+1\"]}}")
			.exchange()
			.expectStatus()
			.isEqualTo(422)
			.expectBody()
			.jsonPath("$.errors[0].pointer")
			.isEqualTo("/senders/sms/0");
	}

	private void expect(WebTestClient.ResponseSpec response, int status, String pointer) {
		var body = response.expectStatus().isEqualTo(status).expectBody();
		if (pointer != null) {
			body.jsonPath("$.type")
				.isEqualTo("https://relay.cloudgreet.com/problems/validation-failed")
				.jsonPath("$.errors[0].pointer")
				.isEqualTo(pointer);
		}
	}

	private WebTestClient.ResponseSpec post(NewTenant tenant, String path, String body) {
		return this.web.post()
			.uri(path)
			.header("Authorization", "Bearer " + tenant.apiKey())
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(body)
			.exchange();
	}

	private WebTestClient admin() {
		return this.web.mutate().defaultHeader("Authorization", "Bearer " + ADMIN_TOKEN).build();
	}

}
