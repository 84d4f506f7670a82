package com.cloudgreet.relay.notification;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;

import com.cloudgreet.relay.common.Channel;
import com.cloudgreet.relay.common.http.RelayHttpHeaders;
import com.cloudgreet.relay.common.kafka.RecordKeys;
import com.cloudgreet.relay.testsupport.QueryPlans;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.test.web.reactive.server.WebTestClient;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Scheduled send and cancel (issue 21, item 1), through Kafka, PostgreSQL and the SMS provider stub. */
class ScheduledSendIT extends NotificationIT {

	@Value("${spring.flyway.url}")
	String jdbcUrl;

	@Test
	void sendsAScheduledMessageOnceWhenDueAndNotBefore() {
		String to = stubbedNumber();
		Instant sendAt = Instant.now().plusSeconds(5);

		String id = publishScheduledSms(to, sendAt);

		JsonNode scheduled = awaitStatus(id, "scheduled");
		assertThat(scheduled.path("attempts")).isEmpty();
		awaitStatus(id, "delivered");
		await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() -> sent(to) == 1);
		// The provider stub's clock reading as the request arrived, not a poll's: nothing before sendAt.
		assertThat(TWILIO.findAll(postRequestedFor(urlEqualTo(TWILIO_MESSAGES)).withFormParam("To", equalTo(to)))
			.get(0)
			.getLoggedDate()
			.toInstant()).as("not before sendAt").isAfterOrEqualTo(sendAt.truncatedTo(ChronoUnit.MILLIS));
	}

	@Test
	void sendsARecordWhoseSendAtPassedWhileItWaitedInKafkaAtOnce() {
		String to = stubbedNumber();

		String id = publishScheduledSms(to, Instant.now().minusSeconds(30));

		awaitStatus(id, "delivered");
		assertThat(sent(to)).isEqualTo(1);
	}

	@Test
	void neverSendsACanceledMessage() {
		String to = stubbedNumber();
		String id = publishScheduledSms(to, Instant.now().plusSeconds(3));
		awaitStatus(id, "scheduled");

		JsonNode canceled = cancel(id).expectStatus().isOk().expectBody(JsonNode.class).returnResult().getResponseBody();

		assertThat(canceled.path("status").asString()).isEqualTo("canceled");
		// Cancelling again answers the same; the message stays canceled past its due time.
		cancel(id).expectStatus().isOk();
		await().during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(8))
			.until(() -> "canceled".equals(status(id).path("status").asString()) && sent(to) == 0);
	}

	@Test
	void refusesToCancelOnceSent() {
		String to = stubbedNumber();
		String id = publishSms(to, "at once");
		awaitStatus(id, "delivered");

		cancel(id).expectStatus().isEqualTo(409)
			.expectBody()
			.jsonPath("$.type").isEqualTo("https://relay.cloudgreet.com/problems/message-not-cancelable")
			.jsonPath("$.detail").value((detail) -> assertThat(detail.toString()).contains("delivered"));
	}

	@Test
	void cancelOfAnotherTenantsMessageIsNotFound() {
		String id = publishScheduledSms(stubbedNumber(), Instant.now().plus(Duration.ofDays(1)));
		awaitStatus(id, "scheduled");

		this.web.delete()
			.uri("/internal/v1/messages/{id}", id)
			.header(RelayHttpHeaders.INTERNAL_TOKEN, TOKEN)
			.header(RelayHttpHeaders.TENANT_ID, "ten_someone_else")
			.exchange()
			.expectStatus()
			.isNotFound();
		assertThat(status(id).path("status").asString()).isEqualTo("scheduled");
	}

	@Test
	void deadLettersARecordScheduledTooFarAhead() {
		String id = publish(Channel.SMS, Map.of("to", phoneNumber(), "body", "x", "sendAt",
				Instant.now().plus(Duration.ofDays(31)).toString()), null);

		awaitDeadLetter(com.cloudgreet.relay.common.kafka.Topics.deadLetter(com.cloudgreet.relay.common.kafka.Topics.SMS),
				(record) -> text(record).contains(id)
						&& header(record, com.cloudgreet.relay.common.kafka.RelayKafkaHeaders.DLT_REASON)
							.contains("/data/sendAt: must be at most 30 days ahead"));
	}

	@Test
	void claimReadsOnlyDueRowsThroughTheDueIndex() {
		// The engine's claim (MessageStore.Queue#claimDue): scheduled rows wait in message_due.
		assertThat(QueryPlans.explain(this.jdbcUrl, "notification", """
				select id from message where channel = 'sms' and status in ('scheduled', 'queued', 'sending')
				and due_at <= now() and (lease_until is null or lease_until < now())
				order by due_at limit 100 for update skip locked"""))
			.anyMatch((line) -> line.contains("message_due"))
			.noneMatch((line) -> line.contains("Seq Scan"));
	}

	private String publishScheduledSms(String to, Instant sendAt) {
		return publish(Channel.SMS, Map.of("to", to, "body", "scheduled", "sendAt", sendAt.toString()),
				RecordKeys.forSms(this.tenant, to));
	}

	private WebTestClient.ResponseSpec cancel(String id) {
		return this.web.delete()
			.uri("/internal/v1/messages/{id}", id)
			.header(RelayHttpHeaders.INTERNAL_TOKEN, TOKEN)
			.header(RelayHttpHeaders.TENANT_ID, this.tenant)
			.exchange();
	}

	private static String stubbedNumber() {
		String to = phoneNumber();
		TWILIO.stubFor(post(urlEqualTo(TWILIO_MESSAGES)).withFormParam("To", equalTo(to))
			.willReturn(okJson("{\"sid\":\"SM" + to.substring(1) + "\",\"status\":\"queued\"}").withStatus(201)));
		return to;
	}

	private static int sent(String to) {
		return TWILIO.findAll(postRequestedFor(urlEqualTo(TWILIO_MESSAGES)).withFormParam("To", equalTo(to))).size();
	}

}
