package com.cloudgreet.relay.gateway;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;

import com.cloudgreet.relay.common.Channel;
import com.cloudgreet.relay.common.event.CloudEventCodec;
import com.cloudgreet.relay.common.kafka.Topics;
import com.cloudgreet.relay.common.message.SmsMessage;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import org.springframework.http.MediaType;

import static org.assertj.core.api.Assertions.assertThat;

/** sendAt at the front door and DELETE /v1/messages/{id} routed to the owner (issue 21, item 1). */
class ScheduledSendIT extends GatewayIntegrationTest {

	@ParameterizedTest(name = "{0}")
	@CsvSource(delimiter = '|', textBlock = """
			email-in-the-past      | /v1/messages/email | {"to":["ada@example.com"],"subject":"s","text":"t","sendAt":"2020-01-01T00:00:00Z"} | is in the past
			sms-over-thirty-days   | /v1/messages/sms   | {"to":"+14155550123","body":"x","sendAt":"%s"}                                      | at most 30 days ahead
			event-not-a-date       | /v1/events         | {"eventType":"a.b","payload":{},"sendAt":"next tuesday"}                             | expected an RFC 3339 date-time
			""")
	void refusesSendAtOutsideTheWindowWith422NamingIt(String name, String path, String body, String reason) {
		NewTenant tenant = createTenant();
		this.web.post()
			.uri(path)
			.header("Authorization", "Bearer " + tenant.apiKey())
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(body.formatted(Instant.now().plus(Duration.ofDays(31))))
			.exchange()
			.expectStatus()
			.isEqualTo(422)
			.expectHeader()
			.contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody()
			.jsonPath("$.type")
			.isEqualTo("https://relay.cloudgreet.com/problems/validation-failed")
			.jsonPath("$.errors[?(@.pointer == '/sendAt')].detail")
			.value((List<String> details) -> assertThat(details).singleElement().asString().contains(reason));
	}

	@Test
	void acceptsAScheduledSmsAsScheduledAndPublishesItsSendAt() {
		NewTenant tenant = createTenant();
		Instant sendAt = Instant.now().plus(Duration.ofHours(2)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
		this.web.post()
			.uri("/v1/messages/sms")
			.header("Authorization", "Bearer " + tenant.apiKey())
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"to\":\"+14155550123\",\"body\":\"later\",\"sendAt\":\""
					+ DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(sendAt.atOffset(ZoneOffset.ofHours(2))) + "\"}")
			.exchange()
			.expectStatus()
			.isAccepted()
			.expectBody()
			.jsonPath("$.status")
			.isEqualTo("scheduled");
		List<ConsumerRecord<String, byte[]>> records = recordsOf(Topics.SMS, tenant.id(), (r) -> !r.isEmpty());
		assertThat(((SmsMessage) CloudEventCodec.decode(records.get(0).value(), Channel.SMS).payload()).sendAt())
			.isEqualTo(sendAt);
	}

	@Test
	void routesCancelOfMessagesAndEventsToTheirOwners() {
		NewTenant tenant = createTenant();
		String message = "msg_0192f0c0a1b27c3d8e4f5a6b7c8d1111";
		String event = "evt_0192f0c0a1b27c3d8e4f5a6b7c8d1111";
		OWNER_ROUTES.put("DELETE /internal/v1/messages/" + message,
				(request) -> json(200, "{\"id\":\"" + message + "\",\"status\":\"canceled\"}"));
		OWNER_ROUTES.put("DELETE /internal/v1/messages/" + event, (request) -> new MockResponse.Builder().code(409)
			.addHeader("Content-Type", "application/problem+json")
			.body("{\"type\":\"https://relay.cloudgreet.com/problems/message-not-cancelable\",\"status\":409,"
					+ "\"instance\":\"/internal/v1/messages/" + event + "\"}")
			.build());

		this.web.delete()
			.uri("/v1/messages/" + message)
			.header("Authorization", "Bearer " + tenant.apiKey())
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.status")
			.isEqualTo("canceled");
		this.web.delete()
			.uri("/v1/messages/" + event)
			.header("Authorization", "Bearer " + tenant.apiKey())
			.exchange()
			.expectStatus()
			.isEqualTo(409)
			.expectBody()
			.jsonPath("$.instance")
			.isEqualTo("/v1/messages/" + event);

		RecordedRequest seen = lastOwnerRequest("DELETE", "/internal/v1/messages/" + message);
		assertThat(seen.getHeaders().get("X-Relay-Internal-Token")).isEqualTo("test-internal-token");
		assertThat(seen.getHeaders().get("X-Relay-Tenant-Id")).isEqualTo(tenant.id());
		assertThat(lastOwnerRequest("DELETE", "/internal/v1/messages/" + event).getHeaders().get("X-Relay-Tenant-Id"))
			.isEqualTo(tenant.id());
	}

	@Test
	void cancelWithoutCredentialsIsUnauthorized() {
		this.web.delete().uri("/v1/messages/msg_0192f0c0a1b27c3d8e4f5a6b7c8d1111").exchange().expectStatus().isUnauthorized();
	}

	private static MockResponse json(int status, String body) {
		return new MockResponse.Builder().code(status).addHeader("Content-Type", "application/json").body(body).build();
	}

	private static RecordedRequest lastOwnerRequest(String method, String target) {
		synchronized (OWNER_REQUESTS) {
			for (int i = OWNER_REQUESTS.size() - 1; i >= 0; i--) {
				RecordedRequest request = OWNER_REQUESTS.get(i);
				if (request.getMethod().equals(method) && request.getTarget().equals(target)) {
					return request;
				}
			}
		}
		throw new AssertionError("no " + method + " " + target);
	}

}
