package com.cloudgreet.relay.notification;

import java.time.Duration;
import java.util.List;

import com.cloudgreet.relay.common.kafka.RelayKafkaHeaders;
import com.cloudgreet.relay.common.kafka.Topics;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class SmsDeliveryIT extends NotificationIT {

	@Test
	void deliversSmsWithEveryFieldIntact() {
		String to = phoneNumber();
		TWILIO.stubFor(post(urlEqualTo(TWILIO_MESSAGES)).withFormParam("To", equalTo(to))
			.willReturn(okJson("{\"sid\":\"SM" + to.substring(1) + "\",\"status\":\"queued\"}").withStatus(201)));

		String id = publishSms(to, "Your code is 123456 – ünïcode ✓");

		JsonNode status = awaitStatus(id, "delivered");
		assertThat(status.path("channel").asString()).isEqualTo("sms");
		assertThat(status.path("providerMessageId").asString()).isEqualTo("SM" + to.substring(1));
		assertThat(status.path("attempts")).hasSize(1);
		JsonNode attempt = status.path("attempts").get(0);
		assertThat(attempt.path("outcome").asString()).isEqualTo("delivered");
		assertThat(attempt.path("providerCode").asString()).isEqualTo("201");
		assertThat(attempt.path("latencyMs").asLong()).isGreaterThanOrEqualTo(0);
		TWILIO.verify(1, postRequestedFor(urlEqualTo(TWILIO_MESSAGES))
			.withBasicAuth(new com.github.tomakehurst.wiremock.client.BasicCredentials(
					"ACtest0000000000000000000000000000", "test-auth-token"))
			.withHeader("Content-Type", com.github.tomakehurst.wiremock.client.WireMock.containing("application/x-www-form-urlencoded"))
			.withFormParam("To", equalTo(to))
			.withFormParam("From", equalTo("+4930123456789"))
			.withFormParam("Body", equalTo("Your code is 123456 – ünïcode ✓")));
	}

	@Test
	void deliversAfterTwoTransientFailuresWithThreeAttemptsAndOneMessageAtTheProvider() {
		String to = phoneNumber();
		String scenario = "flaky-" + to;
		TWILIO.stubFor(post(urlEqualTo(TWILIO_MESSAGES)).withFormParam("To", equalTo(to)).inScenario(scenario)
			.whenScenarioStateIs(Scenario.STARTED).willReturn(aResponse().withStatus(503)).willSetStateTo("once"));
		TWILIO.stubFor(post(urlEqualTo(TWILIO_MESSAGES)).withFormParam("To", equalTo(to)).inScenario(scenario)
			.whenScenarioStateIs("once").willReturn(aResponse().withStatus(500)).willSetStateTo("twice"));
		TWILIO.stubFor(post(urlEqualTo(TWILIO_MESSAGES)).withFormParam("To", equalTo(to)).inScenario(scenario)
			.whenScenarioStateIs("twice").willReturn(okJson("{\"sid\":\"SMok\",\"status\":\"queued\"}").withStatus(201)));

		String id = publishSms(to, "flaky");

		JsonNode status = awaitStatus(id, "delivered");
		assertThat(status.path("attempts").findValuesAsString("outcome"))
			.containsExactly("retryable_failure", "retryable_failure", "delivered");
		assertThat(status.path("attempts").findValuesAsString("providerCode")).containsExactly("503", "500", "201");
		long accepted = TWILIO.findAll(postRequestedFor(urlEqualTo(TWILIO_MESSAGES)).withFormParam("To", equalTo(to)))
			.stream()
			.count();
		assertThat(accepted).isEqualTo(3);
	}

	@Test
	void deadLettersAfterLastRetryStage() {
		String to = phoneNumber();
		TWILIO.stubFor(post(urlEqualTo(TWILIO_MESSAGES)).withFormParam("To", equalTo(to))
			.willReturn(aResponse().withStatus(503).withHeader("Content-Type", "application/json")
				.withBody("{\"code\":20503,\"message\":\"Service unavailable\",\"status\":503}")));

		String id = publishSms(to, "never arrives");

		ConsumerRecord<String, byte[]> dead = awaitDeadLetter(Topics.deadLetter(Topics.SMS),
				(record) -> text(record).contains(id));
		assertThat(header(dead, RelayKafkaHeaders.DLT_REASON)).contains("503/20503").contains("Service unavailable");
		assertThat(header(dead, RelayKafkaHeaders.TENANT_ID)).isEqualTo(this.tenant);
		JsonNode status = awaitStatus(id, "dead_lettered");
		// Three in-process attempts on the request topic and on each of the two retry topics.
		assertThat(status.path("attempts")).hasSize(9);
		assertThat(status.path("attempts").findValuesAsString("outcome")).containsOnly("retryable_failure");
	}

	@Test
	@ExtendWith(OutputCaptureExtension.class)
	void failsAtOnceOnPermanentRejectionWithoutRepeatingTheNumber(CapturedOutput output) {
		String to = phoneNumber();
		TWILIO.stubFor(post(urlEqualTo(TWILIO_MESSAGES)).withFormParam("To", equalTo(to))
			.willReturn(aResponse().withStatus(400).withHeader("Content-Type", "application/json")
				// Twilio echoes the number it refuses.
				.withBody("{\"code\":21211,\"message\":\"The 'To' number " + to
						+ " is not a valid phone number.\",\"status\":400}")));

		String id = publishSms(to, "rejected");

		JsonNode status = awaitStatus(id, "failed");
		assertThat(status.path("attempts")).hasSize(1);
		assertThat(status.path("attempts").get(0).path("outcome").asString()).isEqualTo("permanent_failure");
		assertThat(status.path("attempts").get(0).path("providerCode").asString()).isEqualTo("400/21211");
		ConsumerRecord<String, byte[]> dead = awaitDeadLetter(Topics.deadLetter(Topics.SMS),
				(record) -> text(record).contains(id));
		assertThat(header(dead, RelayKafkaHeaders.DLT_REASON)).startsWith("permanent failure: 400/21211")
			.contains("The 'To' number [redacted-phone] is not a valid phone number.")
			.doesNotContain(to, to.substring(1));
		assertThat(status.path("attempts").get(0).path("detail").asString()).doesNotContain(to.substring(1));
		// Every log line about it, the DLT handler's last, masks the number too.
		await().atMost(Duration.ofSeconds(10)).until(() -> output.getOut().contains(id + " reached the DLT"));
		assertThat(output.getOut()).doesNotContain(to.substring(1));
		// The DLT copy of a permanent failure does not overwrite "failed".
		await().during(Duration.ofSeconds(1)).until(() -> "failed".equals(status(id).path("status").asString()));
		assertThat(TWILIO.findAll(postRequestedFor(urlEqualTo(TWILIO_MESSAGES)).withFormParam("To", equalTo(to))))
			.hasSize(1);
	}

	@Test
	void boundsSlowProviderByTimeoutAndRetries() {
		String to = phoneNumber();
		String scenario = "slow-" + to;
		TWILIO.stubFor(post(urlEqualTo(TWILIO_MESSAGES)).withFormParam("To", equalTo(to)).inScenario(scenario)
			.whenScenarioStateIs(Scenario.STARTED)
			.willReturn(okJson("{\"sid\":\"SMslow\"}").withStatus(201).withFixedDelay(15_000))
			.willSetStateTo("recovered"));
		TWILIO.stubFor(post(urlEqualTo(TWILIO_MESSAGES)).withFormParam("To", equalTo(to)).inScenario(scenario)
			.whenScenarioStateIs("recovered").willReturn(okJson("{\"sid\":\"SMfast\"}").withStatus(201)));

		long started = System.nanoTime();
		String id = publishSms(to, "slow provider");
		// While the provider hangs, the status API still answers at once.
		JsonNode sending = awaitStatus(id, "sending");
		assertThat(sending.path("attempts")).isEmpty();

		JsonNode status = awaitStatus(id, "delivered");
		assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
		assertThat(status.path("providerMessageId").asString()).isEqualTo("SMfast");
		List<String> codes = status.path("attempts").findValuesAsString("providerCode");
		assertThat(codes).containsExactly("timeout", "201");
		assertThat(status.path("attempts").get(0).path("latencyMs").asLong()).isBetween(1_900L, 5_000L);
	}

	@Test
	void honoursRetryAfterOfRateLimitedProvider() {
		String to = phoneNumber();
		String scenario = "429-" + to;
		TWILIO.stubFor(post(urlEqualTo(TWILIO_MESSAGES)).withFormParam("To", equalTo(to)).inScenario(scenario)
			.whenScenarioStateIs(Scenario.STARTED)
			.willReturn(aResponse().withStatus(429).withHeader("Retry-After", "2")
				.withHeader("Content-Type", "application/json")
				.withBody("{\"code\":20429,\"message\":\"Too Many Requests\",\"status\":429}"))
			.willSetStateTo("open"));
		TWILIO.stubFor(post(urlEqualTo(TWILIO_MESSAGES)).withFormParam("To", equalTo(to)).inScenario(scenario)
			.whenScenarioStateIs("open").willReturn(okJson("{\"sid\":\"SMafter\"}").withStatus(201)));

		String id = publishSms(to, "after a pause");

		JsonNode status = awaitStatus(id, "delivered");
		JsonNode attempts = status.path("attempts");
		assertThat(attempts.findValuesAsString("providerCode")).containsExactly("429/20429", "201");
		Duration gap = Duration.between(java.time.Instant.parse(attempts.get(0).path("at").asString()),
				java.time.Instant.parse(attempts.get(1).path("at").asString()));
		assertThat(gap).isGreaterThanOrEqualTo(Duration.ofMillis(1_900));
	}

}
