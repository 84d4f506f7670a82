package com.cloudgreet.relay.gateway;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A guessable admin token stops start-up, except on a developer's machine (the {@code dev} profile). */
class AdminTokenIT extends GatewayIntegrationTest {

	private static final String SHORT = "dev-admin-token";

	@Test
	void anAdminTokenShorterThan32CharactersStopsStartUp() {
		assertThatThrownBy(() -> start(Map.of("relay.admin-token", SHORT)).close())
			.hasStackTraceContaining("relay.admin-token")
			.hasStackTraceContaining("32");
	}

	@Test
	void theDevProfileAcceptsAShortAdminToken() {
		try (ConfigurableApplicationContext gateway = start(Map.of("relay.admin-token", SHORT, "spring.profiles.active", "dev"))) {
			assertThat(gateway.isRunning()).isTrue();
		}
	}

	private ConfigurableApplicationContext start(Map<String, String> overrides) {
		String owners = "http://127.0.0.1:" + OWNERS.getPort();
		Map<String, String> settings = new java.util.HashMap<>(overrides);
		settings.putAll(Map.of("spring.embedded.kafka.brokers", this.broker.getBrokersAsString(),
				"relay.gateway.services.notification-url", owners, "relay.gateway.services.webhook-url", owners));
		return Gateways.start(settings);
	}

}
