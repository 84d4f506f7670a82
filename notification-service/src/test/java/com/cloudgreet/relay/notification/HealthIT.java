package com.cloudgreet.relay.notification;

import java.nio.charset.StandardCharsets;

import com.cloudgreet.relay.common.http.RelayHttpHeaders;
import io.micrometer.registry.otlp.OtlpMeterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.context.ApplicationContext;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

class HealthIT extends NotificationIT {

	@LocalManagementPort
	private int managementPort;

	@Autowired
	private ApplicationContext context;

	@Test
	void reportsKafkaDatabaseRedisAndMailOnTheManagementPort() {
		byte[] health = WebTestClient.bindToServer()
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
			.jsonPath("$.components.mail.status").isEqualTo("UP")
			.returnResult()
			.getResponseBody();
		// Statuses only: the SMTP host, the broker's address and exception texts stay inside.
		assertThat(new String(health, StandardCharsets.UTF_8)).doesNotContain("details", "127.0.0.1", "location");
	}

	@Test
	void keepsLivenessAndReadinessProbesForKubernetes() {
		WebTestClient management = WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + this.managementPort).build();
		management.get().uri("/actuator/health/liveness").exchange().expectStatus().isOk();
		management.get().uri("/actuator/health/readiness").exchange().expectStatus().isOk();
	}

	@Test
	void pushesNoMetricsOverOtlpWhenNoCollectorIsConfigured() {
		assertThat(this.context.getBeanNamesForType(OtlpMeterRegistry.class)).isEmpty();
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
