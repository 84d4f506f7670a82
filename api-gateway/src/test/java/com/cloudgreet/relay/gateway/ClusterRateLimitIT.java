package com.cloudgreet.relay.gateway;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.test.web.reactive.server.WebTestClient;
import reactor.core.publisher.Flux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two gateway replicas sharing one Redis admit, together, exactly what one tenant's limit allows,
 * a restarted replica still knows the spent budget, and a revocation on one reaches the other's
 * in-process key cache at once.
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

	@Test
	void aKeyRevokedOnOneReplicaIsRefusedByTheOtherThoughItCachedItInProcess() {
		long listeners = evictionListeners();
		this.second = startSecond();
		await().atMost(Duration.ofSeconds(10)).until(() -> evictionListeners() > listeners);
		NewTenant tenant = createTenant();
		String path = "/v1/messages/msg_0192f0c0a1b27c3d8e4f5a6b7c8d0002";
		WebTestClient other = Gateways.client(this.second);
		// Served once by the second replica: the key is now in its in-process cache.
		other.get().uri(path).header("Authorization", "Bearer " + tenant.apiKey()).exchange().expectStatus().isNotFound();

		this.web.delete()
			.uri("/admin/v1/tenants/" + tenant.id() + "/keys/" + tenant.keyId())
			.header("Authorization", "Bearer " + ADMIN_TOKEN)
			.exchange()
			.expectStatus()
			.isNoContent();

		// Well within the in-process TTL (10 s): only the pub/sub eviction can make this pass.
		await().atMost(Duration.ofSeconds(3))
			.untilAsserted(() -> other.get()
				.uri(path)
				.header("Authorization", "Bearer " + tenant.apiKey())
				.exchange()
				.expectStatus()
				.isUnauthorized());
	}

	/** Gateways subscribed to key evictions: the test relies on the second one only once it listens. */
	private static long evictionListeners() {
		RedisClient client = RedisClient.create("redis://127.0.0.1:6379");
		try (StatefulRedisConnection<String, String> connection = client.connect()) {
			return connection.sync().pubsubNumsub("relay:apikey:evictions").values().iterator().next();
		}
		finally {
			client.shutdown();
		}
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
