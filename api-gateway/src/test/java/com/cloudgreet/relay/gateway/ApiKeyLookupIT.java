package com.cloudgreet.relay.gateway;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import com.cloudgreet.relay.gateway.tenant.ApiKeys;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What an API key costs before it is known: a malformed one nothing, an unknown one a database
 * query within a per-address budget, a cached one never a refusal. Counted with the gateway's own
 * lookup metric, on a gateway whose lookup budget is three.
 */
class ApiKeyLookupIT extends GatewayIntegrationTest {

	private static final String UNKNOWN = "/v1/messages/msg_0192f0c0a1b27c3d8e4f5a6b7c8d0000";

	private static final SecureRandom RANDOM = new SecureRandom();

	private static ConfigurableApplicationContext small;

	@Autowired
	ReactiveStringRedisTemplate redis;

	@BeforeEach
	void startWithASmallLookupBudget() {
		if (small == null) {
			String owners = "http://127.0.0.1:" + OWNERS.getPort();
			small = Gateways.start(Map.of("spring.embedded.kafka.brokers", this.broker.getBrokersAsString(),
					"relay.gateway.rate-limit.key-lookup.requests-per-second", "0.001",
					"relay.gateway.rate-limit.key-lookup.burst", "3", "relay.gateway.services.notification-url", owners,
					"relay.gateway.services.webhook-url", owners));
		}
	}

	@AfterAll
	static void stop() {
		if (small != null) {
			small.close();
		}
	}

	@Test
	void unknownKeysFromOneAddressCostAtMostTheLookupBudgetInDatabaseQueries() {
		String ip = freshAddress();
		double before = lookups("database");
		List<Integer> statuses = new ArrayList<>();
		for (int i = 0; i < 6; i++) {
			statuses.add(call(small, randomKey(), ip).returnResult(Void.class).getStatus().value());
		}
		assertThat(lookups("database") - before).isEqualTo(3);
		assertThat(statuses).containsExactly(401, 401, 401, 429, 429, 429);
		call(small, randomKey(), ip).expectHeader().exists("Retry-After");
	}

	@Test
	void aCachedKeyPassesFromAnAddressWhoseLookupBudgetIsSpent() {
		NewTenant tenant = createTenant();
		// Used once, so the shared Redis cache holds it.
		this.web.get().uri(UNKNOWN).header("Authorization", "Bearer " + tenant.apiKey()).exchange().expectStatus().isNotFound();
		String ip = freshAddress();
		for (int i = 0; i < 4; i++) {
			call(small, randomKey(), ip).returnResult(Void.class);
		}
		call(small, randomKey(), ip).expectStatus().isEqualTo(429);
		call(small, tenant.apiKey(), ip).expectStatus().isNotFound();
	}

	@ParameterizedTest
	@ValueSource(strings = { "rk_short", "sk_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
			"rk_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA+", "rk_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" })
	void aMalformedKeyIs401WithoutAnyLookup(String key) {
		double redisBefore = lookups("redis");
		double databaseBefore = lookups("database");
		call(small, key, freshAddress()).expectStatus().isUnauthorized();
		assertThat(lookups("redis")).isEqualTo(redisBefore);
		assertThat(lookups("database")).isEqualTo(databaseBefore);
	}

	@Test
	void aKeyEntryWrittenToRedisWithoutTheGatewaysSecretDoesNotAuthenticate() {
		NewTenant victim = createTenant();
		String key = randomKey();
		// What anyone with access to Redis could write: the entry format, naming another tenant.
		this.redis.opsForValue()
			.set("relay:apikey:" + ApiKeys.hash(key), victim.id() + "|key_forged||", Duration.ofMinutes(1))
			.block(Duration.ofSeconds(5));
		this.web.get()
			.uri(UNKNOWN)
			.header("Authorization", "Bearer " + key)
			.header("X-Forwarded-For", freshAddress())
			.exchange()
			.expectStatus()
			.isUnauthorized();
	}

	private static WebTestClient.ResponseSpec call(ConfigurableApplicationContext gateway, String key, String ip) {
		return Gateways.client(gateway)
			.get()
			.uri(UNKNOWN)
			.header("Authorization", "Bearer " + key)
			.header("X-Forwarded-For", ip)
			.exchange();
	}

	private static double lookups(String source) {
		Counter counter = small.getBean(MeterRegistry.class)
			.find("relay.gateway.api.key.lookups")
			.tag("source", source)
			.counter();
		return counter == null ? 0 : counter.count();
	}

	private static String randomKey() {
		byte[] bytes = new byte[32];
		RANDOM.nextBytes(bytes);
		return "rk_" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
	}

	/** An address of the shared CGNAT range no other test uses, new on every call. */
	private static String freshAddress() {
		ThreadLocalRandom random = ThreadLocalRandom.current();
		return "100." + random.nextInt(64, 128) + "." + random.nextInt(256) + "." + random.nextInt(1, 255);
	}

}
