package com.cloudgreet.relay.gateway;

import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

class RateLimitIT extends GatewayIntegrationTest {

	private static final String UNKNOWN = "/v1/messages/msg_0192f0c0a1b27c3d8e4f5a6b7c8d0000";

	@Test
	void admittedAnswersCarryTheCurrentDraftsRateLimitFields() {
		NewTenant tenant = createTenant(limited(1, 5));
		get(tenant, UNKNOWN).expectStatus()
			.isNotFound()
			.expectHeader()
			.valueEquals("RateLimit-Policy", "\"tenant\";q=5;w=5")
			.expectHeader()
			.valueEquals("RateLimit", "\"tenant\";r=4;t=1");
	}

	@Test
	void rejectsRequestsOverTheBurstWith429RetryAfterAndProblem() {
		// One token per 20 s: nothing refills while the test runs, however slow the machine.
		NewTenant tenant = createTenant(limited(0.05, 3));
		for (int i = 0; i < 3; i++) {
			get(tenant, UNKNOWN).expectStatus().isNotFound();
		}
		get(tenant, UNKNOWN).expectStatus()
			.isEqualTo(429)
			.expectHeader()
			.contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectHeader()
			.valueMatches("Retry-After", "1[0-9]|20")
			.expectHeader()
			.valueMatches("RateLimit", "\"tenant\";r=0;t=(5[0-9]|60)")
			.expectBody()
			.jsonPath("$.type")
			.isEqualTo("https://relay.cloudgreet.com/problems/rate-limited");
	}

	@Test
	void routeLimitsApplyOnTopOfTheTenantLimit() {
		NewTenant tenant = createTenant();
		this.web.post()
			.uri("/v1/messages/sms")
			.header("Authorization", "Bearer " + tenant.apiKey())
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(sms("hi"))
			.exchange()
			.expectStatus()
			.isAccepted()
			.expectHeader()
			.valueEquals("RateLimit-Policy", "\"tenant\";q=1000;w=1, \"route-sms\";q=30;w=300")
			.expectHeader()
			.valueMatches("RateLimit", "\"tenant\";r=999;t=1, \"route-sms\";r=29;t=10");
	}

	@Test
	void limitsFailedAuthenticationPerClientIp() {
		String ip = "203.0.113." + (1 + (int) (Math.random() * 250));
		String otherIp = "2001:db8:" + Integer.toHexString((int) (Math.random() * 0xffff)) + "::1";
		for (int i = 0; i < 10; i++) {
			badKey(ip).expectStatus().isUnauthorized().expectHeader().exists("RateLimit");
		}
		badKey(ip).expectStatus()
			.isEqualTo(429)
			.expectHeader()
			.valueEquals("RateLimit-Policy", "\"ip\";q=10;w=50")
			.expectHeader()
			.exists("Retry-After");
		badKey(otherIp).expectStatus().isUnauthorized();
	}

	@Test
	void aKeyStillAuthenticatesWhileItsAddressesAnonymousBudgetIsSpent() {
		String ip = "192.0.2." + (1 + (int) (Math.random() * 250));
		NewTenant fresh = createTenant();
		for (int i = 0; i < 10; i++) {
			badKey(ip).expectStatus().isUnauthorized();
		}
		badKey(ip).expectStatus().isEqualTo(429);
		// The address is often an ingress proxy shared with every client: a real key, not cached
		// anywhere yet, still authenticates from it and is counted against its tenant.
		this.web.get()
			.uri(UNKNOWN)
			.header("Authorization", "Bearer " + fresh.apiKey())
			.header("X-Forwarded-For", ip)
			.exchange()
			.expectStatus()
			.isNotFound()
			.expectHeader()
			.value("RateLimit-Policy", (policy) -> assertThat(policy).contains("\"tenant\""));
		badKey(ip).expectStatus().isEqualTo(429);
	}

	@Test
	void unauthenticatedRequestsCountAgainstTheirIpNotAgainstTenants() {
		String ip = "198.18." + (int) (Math.random() * 250) + "." + (int) (Math.random() * 250);
		this.web.get()
			.uri(UNKNOWN)
			.header("X-Forwarded-For", ip)
			.exchange()
			.expectStatus()
			.isUnauthorized()
			.expectHeader()
			.valueEquals("RateLimit", "\"ip\";r=9;t=5");
	}

	private WebTestClient.ResponseSpec badKey(String ip) {
		return this.web.get()
			.uri(UNKNOWN)
			.header("Authorization", "Bearer rk_" + UUID.randomUUID().toString().repeat(2).substring(0, 43).replace('-', '_'))
			.header("X-Forwarded-For", "10.9.8.7, " + ip)
			.exchange();
	}

	private WebTestClient.ResponseSpec get(NewTenant tenant, String path) {
		return this.web.get().uri(path).header("Authorization", "Bearer " + tenant.apiKey()).exchange();
	}

	static String limited(double rate, long burst) {
		return "{\"name\":\"limited " + UUID.randomUUID() + "\",\"rateLimit\":{\"requestsPerSecond\":" + rate
				+ ",\"burst\":" + burst + "}}";
	}

}
