package com.cloudgreet.relay.gateway;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.cloudgreet.relay.common.Channel;
import com.cloudgreet.relay.common.event.CloudEventCodec;
import com.cloudgreet.relay.common.event.RelayRequest;
import com.cloudgreet.relay.common.kafka.RelayKafkaHeaders;
import com.cloudgreet.relay.common.kafka.Topics;
import com.cloudgreet.relay.common.kafka.producer.ProducerAllowlist;
import com.cloudgreet.relay.common.kafka.producer.ProducerAllowlistProperties;
import com.cloudgreet.relay.common.message.EmailMessage;
import com.cloudgreet.relay.common.message.SmsMessage;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import tools.jackson.databind.JsonNode;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class MessagesIT extends GatewayIntegrationTest {

	@Autowired
	private MeterRegistry meters;

	@Test
	void createsTenantAndPublishesEmailAsCloudEventOnceKafkaAcknowledged() {
		NewTenant tenant = createTenant();
		assertThat(tenant.apiKey()).matches("rk_[A-Za-z0-9_-]{43}");

		JsonNode accepted = this.web.post()
			.uri("/v1/messages/email")
			.header("Authorization", "Bearer " + tenant.apiKey())
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(email("Hello"))
			.exchange()
			.expectStatus()
			.isAccepted()
			.expectHeader()
			.valueMatches("Location", "/v1/messages/msg_[0-9a-f]{32}")
			.expectBody(JsonNode.class)
			.returnResult()
			.getResponseBody();
		String id = accepted.get("id").asString();
		assertThat(accepted.get("status").asString()).isEqualTo("queued");
		assertThat(accepted.get("channel").asString()).isEqualTo("email");

		List<ConsumerRecord<String, byte[]>> records = recordsOf(Topics.EMAIL, tenant.id(), (r) -> !r.isEmpty());
		ConsumerRecord<String, byte[]> record = records.get(0);
		assertThat(record.key()).isEqualTo(id);
		assertThat(new String(record.headers().lastHeader("content-type").value()))
			.isEqualTo("application/cloudevents+json");
		RelayRequest request = CloudEventCodec.decode(record.value(), Channel.EMAIL);
		assertThat(request.event().id()).isEqualTo(id);
		assertThat(request.event().tenantid()).isEqualTo(tenant.id());
		assertThat(request.event().source()).isEqualTo("/relay/api-gateway");
		assertThat(((EmailMessage) request.payload()).subject()).isEqualTo("Hello");
	}

	/** The consumers believe the record's tenant because the gateway's signature verifies (relay-producer). */
	@Test
	void signsEveryPublishedRecordAsTheGatewaySoConsumersBelieveItsTenant() {
		NewTenant tenant = createTenant();
		this.web.post()
			.uri("/v1/messages/email")
			.header("Authorization", "Bearer " + tenant.apiKey())
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(email("Signed"))
			.exchange()
			.expectStatus()
			.isAccepted();

		ConsumerRecord<String, byte[]> record = recordsOf(Topics.EMAIL, tenant.id(), (r) -> !r.isEmpty()).get(0);
		assertThat(record.headers().lastHeader(RelayKafkaHeaders.PRODUCER)).as("relay-producer header").isNotNull();
		assertThat(new String(record.headers().lastHeader(RelayKafkaHeaders.PRODUCER).value(), UTF_8)).isEqualTo("gateway");
		// As the consumers check it, with the key their test profiles list for "gateway" and nothing else allowed.
		ProducerAllowlist consumers = ProducerAllowlist.of(new ProducerAllowlistProperties(Map.of("gateway",
				new ProducerAllowlistProperties.Producer("Z2F0ZXdheS10ZXN0LWtleS1vZi0zMi1ieXRlcy14eHg=", List.of("*"))),
				List.of()));
		assertThat(consumers.refusal(record, tenant.id())).isEmpty();
	}

	@Test
	void carriesTheCallersTraceIntoTheKafkaRecord() {
		NewTenant tenant = createTenant();
		String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
		this.web.post()
			.uri("/v1/messages/email")
			.header("Authorization", "Bearer " + tenant.apiKey())
			.header("traceparent", "00-" + traceId + "-00f067aa0ba902b7-01")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(email("Traced"))
			.exchange()
			.expectStatus()
			.isAccepted();

		ConsumerRecord<String, byte[]> record = recordsOf(Topics.EMAIL, tenant.id(), (r) -> !r.isEmpty()).get(0);
		assertThat(record.headers().lastHeader("traceparent")).as("W3C trace context header").isNotNull();
		assertThat(new String(record.headers().lastHeader("traceparent").value()))
			.matches("00-" + traceId + "-[0-9a-f]{16}-0[01]");
	}

	/** Metrics stay on in full while the observations are trimmed (no long-task timers, no http.url). */
	@Test
	void timesEveryRequestByRouteAndStatus() {
		NewTenant tenant = createTenant();
		this.web.post()
			.uri("/v1/messages/sms")
			.header("Authorization", "Bearer " + tenant.apiKey())
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(sms("timed"))
			.exchange()
			.expectStatus()
			.isAccepted();

		await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(this.meters.find("http.server.requests")
			.tags("uri", "/v1/messages/sms", "method", "POST", "status", "202", "outcome", "SUCCESS")
			.timer()).isNotNull().satisfies((timer) -> assertThat(timer.count()).isPositive()));
		assertThat(this.meters.find("http.server.requests.active").longTaskTimer()).isNull();
	}

	@Test
	void keysSmsRecordsByTenantAndRecipient() {
		NewTenant tenant = createTenant();
		this.web.post()
			.uri("/v1/messages/sms")
			.header("Authorization", "Bearer " + tenant.apiKey())
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(sms("code 1234"))
			.exchange()
			.expectStatus()
			.isAccepted();
		ConsumerRecord<String, byte[]> record = recordsOf(Topics.SMS, tenant.id(), (r) -> !r.isEmpty()).get(0);
		assertThat(record.key()).isEqualTo(tenant.id() + "/+14155550123");
		assertThat(((SmsMessage) CloudEventCodec.decode(record.value(), Channel.SMS).payload()).body())
			.isEqualTo("code 1234");
	}

	@Test
	void publishesEventsAsWebhookRequestsWithEventIds() {
		NewTenant tenant = createTenant();
		this.web.post()
			.uri("/v1/events")
			.header("Authorization", "Bearer " + tenant.apiKey())
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"eventType\":\"invoice.paid\",\"payload\":{\"amount\":5}}")
			.exchange()
			.expectStatus()
			.isAccepted()
			.expectBody()
			.jsonPath("$.id")
			.value((String id) -> assertThat(id).startsWith("evt_"))
			.jsonPath("$.channel")
			.isEqualTo("webhook");
		assertThat(recordsOf(Topics.WEBHOOK, tenant.id(), (r) -> !r.isEmpty())).hasSize(1);
	}

	@Test
	void rejectsInvalidMessagesWithEveryViolationAndPublishesNothing() {
		NewTenant tenant = createTenant();
		this.web.post()
			.uri("/v1/messages/email")
			.header("Authorization", "Bearer " + tenant.apiKey())
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"to\":[\"not an address\"],\"text\":\"x\"}")
			.exchange()
			.expectStatus()
			.isEqualTo(422)
			.expectHeader()
			.contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody()
			.jsonPath("$.type")
			.isEqualTo("https://relay.cloudgreet.com/problems/validation-failed")
			.jsonPath("$.errors[?(@.pointer == '/to/0')]")
			.exists()
			.jsonPath("$.errors[?(@.pointer == '/subject')]")
			.exists();
		// A valid message after the invalid one: once it arrives, it must be the tenant's only record.
		this.web.post()
			.uri("/v1/messages/email")
			.header("Authorization", "Bearer " + tenant.apiKey())
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(email("marker"))
			.exchange()
			.expectStatus()
			.isAccepted();
		List<ConsumerRecord<String, byte[]>> records = recordsOf(Topics.EMAIL, tenant.id(), (r) -> !r.isEmpty());
		assertThat(records).hasSize(1);
		assertThat(((EmailMessage) CloudEventCodec.decode(records.get(0).value()).payload()).subject()).isEqualTo("marker");
	}

	@Test
	void refusesUnknownKeysWithUnauthorizedProblem() {
		this.web.post()
			.uri("/v1/messages/email")
			.header("Authorization", "Bearer rk_" + "A".repeat(43))
			.header("X-Forwarded-For", "198.51.100.7")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(email("x"))
			.exchange()
			.expectStatus()
			.isUnauthorized()
			.expectHeader()
			.contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectHeader()
			.valueEquals("WWW-Authenticate", "Bearer realm=\"relay\"")
			.expectBody()
			.jsonPath("$.type")
			.isEqualTo("https://relay.cloudgreet.com/problems/unauthorized");
	}

	@Test
	void refusesAdminApiWithoutTheAdminToken() {
		this.web.post()
			.uri("/admin/v1/tenants")
			.header("Authorization", "Bearer not-the-token")
			.header("X-Forwarded-For", "198.51.100.8")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"name\":\"x\"}")
			.exchange()
			.expectStatus()
			.isUnauthorized();
	}

	@Test
	void tenantKeyDoesNotOpenTheAdminApi() {
		NewTenant tenant = createTenant();
		this.web.get()
			.uri("/admin/v1/tenants/" + tenant.id())
			.header("Authorization", "Bearer " + tenant.apiKey())
			.exchange()
			.expectStatus()
			.isUnauthorized();
	}

}
