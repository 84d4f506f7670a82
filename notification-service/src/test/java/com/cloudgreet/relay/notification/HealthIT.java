package com.cloudgreet.relay.notification;

import com.cloudgreet.relay.common.http.RelayHttpHeaders;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

class HealthIT extends NotificationIT {

	@LocalManagementPort
	private int managementPort;

	@Test
	void reportsKafkaDatabaseRedisAndMailOnTheManagementPort() {
		WebTestClient.bindToServer()
			.baseUrl("http://127.0.0.1:" + this.managementPort)
			.build()
			.get()
			.uri("/actuator/health")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.status").isEqualTo("UP")
			.jsonPath("$.components.kafka.status").isEqualTo("UP")
			.jsonPath("$.components.r2dbc.status").isEqualTo("UP")
			.jsonPath("$.components.redis.status").isEqualTo("UP")
			.jsonPath("$.components.mail.status").isEqualTo("UP");
	}

	@Test
	void exposesPrometheusMetricsOnTheManagementPort() {
		String metrics = WebTestClient.bindToServer()
			.baseUrl("http://127.0.0.1:" + this.managementPort)
			// The scrape grows with every meter the other tests create; it is not a 256 KiB answer.
			.codecs((codecs) -> codecs.defaultCodecs().maxInMemorySize(8 * 1024 * 1024))
			.build()
			.get()
			.uri("/actuator/prometheus")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody(String.class)
			.returnResult()
			.getResponseBody();
		assertThat(metrics).contains("resilience4j_retry_calls").contains("application=\"notification-service\"");
	}

	@Test
	void servesNoActuatorOnTheMainPort() {
		// The main port serves only the internal API: without the token nothing there answers at all.
		this.web.get().uri("/actuator/health").exchange().expectStatus().isUnauthorized();
		this.web.get()
			.uri("/actuator/health")
			.header(RelayHttpHeaders.INTERNAL_TOKEN, "test-internal-token")
			.header(RelayHttpHeaders.TENANT_ID, "ten_x")
			.exchange()
			.expectStatus()
			.isNotFound();
	}

}
