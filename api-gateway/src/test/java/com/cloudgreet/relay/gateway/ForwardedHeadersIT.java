package com.cloudgreet.relay.gateway;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.test.web.reactive.server.WebTestClient;
import reactor.netty.http.client.HttpClient;

/**
 * On Kubernetes Spring Boot would read {@code X-Forwarded-For} in the server itself and make its
 * first entry the peer address before {@code ClientIpResolver} runs: a client that is not a
 * trusted proxy could then pick a fresh per-IP budget for every request. The gateway here runs
 * with the Kubernetes cloud platform switched on and trusts no proxy on loopback.
 */
class ForwardedHeadersIT extends GatewayIntegrationTest {

	private static ConfigurableApplicationContext kubernetes;

	/** Started once the shared context's broker runs (its address is a property of that context). */
	@BeforeEach
	void startOnKubernetes() {
		if (kubernetes == null) {
			String owners = "http://127.0.0.1:" + OWNERS.getPort();
			kubernetes = Gateways.start(Map.of("spring.embedded.kafka.brokers", this.broker.getBrokersAsString(),
					"spring.main.cloud-platform", "kubernetes", "relay.gateway.trusted-proxies", "192.0.2.1",
					"relay.gateway.services.notification-url", owners, "relay.gateway.services.webhook-url", owners));
		}
	}

	@AfterAll
	static void stop() {
		if (kubernetes != null) {
			kubernetes.close();
		}
	}

	@Test
	void anUntrustedPeerCannotPickItsBudgetWithXForwardedFor() {
		WebTestClient client = fromFreshLoopbackAddress();
		anonymous(client, "203.0.113.7").expectStatus()
			.isUnauthorized()
			.expectHeader()
			.valueEquals("RateLimit", "\"ip\";r=9;t=5");
		// Another first entry, same peer: the same budget, one token less.
		anonymous(client, "198.51.100.8, 203.0.113.7").expectStatus()
			.isUnauthorized()
			.expectHeader()
			.valueMatches("RateLimit", "\"ip\";r=8;t=(5|10)");
	}

	private static WebTestClient.ResponseSpec anonymous(WebTestClient client, String forwardedFor) {
		return client.get()
			.uri("/v1/messages/msg_0192f0c0a1b27c3d8e4f5a6b7c8d0000")
			.header("X-Forwarded-For", forwardedFor)
			.exchange();
	}

	/** A loopback source address of its own (all of 127/8 is local), so earlier runs' budgets do not count. */
	private static WebTestClient fromFreshLoopbackAddress() {
		ThreadLocalRandom random = ThreadLocalRandom.current();
		String source = "127." + random.nextInt(1, 255) + "." + random.nextInt(0, 256) + "." + random.nextInt(1, 255);
		HttpClient http = HttpClient.create().bindAddress(() -> new InetSocketAddress(source, 0));
		return WebTestClient.bindToServer(new ReactorClientHttpConnector(http))
			.baseUrl("http://127.0.0.1:" + kubernetes.getEnvironment().getProperty("local.server.port"))
			.responseTimeout(Duration.ofSeconds(20))
			.build();
	}

}
