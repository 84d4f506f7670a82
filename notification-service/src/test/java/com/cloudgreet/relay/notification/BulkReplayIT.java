package com.cloudgreet.relay.notification;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;

import com.cloudgreet.relay.common.http.RelayHttpHeaders;
import com.cloudgreet.relay.common.id.IdKind;
import com.cloudgreet.relay.common.id.RelayIds;
import org.junit.jupiter.api.Test;

import org.springframework.test.web.reactive.server.WebTestClient;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;

/** The operator area: bulk replay needs the internal token but no tenant; every other route still needs both. */
class BulkReplayIT extends NotificationIT {

	private static final String REPLAYS = "/internal/v1/admin/replays";

	@Test
	void replaysATenantsFailedMessagesOfAWindowWithoutATenantHeader() {
		String to = phoneNumber();
		TWILIO.stubFor(post(urlEqualTo(TWILIO_MESSAGES)).withFormParam("To", equalTo(to))
			.willReturn(aResponse().withStatus(400).withHeader("Content-Type", "application/json")
				.withBody("{\"code\":21610,\"message\":\"Unsubscribed recipient\",\"status\":400}")));
		String id = publishSms(to, "bulk");
		awaitStatus(id, "failed");
		TWILIO.stubFor(post(urlEqualTo(TWILIO_MESSAGES)).withFormParam("To", equalTo(to))
			.willReturn(okJson("{\"sid\":\"SMbulk\"}").withStatus(201)));

		replay(Map.of("tenantId", this.tenant, "channel", "sms", "from", Instant.now().minus(1, ChronoUnit.HOURS).toString(),
				"to", Instant.now().plus(1, ChronoUnit.HOURS).toString()))
			.expectStatus()
			.isAccepted()
			.expectBody()
			.jsonPath("$.replayed").isEqualTo(1)
			.jsonPath("$.remaining").isEqualTo(0);

		awaitStatus(id, "delivered");
		// Nothing is left in the window for this tenant.
		replay(Map.of("tenantId", this.tenant, "from", Instant.now().minus(1, ChronoUnit.HOURS).toString(),
				"to", Instant.now().plus(1, ChronoUnit.HOURS).toString()))
			.expectStatus()
			.isAccepted()
			.expectBody()
			.jsonPath("$.replayed").isEqualTo(0);
	}

	@Test
	void operatorAreaRefusesCallsWithoutTheToken() {
		this.web.post()
			.uri(REPLAYS)
			.header("Content-Type", "application/json")
			.bodyValue(Map.of("from", "2026-01-01T00:00:00Z", "to", "2026-01-02T00:00:00Z"))
			.exchange()
			.expectStatus()
			.isUnauthorized();
	}

	@Test
	void tenantScopedRoutesStillRequireTheTenant() {
		this.web.get()
			.uri("/internal/v1/messages/{id}", RelayIds.next(IdKind.MESSAGE))
			.header(RelayHttpHeaders.INTERNAL_TOKEN, TOKEN)
			.exchange()
			.expectStatus()
			.isBadRequest();
	}

	private WebTestClient.ResponseSpec replay(Map<String, String> body) {
		return this.web.mutate()
			.responseTimeout(java.time.Duration.ofSeconds(30))
			.build()
			.post()
			.uri(REPLAYS)
			.header(RelayHttpHeaders.INTERNAL_TOKEN, TOKEN)
			.header("Content-Type", "application/json")
			.bodyValue(body)
			.exchange();
	}

}
