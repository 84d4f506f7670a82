package com.cloudgreet.relay.system;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

import com.cloudgreet.relay.common.kafka.Topics;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

/**
 * The running system every system test shares, started once per test JVM: the three packaged
 * services as processes, one real Kafka broker (KRaft, in this JVM), the real Redis and
 * PostgreSQL, and a Twilio-style SMS provider on loopback. Each service connects to PostgreSQL as
 * its own role, created by the same bootstrap a deployment runs ({@code k8s/postgres/roles.sql}). Stopped when the JVM exits. A test may
 * kill a consumer service and {@link ServiceProcess#restart() restart} it; it is healthy again
 * when that test ends.
 */
final class RunningRelay {

	static final String ADMIN_TOKEN = "system-test-admin-token-of-32-characters";

	static final String DATABASE = System.getenv().getOrDefault("RELAY_SYSTEM_TEST_DATABASE", "relay_system_test");

	static final EmbeddedKafkaKraftBroker KAFKA = new EmbeddedKafkaKraftBroker(1, 3, Topics.EMAIL, Topics.SMS,
			Topics.WEBHOOK);

	/** The SMS provider notification-service sends to (Twilio's Messages API), recording every text. */
	static final RecordingReceiver SMS_PROVIDER = RecordingReceiver.twilio();

	static final ServiceProcess GATEWAY = new ServiceProcess("api-gateway");

	static final ServiceProcess NOTIFICATION = new ServiceProcess("notification-service");

	static final ServiceProcess WEBHOOK = new ServiceProcess("webhook-service");

	private static boolean started;

	/** base64 of "system-test-gateway-kafka-key-32". */
	private static final String GATEWAY_KAFKA_KEY = "c3lzdGVtLXRlc3QtZ2F0ZXdheS1rYWZrYS1rZXktMzI=";

	private RunningRelay() {
	}

	static synchronized void start() throws SQLException {
		if (started) {
			return;
		}
		started = true;
		KAFKA.afterPropertiesSet();
		recreateDatabase();
		createRoles();
		NOTIFICATION.start(with(with(consumer(), role("relay_notification")), notificationSettings()));
		WEBHOOK.start(with(with(consumer(), role("relay_webhook")), Map.of("relay.webhooks.allow-private-networks", "true",
				"relay.webhooks.retry-delays", "1s,1s", "relay.webhooks.secret-keys.st",
				"c3lzdGVtLXRlc3Qtd2ViaG9vay1zZWNyZXQta2V5MzI=", "relay.webhooks.secret-key-id", "st",
				// As for SMS: the lease outlasts the retry stages, and must exceed the timeout.
				"relay.webhooks.timeout", "4s", "relay.webhooks.dispatcher.lease", "8s")));
		GATEWAY.start(gatewaySettings());
		Runtime.getRuntime().addShutdownHook(new Thread(RunningRelay::stop, "stop-relay"));
		Stream.of(GATEWAY, NOTIFICATION, WEBHOOK).parallel().forEach(ServiceProcess::awaitHealthy);
	}

	/** What a gateway of this system is started with; another gateway may override some of it. */
	static Map<String, String> gatewaySettings() {
		// Every probe comes from 127.0.0.1: a large per-IP budget for failed attempts lets the
		// access-control table see what the access decision answers, not 429.
		return with(with(shared(), role("relay_gateway")), Map.of("relay.admin-token", ADMIN_TOKEN, "relay.gateway.services.notification-url",
				NOTIFICATION.url(), "relay.gateway.services.webhook-url", WEBHOOK.url(),
				"relay.gateway.rate-limit.ip.burst", "100000",
				// The browser reaches the console over plain HTTP on loopback, as in ./dev/up.
				"relay.console.secure-cookies", "false"));
	}

