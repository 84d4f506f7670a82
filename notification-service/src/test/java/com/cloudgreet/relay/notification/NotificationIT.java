package com.cloudgreet.relay.notification;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

import com.cloudgreet.relay.common.Channel;
import com.cloudgreet.relay.common.event.CloudEvent;
import com.cloudgreet.relay.common.event.CloudEventCodec;
import com.cloudgreet.relay.common.http.RelayHttpHeaders;
import com.cloudgreet.relay.common.id.IdKind;
import com.cloudgreet.relay.common.id.RelayIds;
import com.cloudgreet.relay.common.json.RelayJson;
import com.cloudgreet.relay.common.kafka.RecordKeys;
import com.cloudgreet.relay.common.kafka.RelayKafkaHeaders;
import com.cloudgreet.relay.common.kafka.Topics;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.BeforeEach;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.test.context.EmbeddedKafka;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.awaitility.Awaitility.await;

/**
 * Base of the integration tests: one Spring context, one embedded KRaft broker, one GreenMail SMTP
 * server and one WireMock "Twilio" for the whole module, so the context cache is always hit.
 * Every test uses fresh message ids, tenants and phone numbers, so tests never see each other's data.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@EmbeddedKafka(partitions = 3, topics = { Topics.EMAIL, Topics.SMS })
@ActiveProfiles("test")
@AutoConfigureWebTestClient
@org.springframework.context.annotation.Import({ RecordingAlerter.Config.class, SecondEngine.class })
public abstract class NotificationIT {

	protected static final String TOKEN = "test-internal-token";

	protected static final GreenMail SMTP = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));

	protected static final WireMockServer TWILIO = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));

	protected static final String TWILIO_MESSAGES = "/2010-04-01/Accounts/ACtest0000000000000000000000000000/Messages.json";

	/** A named direct producer of the tests (relay.kafka.producers.billing), allowed for one tenant only. */
	protected static final String BILLING = "billing";

	/** base64 of "billing-test-key-of-32-bytes-xxx". */
	protected static final String BILLING_KEY = "YmlsbGluZy10ZXN0LWtleS1vZi0zMi1ieXRlcy14eHg=";

	/** The one tenant BILLING may act for; fresh per run, like every tenant of these tests. */
	protected static final String BILLING_TENANT = RelayIds.next(IdKind.TENANT);

	static {
		SMTP.start();
		TWILIO.start();
		// Numbers no test stubbed (messages of an earlier run still queued in the shared test
		// database) are accepted: WireMock's default 404 would read as a refused account and pause
		// the SMS channel for every test. Per-number stubs take precedence.
		TWILIO.stubFor(com.github.tomakehurst.wiremock.client.WireMock.post(
				com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo(TWILIO_MESSAGES))
			.atPriority(10)
			.willReturn(com.github.tomakehurst.wiremock.client.WireMock.okJson("{\"sid\":\"SMany\"}").withStatus(201)));
	}

	@DynamicPropertySource
	static void servers(DynamicPropertyRegistry registry) {
		registry.add("spring.mail.host", () -> "127.0.0.1");
		registry.add("spring.mail.port", () -> SMTP.getSmtp().getPort());
		registry.add("relay.sms.twilio.base-url", () -> TWILIO.baseUrl());
		registry.add("relay.kafka.producers." + BILLING + ".key", () -> BILLING_KEY);
		registry.add("relay.kafka.producers." + BILLING + ".tenants", () -> BILLING_TENANT);
	}

	@Autowired
	protected KafkaTemplate<String, byte[]> kafka;

	@Autowired
	protected WebTestClient web;

	/**
	 * This context's broker, not the spring.embedded.kafka.brokers system property: that names the
	 * broker started last, another context's once FailoverIT has run.
	 */
	@Autowired
	private org.springframework.kafka.test.EmbeddedKafkaBroker broker;

	protected String brokers;

	protected String tenant;

	@Autowired
	protected org.springframework.r2dbc.core.DatabaseClient db;

	@Value("${spring.flyway.url}")
	private String flywayUrl;

	private static final java.util.concurrent.atomic.AtomicBoolean GATEWAY_SCHEMA = new java.util.concurrent.atomic.AtomicBoolean();

	@BeforeEach
	void newTenant() {
		this.tenant = RelayIds.next(IdKind.TENANT);
		this.brokers = this.broker.getBrokersAsString();
		if (GATEWAY_SCHEMA.compareAndSet(false, true)) {
			// The sender allowlists live in the gateway's schema, which this service reads: migrate it
			// with the gateway's own migrations, as a deployment has it.
			org.flywaydb.core.Flyway.configure()
				.dataSource(this.flywayUrl, "postgres", null)
				.schemas("gateway")
				.defaultSchema("gateway")
				.locations("filesystem:../api-gateway/src/main/resources/db/migration")
				.load()
				.migrate();
		}
	}

	/** Makes this test's tenant a gateway tenant with these allowed senders. */
	protected void allowSenders(List<String> email, List<String> sms) {
		this.db.sql("""
				insert into gateway.tenant (id, name, email_senders, sms_senders) values (:id, 'test', :email, :sms)
				on conflict (id) do update set email_senders = excluded.email_senders, sms_senders = excluded.sms_senders""")
			.bind("id", this.tenant)
			.bind("email", email.toArray(String[]::new))
			.bind("sms", sms.toArray(String[]::new))
			.then()
			.block(Duration.ofSeconds(10));
	}

	protected String publishEmail(Map<String, Object> data) {
		return publish(Channel.EMAIL, data, null);
	}

	protected String publishSms(String to, String body) {
		return publish(Channel.SMS, Map.of("to", to, "body", body), RecordKeys.forSms(this.tenant, to));
	}

	/** Publishes an SMS request with a chosen id. */
	protected String publishSms(String id, String to, String body) {
		return publish(Channel.SMS, id, Map.of("to", to, "body", body), RecordKeys.forSms(this.tenant, to));
	}

	protected String publish(Channel channel, Map<String, Object> data, String key) {
		return publish(channel, RelayIds.next(IdKind.MESSAGE), data, key);
	}

	protected String publish(Channel channel, String id, Map<String, Object> data, String key) {
		CloudEvent event = CloudEvent.request(channel, id, "/tests", this.tenant, RelayJson.tree(data));
		ProducerRecord<String, byte[]> record = new ProducerRecord<>(channel.topic(), key == null ? id : key,
				CloudEventCodec.encode(event));
		record.headers().add(RelayKafkaHeaders.CONTENT_TYPE, RelayKafkaHeaders.CLOUDEVENTS_JSON.getBytes(StandardCharsets.UTF_8));
		this.kafka.send(record).join();
		return id;
	}

	protected JsonNode status(String id) {
		byte[] body = this.web.get()
			.uri("/internal/v1/messages/{id}", id)
			.header(RelayHttpHeaders.INTERNAL_TOKEN, TOKEN)
			.header(RelayHttpHeaders.TENANT_ID, this.tenant)
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.returnResult()
			.getResponseBody();
		return RelayJson.mapper().readTree(body);
	}

	protected JsonNode awaitStatus(String id, String status) {
		return await().atMost(Duration.ofSeconds(30))
			.pollInterval(Duration.ofMillis(100))
			.until(() -> statusIfKnown(id), (json) -> json != null && status.equals(json.path("status").asString()));
	}

	/** The status JSON, or null while the message is not in the log yet (404). */
	private JsonNode statusIfKnown(String id) {
		var result = this.web.get()
			.uri("/internal/v1/messages/{id}", id)
			.header(RelayHttpHeaders.INTERNAL_TOKEN, TOKEN)
			.header(RelayHttpHeaders.TENANT_ID, this.tenant)
			.exchange()
			.returnResult(byte[].class);
		if (result.getStatus().value() == 404) {
			return null;
		}
		byte[] body = result.getResponseBodyContent();
		return RelayJson.mapper().readTree(body);
	}

	/** A valid German mobile number no other test uses. */
	protected static String phoneNumber() {
		return "+49151" + (10_000_000 + ThreadLocalRandom.current().nextInt(89_999_999));
	}

	/** Reads a dead-letter topic from the start until a record satisfying {@code match} shows up. */
	protected ConsumerRecord<String, byte[]> awaitDeadLetter(String topic, java.util.function.Predicate<ConsumerRecord<String, byte[]>> match) {
		Map<String, Object> config = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, this.brokers,
				ConsumerConfig.GROUP_ID_CONFIG, "dlt-reader-" + UUID.randomUUID(),
				ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
		try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(config, new StringDeserializer(),
				new ByteArrayDeserializer())) {
			consumer.subscribe(List.of(topic));
			List<ConsumerRecord<String, byte[]>> found = new ArrayList<>();
			await().atMost(Duration.ofSeconds(40)).until(() -> {
				consumer.poll(Duration.ofMillis(200)).forEach((record) -> {
					if (match.test(record)) {
						found.add(record);
					}
				});
				return !found.isEmpty();
			});
			return found.get(0);
		}
	}

	protected static String header(ConsumerRecord<?, ?> record, String name) {
		var header = record.headers().lastHeader(name);
		return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
	}

	protected static String text(ConsumerRecord<?, byte[]> record) {
		return new String(record.value(), StandardCharsets.UTF_8);
	}

}
