package com.cloudgreet.relay.notification;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import java.util.stream.Collectors;

import com.cloudgreet.relay.common.Channel;
import com.cloudgreet.relay.common.event.CloudEvent;
import com.cloudgreet.relay.common.event.CloudEventCodec;
import com.cloudgreet.relay.common.event.RelayRequest;
import com.cloudgreet.relay.common.http.RelayHttpHeaders;
import com.cloudgreet.relay.common.id.IdKind;
import com.cloudgreet.relay.common.id.RelayIds;
import com.cloudgreet.relay.common.json.RelayJson;
import com.cloudgreet.relay.common.kafka.RecordKeys;
import com.cloudgreet.relay.common.kafka.RelayKafkaHeaders;
import com.cloudgreet.relay.common.kafka.Topics;
import com.cloudgreet.relay.delivery.failover.Failover;
import com.cloudgreet.relay.notification.delivery.Engines;
import com.cloudgreet.relay.notification.email.SmtpEmailSender;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.mail.internet.MimeMessage;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.test.context.EmbeddedKafka;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Provider failover through the running service: two real SMTP servers (GreenMail) and two
 * Twilio-compatible stubs (WireMock), the second of each configured under relay.*.providers. A
 * context of its own (NotificationIT's mail server is every other test's, and this one stops it)
 * on a database of its own, closed after the class: otherwise each context's engines would claim
 * the other's due messages and send them through the wrong servers.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "relay.failover.circuit-breaker.sliding-window-size=4",
				"relay.failover.circuit-breaker.minimum-number-of-calls=2",
				"relay.failover.circuit-breaker.wait-in-open-state=2s",
				"relay.failover.circuit-breaker.permitted-calls-in-half-open-state=1",
				"relay.delivery.min-pause=30s" })
@EmbeddedKafka(partitions = 3, topics = { Topics.EMAIL, Topics.SMS })
@ActiveProfiles("test")
@AutoConfigureWebTestClient
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@org.springframework.test.annotation.DirtiesContext(classMode = org.springframework.test.annotation.DirtiesContext.ClassMode.AFTER_CLASS)
class FailoverIT {

	private static final String DATABASE = System.getenv().getOrDefault("RELAY_TEST_DATABASE", "relay_test") + "_failover";

	private static final int PRIMARY_PORT = freePort();

	private static GreenMail primary = smtp(PRIMARY_PORT);

	private static final GreenMail SECONDARY = smtp(0);

