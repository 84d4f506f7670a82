package com.cloudgreet.relay.gateway;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * Starts extra gateway instances in the test JVM, for tests that need more than the shared
 * context: a second replica, another Redis, a dead Kafka. Each runs the real application with the
 * test profile plus the given overrides (as command-line arguments, so they win over the profile).
 */
final class Gateways {

	private Gateways() {
	}

	static ConfigurableApplicationContext start(Map<String, String> overrides) {
		List<String> args = new ArrayList<>();
		overrides.forEach((key, value) -> args.add("--" + key + "=" + value));
		return new SpringApplicationBuilder(GatewayApplication.class).profiles("test").run(args.toArray(String[]::new));
	}

	static WebTestClient client(ConfigurableApplicationContext context) {
		return WebTestClient.bindToServer()
			.baseUrl("http://127.0.0.1:" + context.getEnvironment().getProperty("local.server.port"))
			.responseTimeout(java.time.Duration.ofSeconds(20))
			.build();
	}

	static WebTestClient management(ConfigurableApplicationContext context) {
		return WebTestClient.bindToServer()
			.baseUrl("http://127.0.0.1:" + context.getEnvironment().getProperty("local.management.port"))
			.build();
	}

}