	/**
	 * SMS through the Twilio-style provider with one- and two-second retry stages (as in issue 9's
	 * crash measurement) and a rate that never holds a stream back. The lease outlasts both stages
	 * (jitter included), so an attempt spent on a killed instance's lease would end in a dead
	 * letter; it is still short enough for a takeover within seconds of the restart.
	 */
	private static Map<String, String> notificationSettings() {
		Map<String, String> settings = new HashMap<>(Map.of("relay.email.provider", "log", "relay.sms.provider",
				"twilio", "relay.sms.twilio.base-url", SMS_PROVIDER.url(), "relay.sms.twilio.account-sid",
				"ACsystemtest000000000000000000000", "relay.sms.twilio.auth-token", "system-test-auth-token",
				"relay.sms.twilio.from", "+15005550006", "relay.sms.retry-delays", "1s,2s"));
		// The limiter's bucket lives in the shared Redis: one of its own per test database.
		String bucket = ("sms-" + DATABASE.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]", "-"));
		settings.putAll(Map.of("relay.sms.rate-limit.name", bucket.substring(0, Math.min(32, bucket.length())),
				"relay.sms.rate-limit.per-second", "5000", "relay.sms.rate-limit.burst", "5000",
				"relay.delivery.lease", "8s"));
		return settings;
	}

	/**
	 * A consumer service: the broker notices a killed member within seconds (the broker's minimum
	 * session timeout), so its partitions go to the restarted instance without a long rebalance wait.
	 */
	private static Map<String, String> consumer() {
		return with(shared(), Map.of("spring.kafka.consumer.properties.session.timeout.ms", "6000",
				"spring.kafka.consumer.properties.heartbeat.interval.ms", "1000"));
	}

	static Map<String, String> with(Map<String, String> shared, Map<String, String> own) {
		Map<String, String> all = new HashMap<>(shared);
		all.putAll(own);
		return all;
	}

	private static Map<String, String> shared() {
		return Map.of("spring.kafka.bootstrap-servers", KAFKA.getBrokersAsString(), "spring.r2dbc.url",
				"r2dbc:postgresql://127.0.0.1:5432/" + DATABASE, "spring.flyway.url",
				"jdbc:postgresql://127.0.0.1:5432/" + DATABASE, "relay.internal-token", "system-test-internal-token",
				// One broker, whose request topics have 3 partitions.
				"relay.kafka.topics.partitions", "3", "relay.kafka.topics.replication-factor", "1",
				"relay.kafka.topics.min-insync-replicas", "1",
				// The gateway signs with the key the consumers accept for producer "gateway"; records the
				// tests produce themselves are unsigned, allowed for every tenant as in ./dev/up.
				"relay.kafka.producer.key", GATEWAY_KAFKA_KEY, "relay.kafka.producers.gateway.key", GATEWAY_KAFKA_KEY,
				"relay.kafka.anonymous-tenants", "*");
	}

	/** The database user (application and migrations) of a service: its own role from roles.sql. */
	private static Map<String, String> role(String role) {
		return Map.of("spring.r2dbc.username", role, "spring.r2dbc.password", password(role), "spring.flyway.user", role,
				"spring.flyway.password", password(role));
	}

	private static String password(String role) {
		return "system-test-" + role;
	}

	/** Runs the roles bootstrap with psql, as ./dev/up does, its passwords in the environment. */
	private static void createRoles() {
		Path script = ServiceProcess.ROOT.resolve("k8s/postgres/roles.sql");
		ProcessBuilder psql = new ProcessBuilder("psql", "-h", "127.0.0.1", "-U", "postgres", "-d", DATABASE, "-q", "-f",
				script.toString()).redirectErrorStream(true);
		psql.environment().putAll(Map.of("RELAY_GATEWAY_DB_PASSWORD", password("relay_gateway"),
				"RELAY_NOTIFICATION_DB_PASSWORD", password("relay_notification"), "RELAY_WEBHOOK_DB_PASSWORD",
				password("relay_webhook"), "PGOPTIONS", "-c client_min_messages=warning"));
		try {
			Process process = psql.start();
			String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
			if (process.waitFor() != 0) {
				throw new IllegalStateException("psql -f " + script + " failed:\n" + output);
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	private static void stop() {
		Stream.of(GATEWAY, NOTIFICATION, WEBHOOK).parallel().forEach(ServiceProcess::stop);
		KAFKA.destroy();
		SMS_PROVIDER.close();
	}

	private static void recreateDatabase() throws SQLException {
		try (Connection connection = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/postgres", "postgres",
				"")) {
			connection.createStatement().execute("drop database if exists " + DATABASE + " with (force)");
			connection.createStatement().execute("create database " + DATABASE);
		}
	}

}
