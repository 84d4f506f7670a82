package com.cloudgreet.relay.gateway;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.http.MediaType;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Limits stay within the bounds where the limiter script's microsecond arithmetic is exact
 * (rate 0.001 to 1e6 per second, burst 1 to 1e6): the admin API refuses others with a pointer,
 * and a gateway configured with others does not start.
 */
class LimitBoundsIT extends GatewayIntegrationTest {

	@ParameterizedTest(name = "{0}/s, burst {1}: {2}")
	@CsvSource({ "0.001, 1000000, 201, ", "1000000, 1, 201, ", "0.0009, 10, 422, /rateLimit/requestsPerSecond",
			"1e-12, 10, 422, /rateLimit/requestsPerSecond", "1000001, 10, 422, /rateLimit/requestsPerSecond",
			"1, 1000001, 422, /rateLimit/burst", "1, 9223372036854775807, 422, /rateLimit/burst" })
	void adminApiRefusesLimitsOutsideTheScriptsExactRange(String rate, String burst, int status, String pointer) {
		var answer = this.web.post()
			.uri("/admin/v1/tenants")
			.header("Authorization", "Bearer " + ADMIN_TOKEN)
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"name\":\"bounds\",\"rateLimit\":{\"requestsPerSecond\":" + rate + ",\"burst\":" + burst + "}}")
			.exchange()
			.expectStatus()
			.isEqualTo(status);
		if (pointer != null) {
			answer.expectBody().jsonPath("$.errors[?(@.pointer == '" + pointer + "')]").exists();
		}
	}

	@Test
	void settingALimitRefusesTheSameBounds() {
		NewTenant tenant = createTenant();
		this.web.put()
			.uri("/admin/v1/tenants/" + tenant.id() + "/rate-limit")
			.header("Authorization", "Bearer " + ADMIN_TOKEN)
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"requestsPerSecond\":0.00001,\"burst\":2000000}")
			.exchange()
			.expectStatus()
			.isEqualTo(422)
			.expectBody()
			.jsonPath("$.errors[?(@.pointer == '/requestsPerSecond')]")
			.exists()
			.jsonPath("$.errors[?(@.pointer == '/burst')]")
			.exists();
	}

	@ParameterizedTest(name = "{0}={1}")
	@CsvSource(delimiter = '|', value = {
			"relay.gateway.rate-limit.default.requests-per-second | 0.0001 | gateway.rateLimit.defaultRate.requestsPerSecond': rejected value [1.0E-4]",
			"relay.gateway.rate-limit.ip.burst | 5000000 | gateway.rateLimit.ip.burst': rejected value [5000000]",
			"relay.gateway.rate-limit.routes.sms.requests-per-second | 0.00001 | gateway.rateLimit.routes[sms].requestsPerSecond': rejected value [1.0E-5]" })
	void aGatewayConfiguredOutsideTheBoundsDoesNotStart(String property, String value, String field) {
		assertThatThrownBy(() -> Gateways.start(Map.of("spring.embedded.kafka.brokers",
				this.broker.getBrokersAsString(), property, value)).close())
			.hasStackTraceContaining("Could not bind properties to 'GatewayProperties'")
			.hasStackTraceContaining(field);
	}

}
