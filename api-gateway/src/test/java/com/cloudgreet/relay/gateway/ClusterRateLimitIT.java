package com.cloudgreet.relay.gateway;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Flux;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two gateway replicas sharing one Redis admit, together, exactly what one tenant's limit allows,
 * and a restarted replica still knows the spent budget.
 */
class ClusterRateLimitIT extends GatewayIntegrationTest {

	private ConfigurableApplicationContext second;

	@AfterEach
	void stopSecond() {
		if (this.second != null) {
			this.second.close();
		}
	}

	@Test
	void twoReplicasTogetherAdmitExactlyTheBurstAndARestartRemembersTheSpentBudget() {
		this.second = startSecond();
		// A burst of 25 that refills one request every 20 s: the test ends long before much refills.
		NewTenant tenant = createTenant(RateLimitIT.limited(0.05, 25));
		String path = "/v1/messages/msg_0192f0c0a1b27c3d8e4f5a6b7c8d0001";
		List<WebClient> replicas = List.of(client(this.firstPort),
				client(this.second.getEnvironment().getProperty("local.server.port")));

		long started = System.nanoTime();
		List<Integer> statuses = Flux.range(0, 250)
			.flatMap((i) -> replicas.get(i % 2)
				.get()
				.uri(path)
				.header("Authorization", "Bearer " + tenant.apiKey())
				.exchangeToMono((response) -> response.releaseBody().thenReturn(response.statusCode().value())), 50)
			.collectList()
			.block(Duration.ofSeconds(60));
		double elapsedSeconds = (System.nanoTime() - started) / 1e9;

		long admitted = statuses.stream().filter((status) -> status != 429).count();
		long refilled = (long) Math.floor(elapsedSeconds * 0.05);
		assertThat(statuses).hasSize(250).allMatch((status) -> status == 404 || status == 429);
		assertThat(admitted).isBetween(25L, 25L + refilled);

		this.second.close();
		this.second = startSecond();
		Gateways.client(this.second)
			.get()
			.uri(path)
			.header("Authorization", "Bearer " + tenant.apiKey())
			.exchange()
			.expectStatus()
			.isEqualTo(429)
			.expectHeader()
			.valueMatches("RateLimit", "\"tenant\";r=0;t=\\d+");
	}

	@org.springframework.beans.factory.annotation.Value("${local.server.port}")
	private String firstPort;

	private ConfigurableApplicationContext startSecond() {
		String owners = "http://127.0.0.1:" + OWNERS.getPort();
		return Gateways.start(Map.of("spring.embedded.kafka.brokers", this.broker.getBrokersAsString(),
				"relay.gateway.services.notification-url", owners, "relay.gateway.services.webhook-url", owners));
	}

	private static WebClient client(String port) {
		return WebClient.builder().baseUrl("http://127.0.0.1:" + port).build();
	}

}
