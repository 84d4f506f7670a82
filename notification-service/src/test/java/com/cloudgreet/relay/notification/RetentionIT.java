package com.cloudgreet.relay.notification;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import com.cloudgreet.relay.common.http.RelayHttpHeaders;
import com.cloudgreet.relay.common.id.IdKind;
import com.cloudgreet.relay.common.id.RelayIds;
import com.cloudgreet.relay.delivery.retention.RetentionJob;
import com.cloudgreet.relay.delivery.retention.RetentionSettings;
import com.cloudgreet.relay.notification.delivery.MessageStore;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

/** relay.retention: settled messages go after their age, in batches; bodies go once nothing can send them again. */
class RetentionIT extends NotificationIT {

	@Autowired
	MessageStore store;

	@Test
	void deletesSettledMessagesAndTheirAttemptsOnceOldEnough() {
		String delivered = message("delivered", "10 days");
		String failed = message("failed", "10 days");
		String deadLettered = message("dead_lettered", "10 days");
		String queued = message("queued", "10 days");
		String young = message("failed", "1 day");

		// 25 days from now with settled-after 30d: everything settled before 5 days ago goes.
		Clock later = Clock.fixed(Instant.now().plus(Duration.ofDays(25)), ZoneOffset.UTC);
		RetentionJob job = new RetentionJob("messages", this.store::deleteSettledBefore,
				new RetentionSettings(true, Duration.ofDays(30), 2, Duration.ofHours(1)), later);
		long deleted = job.purge().block(Duration.ofSeconds(30));

		assertThat(deleted).as("batches of two until none is left").isGreaterThanOrEqualTo(3);
		assertThat(remaining()).contains(queued, young).doesNotContain(delivered, failed, deadLettered);
		assertThat(attempts(delivered)).isZero();
		assertThat(attempts(young)).isEqualTo(1);
	}

	@Test
	void clearsTheBodyOnDeliveryAndKeepsItForARetryUntilThen() {
		String to = phoneNumber();
		TWILIO.stubFor(post(urlEqualTo(TWILIO_MESSAGES)).withFormParam("To", equalTo(to))
			.willReturn(aResponse().withStatus(400).withHeader("Content-Type", "application/json")
				.withBody("{\"code\":21610,\"message\":\"Unsubscribed recipient\",\"status\":400}")));
		String id = publishSms(to, "keep me until delivered");
		awaitStatus(id, "failed");
		assertThat(body(id)).as("a failed message keeps its body for a retry").contains("keep me until delivered");

		TWILIO.stubFor(post(urlEqualTo(TWILIO_MESSAGES)).withFormParam("To", equalTo(to))
			.willReturn(okJson("{\"sid\":\"SMkept\"}").withStatus(201)));
		this.web.post()
			.uri("/internal/v1/messages/{id}/retry", id)
			.header(RelayHttpHeaders.INTERNAL_TOKEN, TOKEN)
			.header(RelayHttpHeaders.TENANT_ID, this.tenant)
			.exchange()
			.expectStatus()
			.isAccepted();
		awaitStatus(id, "delivered");

		assertThat(TWILIO.findAll(postRequestedFor(urlEqualTo(TWILIO_MESSAGES)).withFormParam("To", equalTo(to))))
			.as("the retry sent the kept body").hasSize(2)
			.allMatch((request) -> request.getBodyAsString().contains("keep+me+until+delivered"));
		assertThat(body(id)).as("nothing sends a delivered message again").isEmpty();
	}

	/** A message of this tenant in {@code status}, last changed {@code age} ago, with one attempt. */
	private String message(String status, String age) {
		String id = RelayIds.next(IdKind.MESSAGE);
		this.db.sql("insert into message (id, tenant_id, channel, status, event, attempt_count, updated_at) "
				+ "values (:id, :tenant, 'sms', :status, '{}', 1, now() - cast(:age as interval))")
			.bind("id", id)
			.bind("tenant", this.tenant)
			.bind("status", status)
			.bind("age", age)
			.then()
			.block(Duration.ofSeconds(30));
		this.db.sql("insert into attempt (message_id, number, at, outcome, latency_ms) "
				+ "values (:id, 1, now() - cast(:age as interval), 'retryable_failure', 5)")
			.bind("id", id)
			.bind("age", age)
			.then()
			.block(Duration.ofSeconds(30));
		return id;
	}

	private List<String> remaining() {
		return this.db.sql("select id from message where tenant_id = :tenant")
			.bind("tenant", this.tenant)
			.map((row) -> row.get("id", String.class))
			.all()
			.collectList()
			.block(Duration.ofSeconds(30));
	}

	private long attempts(String id) {
		return this.db.sql("select count(*) from attempt where message_id = :id")
			.bind("id", id)
			.map((row) -> row.get(0, Long.class))
			.one()
			.block(Duration.ofSeconds(30));
	}

	private String body(String id) {
		return this.db.sql("select event from message where id = :id")
			.bind("id", id)
			.map((row) -> row.get("event", String.class))
			.one()
			.block(Duration.ofSeconds(30));
	}

}
