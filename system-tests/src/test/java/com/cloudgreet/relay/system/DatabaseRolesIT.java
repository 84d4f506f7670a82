package com.cloudgreet.relay.system;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.UUID;
import java.util.stream.Stream;

import com.cloudgreet.relay.common.json.RelayJson;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Each service reaches PostgreSQL as its own role and sees only its own schema (issue 18, item 5):
 * the consumers cannot read the gateway's trust stores (API key hashes), nor each other's data
 * (webhook signing secrets), and nobody writes to another's tables. The one exception is the
 * gateway's read-only view of the sender allowlists, which notification-service checks. Asked with
 * plain JDBC as the very user each running service was started with.
 */
class DatabaseRolesIT {

	/** PostgreSQL's insufficient_privilege. */
	private static final String DENIED = "42501";

	private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	@BeforeAll
	static void startRelay() throws Exception {
		RunningRelay.start();
	}

	@ParameterizedTest(name = "{0}: {1} -> {2}")
	@CsvSource(delimiter = '|', textBlock = """
			notification-service | select key_hash from gateway.api_key limit 1                    | denied
			notification-service | select name from gateway.tenant limit 1                        | denied
			notification-service | select id, email_senders, sms_senders from gateway.tenant_senders limit 1 | allowed
			notification-service | delete from gateway.tenant_senders where false                 | denied
			notification-service | update gateway.tenant set email_senders = '{}' where false     | denied
			notification-service | select secret from webhook.endpoint limit 1                    | denied
			notification-service | select id from notification.message limit 1                   | allowed
			webhook-service      | select key_hash from gateway.api_key limit 1                    | denied
			webhook-service      | select id from gateway.tenant_senders limit 1                   | denied
			webhook-service      | select id from notification.message limit 1                   | denied
			webhook-service      | select secret from webhook.endpoint limit 1                    | allowed
			api-gateway          | select secret from webhook.endpoint limit 1                    | denied
			api-gateway          | select id from notification.message limit 1                   | denied
			api-gateway          | select key_hash from gateway.api_key limit 1                    | allowed
			api-gateway          | create table public.intruder (id int)                         | denied
			notification-service | create schema intruder                                        | denied
			""")
	void eachServiceReachesOnlyItsOwnSchema(String service, String statement, String expected) throws SQLException {
		try (Connection connection = connectAs(process(service))) {
			if (expected.equals("allowed")) {
				assertThatCode(() -> connection.createStatement().execute(statement)).doesNotThrowAnyException();
			}
			else {
				assertThatExceptionOfType(SQLException.class).as("%s as %s", statement, user(process(service)))
					.isThrownBy(() -> connection.createStatement().execute(statement))
					.satisfies((refused) -> assertThat(refused.getSQLState()).as(refused.getMessage()).isEqualTo(DENIED));
			}
		}
	}

	@Test
	void servicesRunAsThreeDifferentRolesNoneASuperuser() throws SQLException {
		assertThat(Stream.of(RunningRelay.GATEWAY, RunningRelay.NOTIFICATION, RunningRelay.WEBHOOK)
			.map(DatabaseRolesIT::user)
			.distinct()).hasSize(3);
		for (ServiceProcess service : new ServiceProcess[] { RunningRelay.GATEWAY, RunningRelay.NOTIFICATION,
				RunningRelay.WEBHOOK }) {
			try (Connection connection = connectAs(service)) {
				var result = connection.createStatement()
					.executeQuery("select rolsuper from pg_roles where rolname = current_user");
				assertThat(result.next()).isTrue();
				assertThat(result.getBoolean(1)).as(user(service)).isFalse();
			}
		}
	}

	/** notification-service checks a custom sender through the view, as its own role, and delivers. */
	@Test
	void emailFromAnAllowedSenderIsDeliveredThroughTheSendersView() throws Exception {
		HttpResponse<String> tenant = send(HttpRequest.newBuilder(URI.create(RunningRelay.GATEWAY.url() + "/admin/v1/tenants"))
			.header("Authorization", "Bearer " + RunningRelay.ADMIN_TOKEN)
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"roles-" + UUID.randomUUID()
					+ "\",\"senders\":{\"email\":[\"example.com\"],\"sms\":[]}}")));
		assertThat(tenant.statusCode()).as(tenant.body()).isEqualTo(201);
		String key = json(tenant).get("apiKey").asString();

		HttpResponse<String> accepted = send(HttpRequest.newBuilder(URI.create(RunningRelay.GATEWAY.url() + "/v1/messages/email"))
			.header("Authorization", "Bearer " + key)
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString("{\"from\":\"news@example.com\",\"to\":[\"jane@example.org\"],"
					+ "\"subject\":\"Hello\",\"text\":\"Hi\"}")));
		assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
		String id = json(accepted).get("id").asString();

		await("message " + id + " delivered").atMost(Duration.ofSeconds(60))
			.pollInterval(Duration.ofMillis(250))
			.until(() -> {
				HttpResponse<String> status = send(HttpRequest.newBuilder(URI.create(RunningRelay.GATEWAY.url() + "/v1/messages/" + id))
					.header("Authorization", "Bearer " + key)
					.GET());
				return status.statusCode() == 200 && "delivered".equals(json(status).get("status").asString());
			});
	}

	private static ServiceProcess process(String service) {
		return Stream.of(RunningRelay.GATEWAY, RunningRelay.NOTIFICATION, RunningRelay.WEBHOOK)
			.filter((process) -> process.name().equals(service))
			.findFirst()
			.orElseThrow();
	}

	/** The user the service's R2DBC pool connects as; postgres is the default in its application.yml. */
	private static String user(ServiceProcess service) {
		return service.setting("spring.r2dbc.username", "postgres");
	}

	private static Connection connectAs(ServiceProcess service) throws SQLException {
		return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/" + RunningRelay.DATABASE, user(service),
				service.setting("spring.r2dbc.password", ""));
	}

	private static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
		return HTTP.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
	}

	private static JsonNode json(HttpResponse<String> response) {
		return RelayJson.mapper().readTree(response.body());
	}

}