	private static final WireMockServer TWILIO_A = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));

	private static final WireMockServer TWILIO_B = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));

	private static final String MESSAGES_A = "/2010-04-01/Accounts/ACtest0000000000000000000000000000/Messages.json";

	private static final String MESSAGES_B = "/2010-04-01/Accounts/ACsecond000000000000000000000000000/Messages.json";

	static {
		SECONDARY.start();
		TWILIO_A.start();
		TWILIO_B.start();
		// Numbers without a stub of their own are accepted by both accounts.
		TWILIO_A.stubFor(post(urlEqualTo(MESSAGES_A)).atPriority(10).willReturn(okJson("{\"sid\":\"SMa\"}").withStatus(201)));
		TWILIO_B.stubFor(post(urlEqualTo(MESSAGES_B)).atPriority(10).willReturn(okJson("{\"sid\":\"SMb\"}").withStatus(201)));
	}

	@DynamicPropertySource
	static void servers(DynamicPropertyRegistry registry) {
		createDatabase();
		registry.add("spring.r2dbc.url", () -> "r2dbc:postgresql://127.0.0.1:5432/" + DATABASE);
		registry.add("spring.flyway.url", () -> "jdbc:postgresql://127.0.0.1:5432/" + DATABASE);
		registry.add("spring.mail.host", () -> "127.0.0.1");
		registry.add("spring.mail.port", () -> PRIMARY_PORT);
		registry.add("relay.email.providers[0].name", () -> "secondary");
		registry.add("relay.email.providers[0].host", () -> "127.0.0.1");
		registry.add("relay.email.providers[0].port", () -> SECONDARY.getSmtp().getPort());
		registry.add("relay.sms.twilio.base-url", TWILIO_A::baseUrl);
		registry.add("relay.sms.providers[0].name", () -> "secondary");
		registry.add("relay.sms.providers[0].base-url", TWILIO_B::baseUrl);
		registry.add("relay.sms.providers[0].account-sid", () -> "ACsecond000000000000000000000000000");
		registry.add("relay.sms.providers[0].auth-token", () -> "second-auth-token");
		registry.add("relay.sms.providers[0].from", () -> "+4930123456780");
	}

	@Autowired
	private KafkaTemplate<String, byte[]> kafka;

	@Autowired
	private WebTestClient web;

	@Autowired
	@Qualifier("emailProviders")
	private Failover<RelayRequest> emailProviders;

	@Autowired
	@Qualifier("smsProviders")
	private Failover<RelayRequest> smsProviders;

	@Autowired
	private Engines engines;

	@Autowired
	private MeterRegistry meters;

	private final String tenant = RelayIds.next(IdKind.TENANT);

	@BeforeAll
	static void gatewaySchema(@Value("${spring.flyway.url}") String flywayUrl) {
		// The sender allowlists live in the gateway's schema, which this service reads.
		org.flywaydb.core.Flyway.configure()
			.dataSource(flywayUrl, "postgres", null)
			.schemas("gateway")
			.defaultSchema("gateway")
			.locations("filesystem:../api-gateway/src/main/resources/db/migration")
			.load()
			.migrate();
	}

	@AfterAll
	static void stopServers() {
		primary.stop();
		SECONDARY.stop();
		TWILIO_A.stop();
		TWILIO_B.stop();
	}

	@Test
	@Order(1)
	void transientFailureOfThePrimarySmsAccountSendsTheNextAttemptThroughTheSecondary() {
		String to = phoneNumber();
		TWILIO_A.stubFor(post(urlEqualTo(MESSAGES_A)).withFormParam("To", equalTo(to))
			.willReturn(aResponse().withStatus(503)));

		String id = publish(Channel.SMS, Map.of("to", to, "body", "failover"), RecordKeys.forSms(this.tenant, to));

		JsonNode status = awaitStatus(id, "delivered");
		assertThat(values(status, "provider")).containsExactly("primary", "secondary");
		assertThat(values(status, "outcome")).containsExactly("retryable_failure", "delivered");
		assertThat(TWILIO_A.findAll(postRequestedFor(urlEqualTo(MESSAGES_A)).withFormParam("To", equalTo(to)))).hasSize(1);
		assertThat(TWILIO_B.findAll(postRequestedFor(urlEqualTo(MESSAGES_B)).withFormParam("To", equalTo(to))
			.withFormParam("From", equalTo("+4930123456780")))).hasSize(1);
		assertThat(this.meters.get("relay.notification.provider.calls").tag("channel", "sms")
			.tag("provider", "secondary").tag("outcome", "delivered").counter().count()).isGreaterThanOrEqualTo(1);
	}

	@Test
	@Order(2)
	void refusedPrimaryAccountPausesThatAccountOnlyAndTextsGoOutThroughTheSecondary() {
		String refusedTo = phoneNumber();
		// The account is refused for every text, as a revoked token is: a text of another test
		// that the primary answered 201 meanwhile would rightly reopen it.
		TWILIO_A.stubFor(post(urlEqualTo(MESSAGES_A)).atPriority(1)
			.willReturn(aResponse().withStatus(401).withHeader("Content-Type", "application/json")
				.withBody("{\"code\":20003,\"message\":\"Authenticate\",\"status\":401}")));

		String first = publish(Channel.SMS, Map.of("to", refusedTo, "body", "one"),
				RecordKeys.forSms(this.tenant, refusedTo));

		// The account failure is not the message's attempt: its one attempt is the secondary's.
		assertThat(values(awaitStatus(first, "delivered"), "provider")).containsExactly("secondary");
		assertThat(this.smsProviders.states()).extracting(Failover.ProviderState::paused).containsExactly(true, false);
		assertThat(this.engines.of(Channel.SMS).gate().isPaused()).as("the channel keeps going").isFalse();

		String next = phoneNumber();
		String second = publish(Channel.SMS, Map.of("to", next, "body", "two"), RecordKeys.forSms(this.tenant, next));

		assertThat(values(awaitStatus(second, "delivered"), "provider")).containsExactly("secondary");
		assertThat(TWILIO_A.findAll(postRequestedFor(urlEqualTo(MESSAGES_A)).withFormParam("To", equalTo(next))))
			.as("nothing goes to the paused account").isEmpty();
	}

	@Test
	@Order(3)
	void emailGoesOutThroughTheSecondaryWhileThePrimaryIsStoppedAndBackThroughThePrimaryOnceItRecovers()
			throws Exception {
		List<String> sent = new ArrayList<>();
		List<String> before = emails(10);
		before.forEach((id) -> assertThat(values(awaitStatus(id, "delivered"), "provider")).containsExactly("primary"));
		sent.addAll(before);
		List<String> atPrimary = new ArrayList<>(received(primary, sent.size()));

		primary.stop();
		List<String> during = emails(10);
		for (String id : during) {
			List<String> providers = values(awaitStatus(id, "delivered"), "provider");
			assertThat(providers.get(providers.size() - 1)).isEqualTo("secondary");
		}
		sent.addAll(during);
		assertThat(breaker("primary")).isEqualTo("OPEN");
		assertThat(this.meters.get("resilience4j.circuitbreaker.state").tag("name", "email-primary")
			.tag("state", "open").gauge().value()).isEqualTo(1.0);

		primary = smtp(PRIMARY_PORT);
		primary.start();
		// Mail keeps flowing; once the breaker's wait is over, a half-open probe goes to the primary.
		await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> {
			String id = emails(1).get(0);
			sent.add(id);
			List<String> providers = values(awaitStatus(id, "delivered"), "provider");
			return providers.get(providers.size() - 1).equals("primary");
		});
		assertThat(breaker("primary")).isEqualTo("CLOSED");
		List<String> after = emails(5);
		after.forEach((id) -> assertThat(values(awaitStatus(id, "delivered"), "provider")).containsExactly("primary"));
		sent.addAll(after);

		// Every message arrived exactly once, across both servers.
		List<String> arrived = new ArrayList<>(atPrimary);
		arrived.addAll(received(primary, 0));
		arrived.addAll(received(SECONDARY, 0));
		List<String> ours = arrived.stream().filter(sent::contains).toList();
		assertThat(ours).hasSize(sent.size()).containsExactlyInAnyOrderElementsOf(sent);
		assertThat(received(SECONDARY, 0)).containsAll(during);
	}

	private String breaker(String provider) {
		return this.emailProviders.states().stream()
			.filter((state) -> state.name().equals(provider))
			.findFirst()
			.orElseThrow()
			.breaker();
	}

	private List<String> emails(int count) {
		List<String> ids = new ArrayList<>();
		for (int i = 0; i < count; i++) {
			String unique = Long.toHexString(System.nanoTime());
			ids.add(publish(Channel.EMAIL,
					Map.of("to", List.of("failover." + unique + "@example.com"), "subject", "Failover " + unique,
							"text", "body " + unique),
					null));
		}
		return ids;
	}

	/** The Relay ids of the messages {@code server} holds, once it holds at least {@code atLeast}. */
	private static List<String> received(GreenMail server, int atLeast) {
		Function<MimeMessage[], List<String>> ids = (messages) -> Arrays.stream(messages)
			.map((message) -> header(message, SmtpEmailSender.MESSAGE_ID_HEADER))
			.collect(Collectors.toList());
		return await().atMost(Duration.ofSeconds(10)).until(() -> ids.apply(server.getReceivedMessages()),
				(found) -> found.size() >= atLeast);
	}

	private static String header(MimeMessage message, String name) {
		try {
			return message.getHeader(name, null);
		}
		catch (jakarta.mail.MessagingException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private String publish(Channel channel, Map<String, Object> data, String key) {
		String id = RelayIds.next(IdKind.MESSAGE);
		CloudEvent event = CloudEvent.request(channel, id, "/tests", this.tenant, RelayJson.tree(data));
		ProducerRecord<String, byte[]> record = new ProducerRecord<>(channel.topic(), key == null ? id : key,
				CloudEventCodec.encode(event));
		record.headers().add(RelayKafkaHeaders.CONTENT_TYPE, RelayKafkaHeaders.CLOUDEVENTS_JSON.getBytes(StandardCharsets.UTF_8));
		this.kafka.send(record).join();
		return id;
	}

	private JsonNode awaitStatus(String id, String status) {
		return await().atMost(Duration.ofSeconds(30))
			.pollInterval(Duration.ofMillis(100))
			.until(() -> statusIfKnown(id), (json) -> json != null && status.equals(json.path("status").asString()));
	}

	private JsonNode statusIfKnown(String id) {
		var result = this.web.get()
			.uri("/internal/v1/messages/{id}", id)
			.header(RelayHttpHeaders.INTERNAL_TOKEN, "test-internal-token")
			.header(RelayHttpHeaders.TENANT_ID, this.tenant)
			.exchange()
			.returnResult(byte[].class);
		if (result.getStatus().value() == 404) {
			return null;
		}
		return RelayJson.mapper().readTree(result.getResponseBodyContent());
	}

	private static List<String> values(JsonNode status, String field) {
		return status.path("attempts").findValuesAsString(field);
	}

	private static String phoneNumber() {
		return "+49151" + (10_000_000 + ThreadLocalRandom.current().nextInt(89_999_999));
	}

	private static GreenMail smtp(int port) {
		return new GreenMail(new ServerSetup(port, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
	}

	private static void createDatabase() {
		try (java.sql.Connection db = java.sql.DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/postgres",
				"postgres", null); java.sql.Statement sql = db.createStatement()) {
			try (java.sql.ResultSet found = sql.executeQuery("select 1 from pg_database where datname = '" + DATABASE + "'")) {
				if (found.next()) {
					return;
				}
			}
			sql.execute("create database \"" + DATABASE + "\"");
		}
		catch (java.sql.SQLException ex) {
			throw new IllegalStateException("creating database " + DATABASE, ex);
		}
	}

	private static int freePort() {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	static {
		primary.start();
	}

}
