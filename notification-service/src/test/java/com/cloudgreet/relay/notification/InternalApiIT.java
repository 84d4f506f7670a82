package com.cloudgreet.relay.notification;

import com.cloudgreet.relay.common.http.RelayHttpHeaders;
import com.cloudgreet.relay.common.id.IdKind;
import com.cloudgreet.relay.common.id.RelayIds;
import com.cloudgreet.relay.common.problem.ProblemTypes;
import java.time.Duration;

import com.cloudgreet.relay.common.kafka.Topics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.http.MediaType;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class InternalApiIT extends NotificationIT {

	@Test
	void rejectsCallsWithoutTheInternalToken() {
		this.web.get()
			.uri("/internal/v1/messages/{id}", RelayIds.next(IdKind.MESSAGE))
			.header(RelayHttpHeaders.TENANT_ID, this.tenant)
			.exchange()
			.expectStatus()
			.isUnauthorized()
			.expectHeader()
			.contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody()
			.jsonPath("$.type")
			.isEqualTo(ProblemTypes.UNAUTHORIZED.toString())
			.jsonPath("$.status")
			.isEqualTo(401)
			.jsonPath("$.properties")
			.doesNotExist();
		this.web.get()
			.uri("/internal/v1/messages/{id}", RelayIds.next(IdKind.MESSAGE))
			.header(RelayHttpHeaders.INTERNAL_TOKEN, "wrong")
			.header(RelayHttpHeaders.TENANT_ID, this.tenant)
			.exchange()
			.expectStatus()
			.isUnauthorized();
	}

	@Test
	void hidesAnotherTenantsMessage() {
		String to = phoneNumber();
		TWILIO.stubFor(post(urlEqualTo(TWILIO_MESSAGES)).withFormParam("To", equalTo(to))
			.willReturn(okJson("{\"sid\":\"SMx\"}").withStatus(201)));
		String id = publishSms(to, "mine");
		awaitStatus(id, "delivered");

		for (String path : new String[] { "/internal/v1/messages/{id}", "/internal/v1/messages/{id}/retry" }) {
			var spec = path.endsWith("retry") ? this.web.post().uri(path, id) : this.web.get().uri(path, id);
			spec.header(RelayHttpHeaders.INTERNAL_TOKEN, TOKEN)
				.header(RelayHttpHeaders.TENANT_ID, RelayIds.next(IdKind.TENANT))
				.exchange()
				.expectStatus()
				.isNotFound()
				.expectHeader()
				.contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
				.expectBody()
				.jsonPath("$.type")
				.isEqualTo(ProblemTypes.NOT_FOUND.toString());
		}
	}

	@Test
	void refusesToRetryDeliveredMessage() {
		String to = phoneNumber();
		TWILIO.stubFor(post(urlEqualTo(TWILIO_MESSAGES)).withFormParam("To", equalTo(to))
			.willReturn(okJson("{\"sid\":\"SMy\"}").withStatus(201)));
		String id = publishSms(to, "done");
		awaitStatus(id, "delivered");

		retry(id).expectStatus()
			.isEqualTo(409)
			.expectBody()
			.jsonPath("$.type")
			.isEqualTo(ProblemTypes.NOT_RETRYABLE.toString());
	}

	@Test
	void retryRequeuesFailedMessageWithSameIdAndKeepsAttempts() {
		String to = phoneNumber();
		TWILIO.stubFor(post(urlEqualTo(TWILIO_MESSAGES)).withFormParam("To", equalTo(to))
			.willReturn(aResponse().withStatus(400).withHeader("Content-Type", "application/json")
				.withBody("{\"code\":21610,\"message\":\"Unsubscribed recipient\",\"status\":400}")));
		String id = publishSms(to, "second chance");
		awaitStatus(id, "failed");

		TWILIO.stubFor(post(urlEqualTo(TWILIO_MESSAGES)).withFormParam("To", equalTo(to))
			.willReturn(okJson("{\"sid\":\"SMretried\"}").withStatus(201)));
		retry(id).expectStatus()
			.isAccepted()
			.expectBody()
			.jsonPath("$.id")
			.isEqualTo(id)
			.jsonPath("$.status")
			.isEqualTo("queued");

		JsonNode status = awaitStatus(id, "delivered");
		assertThat(status.path("attempts").findValuesAsString("outcome")).containsExactly("permanent_failure", "delivered");
		assertThat(status.path("providerMessageId").asString()).isEqualTo("SMretried");
	}

	@Test
	void lateDeadLetterOfAnEarlierTryDoesNotOverrideARetry() {
		String to = phoneNumber();
		TWILIO.stubFor(post(urlEqualTo(TWILIO_MESSAGES)).withFormParam("To", equalTo(to))
			.willReturn(aResponse().withStatus(400).withHeader("Content-Type", "application/json")
				.withBody("{\"code\":21610,\"message\":\"Unsubscribed recipient\",\"status\":400}")));
		String id = publishSms(to, "late dead letter");
		awaitStatus(id, "failed");
		ConsumerRecord<String, byte[]> firstTry = awaitDeadLetter(Topics.deadLetter(Topics.SMS),
				(record) -> text(record).contains(id));

		TWILIO.stubFor(post(urlEqualTo(TWILIO_MESSAGES)).withFormParam("To", equalTo(to))
			.willReturn(okJson("{\"sid\":\"SMlate\"}").withStatus(201).withFixedDelay(1_500)));
		retry(id).expectStatus().isAccepted();
		awaitStatus(id, "sending");
		// The first try's dead letter shows up again while the retry is being sent.
		ProducerRecord<String, byte[]> replayed = new ProducerRecord<>(Topics.deadLetter(Topics.SMS), firstTry.key(),
				firstTry.value());
		firstTry.headers().forEach((header) -> replayed.headers().add(header));
		this.kafka.send(replayed).join();

		JsonNode status = awaitStatus(id, "delivered");
		assertThat(status.path("attempts").findValuesAsString("outcome")).containsExactly("permanent_failure", "delivered");
		await().during(Duration.ofSeconds(1)).until(() -> "delivered".equals(status(id).path("status").asString()));
	}

	@Test
	void answersNotFoundForUnknownMessage() {
		this.web.get()
			.uri("/internal/v1/messages/{id}", RelayIds.next(IdKind.MESSAGE))
			.header(RelayHttpHeaders.INTERNAL_TOKEN, TOKEN)
			.header(RelayHttpHeaders.TENANT_ID, this.tenant)
			.exchange()
			.expectStatus()
			.isNotFound();
	}

	private org.springframework.test.web.reactive.server.WebTestClient.ResponseSpec retry(String id) {
		return this.web.post()
			.uri("/internal/v1/messages/{id}/retry", id)
			.header(RelayHttpHeaders.INTERNAL_TOKEN, TOKEN)
			.header(RelayHttpHeaders.TENANT_ID, this.tenant)
			.exchange();
	}

}
