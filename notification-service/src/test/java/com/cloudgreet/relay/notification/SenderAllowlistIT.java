package com.cloudgreet.relay.notification;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

import com.cloudgreet.relay.common.Channel;
import com.cloudgreet.relay.common.http.RelayHttpHeaders;
import com.cloudgreet.relay.common.kafka.RecordKeys;
import com.cloudgreet.relay.common.kafka.RelayKafkaHeaders;
import com.cloudgreet.relay.common.kafka.Topics;
import com.cloudgreet.relay.common.problem.ProblemTypes;
import com.cloudgreet.relay.notification.delivery.Engines;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A producer writing straight to Kafka cannot send as a sender its tenant may not use: the record
 * is dead-lettered without a send, and the reason names the field but neither sender nor recipients.
 * Nor can a retry or a replay send it later, and a message accepted while its sender was allowed is
 * not sent once the tenant no longer allows it.
 */
class SenderAllowlistIT extends NotificationIT {

	@Autowired
	private Engines engines;

	@Test
	void retryOrReplayOfAnEmailDeadLetteredForItsSenderIsRefusedAndNothingIsSent() {
		allowSenders(List.of("cloudgreet.example"), List.of());
		String subject = "Verify " + Long.toHexString(System.nanoTime());
		String id = publishEmail(Map.of("to", List.of("reader@example.com"), "from", "Bank <security@bank.example>",
				"subject", subject, "text", "Click"));
		awaitStatus(id, "dead_lettered");

		assertSenderRefused(retry(id), id);
		replay().expectStatus().isAccepted().expectBody().jsonPath("$.replayed").isEqualTo(0);

		JsonNode after = status(id);
		assertThat(after.path("status").asString()).isEqualTo("dead_lettered");
		assertThat(after.path("attempts")).isEmpty();
		assertThat(SMTP.getReceivedMessages()).noneMatch((message) -> subjectOf(message).equals(subject));
	}

	@Test
	void emailWhoseSenderWasNarrowedAwayBeforeItsSendIsDeadLetteredUnsent() {
		allowSenders(List.of("cloudgreet.example"), List.of());
		String subject = "Newsletter " + Long.toHexString(System.nanoTime());
		String id;
		this.engines.of(Channel.EMAIL).stop();
		try {
			id = publishEmail(Map.of("to", List.of("reader@example.com"), "from", "News <news@cloudgreet.example>",
					"subject", subject, "text", "Hello"));
			awaitStatus(id, "queued");
			allowSenders(List.of("other.example"), List.of());
		}
		finally {
			this.engines.of(Channel.EMAIL).start();
		}

		JsonNode settled = awaitSettled(id);
		assertThat(settled.path("status").asString()).isEqualTo("failed");
		assertThat(settled.path("attempts")).hasSize(1);
		assertThat(settled.path("attempts").get(0).path("outcome").asString()).isEqualTo("permanent_failure");
		var dead = awaitDeadLetter(Topics.deadLetter(Topics.EMAIL), (record) -> text(record).contains(id));
		assertThat(header(dead, RelayKafkaHeaders.DLT_REASON)).contains("sender not allowed for tenant")
			.contains("/data/from")
			.doesNotContain("cloudgreet.example")
			.doesNotContain("reader@example.com");
		assertThat(SMTP.getReceivedMessages()).noneMatch((message) -> subjectOf(message).equals(subject));
		assertSenderRefused(retry(id), id);
	}

