package com.cloudgreet.relay.notification;

import com.cloudgreet.relay.common.http.RelayHttpHeaders;
import com.cloudgreet.relay.common.id.IdKind;
import com.cloudgreet.relay.common.id.RelayIds;
import com.cloudgreet.relay.common.problem.ProblemTypes;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.http.MediaType;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

class InternalApiIT extends NotificationIT {

	@Test
	void rejectsCallsWithoutTheInternalToken() {
		this.web.get()
			.uri("/internal/v1/messages/{id}", RelayIds.next(IdKind.MESSAGE))
			.header(RelayHttpHeaders.TENANT_ID, this.tenant)
			.exchange()
			.expectStatus()
			.isUnauthorized()
			.expectHeader()
			.contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody()
			.jsonPath("$.type")
			.isEqualTo(ProblemTypes.UNAUTHORIZED.toString());
		this.web.get()
			.uri("/internal/v1/messages/{id}", RelayIds.next(IdKind.MESSAGE))
			.header(RelayHttpHeaders.INTERNAL_TOKEN, "wrong")
			.header(RelayHttpHeaders.TENANT_ID, this.tenant)
			.exchange()
			.expectStatus()
			.isUnauthorized();
	}

	@Test
	void hidesAnotherTenantsMessage() {
		String to = phoneNumber();
		TWILIO.stubFor(post(urlEqualTo(TWILIO_MESSAGES)).withFormParam("To", equalTo(to))
			.willReturn(okJson("{\"sid\":\"SMx\"}").withStatus(201)));
		String id = publishSms(to, "mine");
		awaitStatus(id, "delivered");

		for (String path : new String[] { "/internal/v1/messages/{id}", "/internal/v1/messages/{id}/retry" }) {
			var spec = path.endsWith("retry") ? this.web.post().uri(path, id) : this.web.get().uri(path, id);
			spec.header(RelayHttpHeaders.INTERNAL_TOKEN, TOKEN)
				.header(RelayHttpHeaders.TENANT_ID, RelayIds.next(IdKind.TENANT))
				.exchange()
				.expectStatus()
				.isNotFound()
				.expectHeader()
				.contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
				.expectBody()
				.jsonPath("$.type")
				.isEqualTo(ProblemTypes.NOT_FOUND.toString());
		}
	}

	@Test
	void refusesToRetryDeliveredMessage() {
		String to = phoneNumber();
		TWILIO.stubFor(post(urlEqualTo(TWILIO_MESSAGES)).withFormParam("To", equalTo(to))
			.willReturn(okJson("{\"sid\":\"SMy\"}").withStatus(201)));
		String id = publishSms(to, "done");
		awaitStatus(id, "delivered");

		retry(id).expectStatus()
			.isEqualTo(409)
			.expectBody()
			.jsonPath("$.type")
			.isEqualTo(ProblemTypes.NOT_RETRYABLE.toString());
	}

	@Test
	void retryRequeuesFailedMessageWithSameIdAndKeepsAttempts() {
		String to = phoneNumber();
		TWILIO.stubFor(post(urlEqualTo(TWILIO_MESSAGES)).withFormParam("To", equalTo(to))
			.willReturn(aResponse().withStatus(403).withHeader("Content-Type", "application/json")
				.withBody("{\"code\":20003,\"message\":\"Permission denied\",\"status\":403}")));
		String id = publishSms(to, "second chance");
		awaitStatus(id, "failed");

		TWILIO.stubFor(post(urlEqualTo(TWILIO_MESSAGES)).withFormParam("To", equalTo(to))
			.willReturn(okJson("{\"sid\":\"SMretried\"}").withStatus(201)));
		retry(id).expectStatus()
			.isAccepted()
			.expectBody()
			.jsonPath("$.id")
			.isEqualTo(id)
			.jsonPath("$.status")
			.isEqualTo("queued");

		JsonNode status = awaitStatus(id, "delivered");
		assertThat(status.path("attempts").findValuesAsString("outcome")).containsExactly("permanent_failure", "delivered");
		assertThat(status.path("providerMessageId").asString()).isEqualTo("SMretried");
	}

	@Test
	void answersNotFoundForUnknownMessage() {
		this.web.get()
			.uri("/internal/v1/messages/{id}", RelayIds.next(IdKind.MESSAGE))
			.header(RelayHttpHeaders.INTERNAL_TOKEN, TOKEN)
			.header(RelayHttpHeaders.TENANT_ID, this.tenant)
			.exchange()
			.expectStatus()
			.isNotFound();
	}

	private org.springframework.test.web.reactive.server.WebTestClient.ResponseSpec retry(String id) {
		return this.web.post()
			.uri("/internal/v1/messages/{id}/retry", id)
			.header(RelayHttpHeaders.INTERNAL_TOKEN, TOKEN)
			.header(RelayHttpHeaders.TENANT_ID, this.tenant)
			.exchange();
	}

}
