package com.cloudgreet.relay.gateway;

import java.time.Duration;
import java.util.Map;

import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A Redis that answers too slowly is not a Redis that is down (issue 10, scenario 7: 215 admitted
 * for a burst of 200). The decisions that time out run in Redis afterwards and take their tokens,
 * so the requests get a fast 503 and the limiter must not add a local fail-open share on top: the
 * tenant is never admitted more than its burst. A Redis that is down still fails open.
 */
class SlowRedisIT extends GatewayIntegrationTest {

	private static final String UNKNOWN = "/v1/messages/msg_0192f0c0a1b27c3d8e4f5a6b7c8d0003";

	private static final long BURST = 10;

	private static RedisProcess redis;

	private static ConfigurableApplicationContext gateway;

	@BeforeAll
	static void startRedis() throws Exception {
		redis = new RedisProcess();
		redis.start();
	}

	@AfterAll
	static void stopAll() throws Exception {
		if (gateway != null) {
			gateway.close();
		}
		redis.close();
	}

	@Test
	void timeoutsAreRefusedWithoutDegradingAndAdmitNoMoreThanTheLimit() throws Exception {
		String owners = "http://127.0.0.1:" + OWNERS.getPort();
		gateway = Gateways.start(Map.of("spring.embedded.kafka.brokers", this.broker.getBrokersAsString(),
				"relay.gateway.services.notification-url", owners, "relay.gateway.services.webhook-url", owners,
				"spring.data.redis.url", redis.url(), "relay.gateway.rate-limit.redis-failure-mode", "fail-open",
				"relay.gateway.rate-limit.redis-probe-interval", "100ms",
				"relay.gateway.rate-limit.redis-timeout", "200ms"));
		WebTestClient client = Gateways.client(gateway);
		NewTenant tenant = createTenant(RateLimitIT.limited(0.001, BURST));

		int admitted = 0;
		for (int i = 0; i < 3; i++) {
			get(client, tenant).expectStatus().isNotFound().expectHeader().valueEquals("RateLimit-Policy", "\"tenant\";q=10;w=10000");
			admitted++;
		}

		int timedOut = 4;
		redis.pause(Duration.ofSeconds(3));
		for (int i = 0; i < timedOut; i++) {
			long started = System.nanoTime();
			get(client, tenant).expectStatus()
				.isEqualTo(503)
				.expectHeader()
				.valueEquals("Retry-After", "1")
				.expectHeader()
				.contentType("application/problem+json")
				.expectBody()
				.jsonPath("$.type")
				.isEqualTo("https://relay.cloudgreet.com/problems/service-unavailable");
			assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(1));
		}
		health().jsonPath("$.components.rateLimiter.status").isEqualTo("UP");
		assertThat(meter("relay.gateway.rate.limit.degraded")).isZero();
		assertThat(gateway.getBean(MeterRegistry.class).get("relay.gateway.rate.limit.redis.timeouts").counter().count())
			.isEqualTo(timedOut);

		// When the pause ends the timed-out scripts run and take their tokens: what is left is the
		// burst less everything Redis decided, all of it decided by Redis (q=10, not a local q=5).
		redis.awaitAnswers();
		while (true) {
			EntityExchangeResult<byte[]> result = get(client, tenant).expectBody().returnResult();
			assertThat(result.getResponseHeaders().getFirst("RateLimit-Policy")).isEqualTo("\"tenant\";q=10;w=10000");
			if (result.getStatus().value() == 429) {
				break;
			}
			assertThat(result.getStatus().value()).isEqualTo(404);
			admitted++;
			assertThat(admitted).isLessThanOrEqualTo((int) BURST);
		}
		assertThat(admitted).isEqualTo((int) BURST - timedOut);
		health().jsonPath("$.components.rateLimiter.status").isEqualTo("UP");

		// A Redis that is down still follows the failure mode: fail-open, the local half of the burst.
		redis.stop();
		get(client, tenant).expectStatus().isNotFound().expectHeader().valueEquals("RateLimit-Policy", "\"tenant\";q=5;w=10000");
		health().jsonPath("$.components.rateLimiter.status").isEqualTo("DEGRADED");
		assertThat(meter("relay.gateway.rate.limit.degraded")).isEqualTo(1.0);
	}

	private static WebTestClient.ResponseSpec get(WebTestClient client, NewTenant tenant) {
		return client.get().uri(UNKNOWN).header("Authorization", "Bearer " + tenant.apiKey()).exchange();
	}

	private static WebTestClient.BodyContentSpec health() {
		return Gateways.management(gateway).get().uri("/actuator/health").exchange().expectBody();
	}

	private static double meter(String name) {
		return gateway.getBean(MeterRegistry.class).get(name).gauge().value();
	}

}