	@Test
	void smsWhoseSenderIdWasNarrowedAwayBeforeItsSendIsDeadLetteredUnsent() {
		allowSenders(List.of(), List.of("ACME"));
		String to = phoneNumber();
		String id;
		this.engines.of(Channel.SMS).stop();
		try {
			id = publish(Channel.SMS, Map.of("to", to, "from", "ACME", "body", "Your code"),
					RecordKeys.forSms(this.tenant, to));
			awaitStatus(id, "queued");
			allowSenders(List.of(), List.of("OTHER"));
		}
		finally {
			this.engines.of(Channel.SMS).start();
		}

		JsonNode settled = awaitSettled(id);
		assertThat(settled.path("status").asString()).isEqualTo("failed");
		assertThat(settled.path("attempts").get(0).path("detail").asString()).contains("sender not allowed for tenant");
		var dead = awaitDeadLetter(Topics.deadLetter(Topics.SMS), (record) -> text(record).contains(id));
		assertThat(header(dead, RelayKafkaHeaders.DLT_REASON)).contains("sender not allowed for tenant")
			.contains("/data/from")
			.doesNotContain("ACME")
			.doesNotContain(to);
		TWILIO.verify(0, postRequestedFor(urlEqualTo(TWILIO_MESSAGES)).withRequestBody(containing(to.substring(1))));
	}

	@Test
	void smsWhoseSenderIdWasNarrowedAwayAfterItFailedIsNeitherRetriedNorReplayed() {
		allowSenders(List.of(), List.of("ACME"));
		String to = phoneNumber();
		TWILIO.stubFor(post(urlEqualTo(TWILIO_MESSAGES)).withFormParam("To", equalTo(to))
			.willReturn(aResponse().withStatus(400).withHeader("Content-Type", "application/json")
				.withBody("{\"code\":21610,\"message\":\"Unsubscribed recipient\",\"status\":400}")));
		String id = publish(Channel.SMS, Map.of("to", to, "from", "ACME", "body", "Your code"),
				RecordKeys.forSms(this.tenant, to));
		awaitStatus(id, "failed");
		TWILIO.stubFor(post(urlEqualTo(TWILIO_MESSAGES)).withFormParam("To", equalTo(to))
			.willReturn(okJson("{\"sid\":\"SMnarrowed\"}").withStatus(201)));
		allowSenders(List.of(), List.of("OTHER"));

		assertSenderRefused(retry(id), id);
		replay().expectStatus()
			.isAccepted()
			.expectBody()
			.jsonPath("$.replayed").isEqualTo(0)
			.jsonPath("$.refused").isEqualTo(1)
			.jsonPath("$.remaining").isEqualTo(0);

		JsonNode after = status(id);
		assertThat(after.path("status").asString()).isEqualTo("failed");
		assertThat(after.path("attempts")).hasSize(1);
		TWILIO.verify(1, postRequestedFor(urlEqualTo(TWILIO_MESSAGES)).withFormParam("To", equalTo(to)));
	}

	@Test
	void emailFromADisallowedSenderIsDeadLetteredUnsent() {
		allowSenders(List.of("cloudgreet.example"), List.of());
		String recipient = "victim." + Long.toHexString(System.nanoTime()) + "@example.com";
		String id = publishEmail(Map.of("to", List.of(recipient), "from", "Bank <security@bank.example>", "subject",
				"Verify", "text", "Click"));

		var dead = awaitDeadLetter(Topics.deadLetter(Topics.EMAIL), (record) -> text(record).contains(id));
		String reason = header(dead, RelayKafkaHeaders.DLT_REASON);
		assertThat(reason).contains("/data/from").doesNotContain(recipient).doesNotContain("bank.example");
		assertThat(awaitStatus(id, "dead_lettered").path("attempts")).isEmpty();
		assertThat(SMTP.getReceivedMessages()).noneMatch((message) -> {
			try {
				return message.getSubject().equals("Verify") && List.of(message.getAllRecipients())
					.stream()
					.anyMatch((address) -> address.toString().contains(recipient));
			}
			catch (jakarta.mail.MessagingException ex) {
				throw new IllegalStateException(ex);
			}
		});
	}

