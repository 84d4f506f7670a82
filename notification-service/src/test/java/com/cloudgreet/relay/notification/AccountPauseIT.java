package com.cloudgreet.relay.notification;

import java.time.Duration;

import com.cloudgreet.relay.common.Channel;
import com.cloudgreet.relay.notification.delivery.Engines;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A provider answering 401 refuses our account, not the message: the SMS channel pauses and
 * alerts, the messages wait unspent (no attempt, no retry stage, nothing dead-lettered, however
 * long it lasts), and once the provider answers 2xx they are delivered.
 */
class AccountPauseIT extends NotificationIT {

	@Autowired
	private RecordingAlerter alerter;

	@Autowired
	private Engines engines;

	@Test
	void pausesAndAlertsOn401AndDeliversOnceTheProviderAcceptsTheAccountAgain() {
		String first = phoneNumber();
		String second = phoneNumber();
		for (String to : new String[] { first, second }) {
			TWILIO.stubFor(post(urlEqualTo(TWILIO_MESSAGES)).withFormParam("To", equalTo(to))
				.willReturn(aResponse().withStatus(401).withHeader("Content-Type", "application/json")
					.withBody("{\"code\":20003,\"message\":\"Authenticate\",\"status\":401}")));
		}
		int alertsBefore = this.alerter.alerts().size();

		try {
			refuseThenAccept(first, second, alertsBefore);
		}
		finally {
			// Never leave the channel paused for the tests that follow.
			accept(first, second);
		}
	}

	private void refuseThenAccept(String first, String second, int alertsBefore) {
		String one = publishSms(first, "while the account is refused");
		await().atMost(Duration.ofSeconds(15)).until(() -> this.engines.of(Channel.SMS).gate().isPaused());
		String two = publishSms(second, "also waits");

		await().atMost(Duration.ofSeconds(10))
			.until(() -> this.alerter.alerts().stream().skip(alertsBefore)
				.anyMatch((alert) -> alert.channel() == Channel.SMS && alert.reason().contains("channel paused")
						&& alert.reason().contains("401/20003")));
		// Several probes (pauses of 0.5 s doubling to 2 s in tests), and not one spent anything.
		await().atMost(Duration.ofSeconds(15))
			.until(() -> TWILIO.findAll(postRequestedFor(urlEqualTo(TWILIO_MESSAGES)).withFormParam("To", equalTo(first)))
				.size() >= 3);
		for (String id : new String[] { one, two }) {
			JsonNode waiting = status(id);
			assertThat(waiting.path("status").asString()).isIn("queued", "sending");
			assertThat(waiting.path("attempts")).isEmpty();
		}
		long refused = TWILIO.findAll(postRequestedFor(urlEqualTo(TWILIO_MESSAGES)).withFormParam("To", equalTo(first)))
			.size();
		// One alert per pause, not per probe. (Another message accepted meanwhile, such as one
		// left queued in the shared test database by an earlier run, reopens the channel, so a
		// later refusal is a new pause: hence not exactly one.)
		assertThat(this.alerter.alerts().stream().skip(alertsBefore)
			.filter((alert) -> alert.reason().contains("channel paused")).count()).isBetween(1L, refused - 1);

		accept(first, second);
		for (String id : new String[] { one, two }) {
			JsonNode delivered = awaitStatus(id, "delivered");
			assertThat(delivered.path("attempts").findValuesAsString("outcome")).containsExactly("delivered");
		}
		assertThat(this.engines.of(Channel.SMS).gate().isPaused()).isFalse();
		assertThat(this.alerter.alerts().stream().skip(alertsBefore)
			.filter((alert) -> alert.messageId() != null)).as("nothing dead-lettered").isEmpty();
	}

	private static void accept(String... numbers) {
		for (String to : numbers) {
			TWILIO.stubFor(post(urlEqualTo(TWILIO_MESSAGES)).withFormParam("To", equalTo(to))
				.willReturn(okJson("{\"sid\":\"SMback\",\"status\":\"queued\"}").withStatus(201)));
		}
	}

}
