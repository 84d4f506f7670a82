package com.cloudgreet.relay.gateway;

import java.time.Duration;
import java.util.Map;

import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * With Redis stopped, a fail-open gateway keeps serving under per-instance limits and a
 * fail-closed one answers 503; both show it in health and metrics, and both return to exact
 * Redis limits by themselves when Redis is back. The Redis here is this test's own process.
 */
class RedisOutageIT extends GatewayIntegrationTest {

	private static final String UNKNOWN = "/v1/messages/msg_0192f0c0a1b27c3d8e4f5a6b7c8d0002";

	private static RedisProcess redis;

	private static ConfigurableApplicationContext failOpen;

	private static ConfigurableApplicationContext failClosed;

	@BeforeAll
	static void startRedis() throws Exception {
		redis = new RedisProcess();
		redis.start();
	}

	@AfterAll
	static void stopAll() throws Exception {
		if (failOpen != null) {
			failOpen.close();
		}
		if (failClosed != null) {
			failClosed.close();
		}
		redis.close();
	}

	@Test
	void degradesPerFailureModeWhileRedisIsDownAndRecoversWhenItReturns() throws Exception {
		failOpen = start("fail-open");
		failClosed = start("fail-closed");
		WebTestClient open = Gateways.client(failOpen);
		WebTestClient closed = Gateways.client(failClosed);
		NewTenant tenant = createTenant(RateLimitIT.limited(0.01, 10));

		get(open, tenant).expectStatus().isNotFound().expectHeader().valueEquals("RateLimit-Policy", "\"tenant\";q=10;w=1000");
		get(closed, tenant).expectStatus().isNotFound();

		redis.stop();

		// fail-open: each of the 2 expected replicas admits half the burst on its own.
		for (int i = 0; i < 5; i++) {
			get(open, tenant).expectStatus()
				.isNotFound()
				.expectHeader()
				.valueEquals("RateLimit-Policy", "\"tenant\";q=5;w=1000");
		}
		get(open, tenant).expectStatus().isEqualTo(429).expectHeader().exists("Retry-After");
		health(failOpen).jsonPath("$.components.rateLimiter.status").isEqualTo("DEGRADED");
		assertThat(degradedGauge(failOpen)).isEqualTo(1.0);

		// fail-closed: nothing is admitted without Redis.
		closed.get()
			.uri(UNKNOWN)
			.header("Authorization", "Bearer " + tenant.apiKey())
			.exchange()
			.expectStatus()
			.isEqualTo(503)
			.expectHeader()
			.valueEquals("Retry-After", "5")
			.expectBody()
			.jsonPath("$.type")
			.isEqualTo("https://relay.cloudgreet.com/problems/service-unavailable");
		health(failClosed).jsonPath("$.components.rateLimiter.status").isEqualTo("DOWN");

		redis.start();

		// The restarted Redis is empty: the tenant's budget is whole again, decided by Redis.
		await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(300)).untilAsserted(() -> get(open, tenant)
			.expectHeader()
			.valueEquals("RateLimit-Policy", "\"tenant\";q=10;w=1000"));
		await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(300))
			.untilAsserted(() -> get(closed, tenant).expectStatus().isNotFound());
		health(failOpen).jsonPath("$.components.rateLimiter.status").isEqualTo("UP");
		health(failClosed).jsonPath("$.components.rateLimiter.status").isEqualTo("UP");
		assertThat(degradedGauge(failOpen)).isEqualTo(0.0);
	}

	private ConfigurableApplicationContext start(String mode) {
		String owners = "http://127.0.0.1:" + OWNERS.getPort();
		return Gateways.start(Map.of("spring.embedded.kafka.brokers", this.broker.getBrokersAsString(),
				"relay.gateway.services.notification-url", owners, "relay.gateway.services.webhook-url", owners,
				"spring.data.redis.url", redis.url(), "relay.gateway.rate-limit.redis-failure-mode", mode,
				"relay.gateway.rate-limit.redis-probe-interval", "200ms"));
	}

	private static WebTestClient.ResponseSpec get(WebTestClient client, NewTenant tenant) {
		return client.get().uri(UNKNOWN).header("Authorization", "Bearer " + tenant.apiKey()).exchange();
	}

	private static WebTestClient.BodyContentSpec health(ConfigurableApplicationContext context) {
		return Gateways.management(context).get().uri("/actuator/health").exchange().expectBody();
	}

	private static double degradedGauge(ConfigurableApplicationContext context) {
		return context.getBean(MeterRegistry.class).get("relay.gateway.rate.limit.degraded").gauge().value();
	}

}