	@Test
	void smsFromASenderIdOfATenantWithoutAllowlistIsDeadLetteredUnsent() {
		String to = phoneNumber();
		String id = publish(Channel.SMS, Map.of("to", to, "from", "BANK", "body", "Your code"),
				RecordKeys.forSms(this.tenant, to));

		var dead = awaitDeadLetter(Topics.deadLetter(Topics.SMS), (record) -> text(record).contains(id));
		assertThat(header(dead, RelayKafkaHeaders.DLT_REASON)).contains("/data/from")
			.contains("no custom sender is allowed")
			.doesNotContain(to);
		awaitStatus(id, "dead_lettered");
		TWILIO.verify(0, postRequestedFor(urlEqualTo(TWILIO_MESSAGES)).withRequestBody(containing(to.substring(1))));
	}

	@Test
	void smsFromAnAllowedSenderIdIsSent() {
		allowSenders(List.of(), List.of("ACME"));
		String to = phoneNumber();
		TWILIO.stubFor(com.github.tomakehurst.wiremock.client.WireMock.post(urlEqualTo(TWILIO_MESSAGES))
			.withFormParam("To", com.github.tomakehurst.wiremock.client.WireMock.equalTo(to))
			.withFormParam("From", com.github.tomakehurst.wiremock.client.WireMock.equalTo("ACME"))
			.willReturn(com.github.tomakehurst.wiremock.client.WireMock.aResponse()
				.withStatus(201)
				.withHeader("Content-Type", "application/json")
				.withBody("{\"sid\":\"SM123\",\"status\":\"queued\"}")));
		String id = publish(Channel.SMS, Map.of("to", to, "from", "ACME", "body", "Your code"),
				RecordKeys.forSms(this.tenant, to));
		awaitStatus(id, "delivered");
	}

	private WebTestClient.ResponseSpec retry(String id) {
		return this.web.post()
			.uri("/internal/v1/messages/{id}/retry", id)
			.header(RelayHttpHeaders.INTERNAL_TOKEN, TOKEN)
			.header(RelayHttpHeaders.TENANT_ID, this.tenant)
			.exchange();
	}

	/** The operator's bulk replay of this test's tenant, over the last hour. */
	private WebTestClient.ResponseSpec replay() {
		return this.web.mutate()
			.responseTimeout(Duration.ofSeconds(30))
			.build()
			.post()
			.uri("/internal/v1/admin/replays")
			.header(RelayHttpHeaders.INTERNAL_TOKEN, TOKEN)
			.header("Content-Type", "application/json")
			.bodyValue(Map.of("tenantId", this.tenant, "from", Instant.now().minus(1, ChronoUnit.HOURS).toString(),
					"to", Instant.now().plus(1, ChronoUnit.HOURS).toString()))
			.exchange();
	}

	/** 422 with its own problem type; the detail names the field, never the sender. */
	private static void assertSenderRefused(WebTestClient.ResponseSpec response, String id) {
		String body = new String(response.expectStatus()
			.isEqualTo(422)
			.expectHeader()
			.contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody()
			.jsonPath("$.type").isEqualTo(ProblemTypes.SENDER_NOT_ALLOWED.toString())
			.jsonPath("$.title").isEqualTo("Sender not allowed")
			.returnResult()
			.getResponseBody(), java.nio.charset.StandardCharsets.UTF_8);
		assertThat(body).contains(id).contains("/data/from").doesNotContain("bank.example")
			.doesNotContain("cloudgreet.example").doesNotContain("ACME");
	}

	/** The status once the message is delivered, failed or dead-lettered. */
	private JsonNode awaitSettled(String id) {
		return await().atMost(Duration.ofSeconds(30))
			.pollInterval(Duration.ofMillis(100))
			.until(() -> status(id), (json) -> List.of("delivered", "failed", "dead_lettered")
				.contains(json.path("status").asString()));
	}

	private static String subjectOf(jakarta.mail.internet.MimeMessage message) {
		try {
			return message.getSubject();
		}
		catch (jakarta.mail.MessagingException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
