package com.cloudgreet.relay.webhook;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.cloudgreet.relay.common.Channel;
import com.cloudgreet.relay.common.event.CloudEvent;
import com.cloudgreet.relay.common.event.CloudEventCodec;
import com.cloudgreet.relay.common.http.RelayHttpHeaders;
import com.cloudgreet.relay.common.id.IdKind;
import com.cloudgreet.relay.common.id.RelayIds;
import com.cloudgreet.relay.common.json.RelayJson;
import com.cloudgreet.relay.common.kafka.RelayKafkaHeaders;
import com.cloudgreet.relay.common.kafka.Topics;
import com.cloudgreet.relay.webhook.testing.DnsBlackHole;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.awaitility.Awaitility;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.http.HttpStatus;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.test.context.EmbeddedKafka;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;

/**
 * One Spring context and one embedded Kafka broker for every integration test of the module
 * (the context cache is hit because every IT extends this class unchanged). Each test uses its
 * own tenant, so tests never see each other's endpoints or events.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureWebTestClient
@ActiveProfiles("test")
@EmbeddedKafka(partitions = 6, topics = { Topics.WEBHOOK, Topics.WEBHOOK + Topics.DLT_SUFFIX })
public abstract class AbstractWebhookIT {

	protected static final String TOKEN = "test-internal-token";

	/** A named direct producer of the tests (relay.kafka.producers.billing), allowed for one tenant only. */
	protected static final String BILLING = "billing";

	/** base64 of "billing-test-key-of-32-bytes-xxx". */
	protected static final String BILLING_KEY = "YmlsbGluZy10ZXN0LWtleS1vZi0zMi1ieXRlcy14eHg=";

	/** The one tenant BILLING may act for; fresh per run, like every tenant of these tests. */
	protected static final String BILLING_TENANT = RelayIds.next(IdKind.TENANT);

	@Autowired
	protected WebTestClient web;

	@Autowired
	protected KafkaTemplate<String, byte[]> kafka;

	protected final String tenant = RelayIds.next(IdKind.TENANT);

	/**
	 * The only name server the service asks: it never answers. Tests use IP literals and
	 * localhost (/etc/hosts), so none depends on outside DNS, and a name that must time out does.
	 */
	protected static final DnsBlackHole DNS = new DnsBlackHole();

	static {
		// status(id) right after publishing answers 404 until the listener has stored the event
		// (longer while the consumer group is still being assigned, on a busy machine): a wait for
		// a status retries through that instead of failing at once; it still fails at its timeout.
		Awaitility.ignoreExceptionsByDefault();
	}

	@DynamicPropertySource
	static void dns(DynamicPropertyRegistry registry) {
		registry.add("relay.webhooks.dns.servers", DNS::hostAndPort);
		registry.add("relay.kafka.producers." + BILLING + ".key", () -> BILLING_KEY);
		registry.add("relay.kafka.producers." + BILLING + ".tenants", () -> BILLING_TENANT);
	}

	protected WebTestClient.RequestHeadersSpec<?> get(String tenantId, String path) {
		return this.web.get().uri(path).header(RelayHttpHeaders.INTERNAL_TOKEN, TOKEN)
			.header(RelayHttpHeaders.TENANT_ID, tenantId);
	}

	protected WebTestClient.RequestBodySpec post(String tenantId, String path) {
		return this.web.post().uri(path).header(RelayHttpHeaders.INTERNAL_TOKEN, TOKEN)
			.header(RelayHttpHeaders.TENANT_ID, tenantId);
	}

	protected WebTestClient.RequestBodySpec patch(String tenantId, String path) {
		return this.web.patch().uri(path).header(RelayHttpHeaders.INTERNAL_TOKEN, TOKEN)
			.header(RelayHttpHeaders.TENANT_ID, tenantId);
	}

	/** Creates an endpoint and returns the create answer (with its secret). */
	protected JsonNode createEndpoint(String url, String... eventTypes) {
		return createEndpointFor(this.tenant, url, eventTypes);
	}

	protected JsonNode createEndpointFor(String tenantId, String url, String... eventTypes) {
		return post(tenantId, "/internal/v1/endpoints").bodyValue(Map.of("url", url, "eventTypes", List.of(eventTypes)))
			.exchange()
			.expectStatus()
			.isEqualTo(HttpStatus.CREATED)
			.expectBody(JsonNode.class)
			.returnResult()
			.getResponseBody();
	}

	protected JsonNode status(String eventId) {
		return get(this.tenant, "/internal/v1/messages/" + eventId).exchange()
			.expectStatus()
			.isOk()
			.expectBody(JsonNode.class)
			.returnResult()
			.getResponseBody();
	}

	protected JsonNode endpoint(String id) {
		return get(this.tenant, "/internal/v1/endpoints/" + id).exchange()
			.expectStatus()
			.isOk()
			.expectBody(JsonNode.class)
			.returnResult()
			.getResponseBody();
	}

	/** Produces a webhook event straight to the request topic, as the gateway (or any producer) does. */
	protected String publish(String eventType, Map<String, Object> payload) {
		return publishFor(this.tenant, eventType, payload);
	}

	protected String publishFor(String tenantId, String eventType, Map<String, Object> payload) {
		String id = RelayIds.next(IdKind.EVENT);
		publishRaw(id, CloudEventCodec.encode(eventFor(tenantId, id, eventType, payload)));
		return id;
	}

	protected CloudEvent event(String id, String eventType, Map<String, Object> payload) {
		return eventFor(this.tenant, id, eventType, payload);
	}

	protected static CloudEvent eventFor(String tenantId, String id, String eventType, Map<String, Object> payload) {
		JsonNode data = RelayJson.tree(Map.of("eventType", eventType, "payload", payload));
		return CloudEvent.request(Channel.WEBHOOK, id, "/test", tenantId, data);
	}

	protected void publishRaw(String key, byte[] value) {
		var record = new ProducerRecord<>(Topics.WEBHOOK, key, value);
		record.headers().add(RelayKafkaHeaders.CONTENT_TYPE, RelayKafkaHeaders.CLOUDEVENTS_JSON.getBytes(StandardCharsets.UTF_8));
		this.kafka.send(record).join();
	}

	protected static final Duration WAIT = Duration.ofSeconds(30);

}
