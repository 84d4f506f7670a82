package com.cloudgreet.relay.gateway;

import java.util.Map;

import com.cloudgreet.relay.testsupport.Ports;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A gateway whose PostgreSQL is unreachable cannot check a key that no cache knows: the client is
 * told to retry ({@code 503} with {@code Retry-After}), not that its key is wrong and not a 500.
 */
class KeyLookupOutageIT extends GatewayIntegrationTest {

	private static ConfigurableApplicationContext noDatabase;

	@BeforeAll
	static void startWithoutDatabase() throws Exception {
		int deadPort = Ports.unused();
		String owners = "http://127.0.0.1:" + OWNERS.getPort();
		noDatabase = Gateways.start(Map.of("spring.r2dbc.url", "r2dbc:postgresql://127.0.0.1:" + deadPort + "/relay",
				"spring.flyway.enabled", "false", "relay.gateway.services.notification-url", owners,
				"relay.gateway.services.webhook-url", owners));
	}

	@AfterAll
	static void stop() {
		noDatabase.close();
	}

	@Test
	void aKeyThatCannotBeCheckedIs503WithRetryAfter() {
		// A key that exists, so only the outage stands between it and a 404 for the unknown message.
		NewTenant tenant = createTenant();
		Gateways.client(noDatabase)
			.get()
			.uri("/v1/messages/msg_0192f0c0a1b27c3d8e4f5a6b7c8d0000")
			.header("Authorization", "Bearer " + tenant.apiKey())
			.exchange()
			.expectStatus()
			.isEqualTo(503)
			.expectHeader()
			.valueEquals("Retry-After", "5")
			.expectBody()
			.jsonPath("$.type")
			.isEqualTo("https://relay.cloudgreet.com/problems/service-unavailable");
	}

}
