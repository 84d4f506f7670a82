package com.cloudgreet.relay.notification;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import com.cloudgreet.relay.common.Channel;
import com.cloudgreet.relay.delivery.DeliveryEngine;
import com.cloudgreet.relay.notification.delivery.Engines;
import com.cloudgreet.relay.notification.delivery.MessageJob;
import com.cloudgreet.relay.notification.delivery.MessageStore;
import io.r2dbc.postgresql.PostgresqlConnectionConfiguration;
import io.r2dbc.postgresql.PostgresqlConnectionFactory;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.r2dbc.core.DatabaseClient;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * PostgreSQL goes away for several seconds in the middle of a stream. The engine under test
 * reaches the database through a proxy the test cuts (the machine's PostgreSQL is shared, so it
 * is not stopped); the service's own SMS engine is stopped meanwhile. Sends in flight when the
 * database went away record their answer once it is back, claims simply wait: no retry stage is
 * spent, nothing is dead-lettered, every message is delivered afterwards, and none is sent twice.
 */
class DatabaseOutageIT extends NotificationIT {

	@Autowired
	private Engines engines;

	@Autowired
	private SecondEngine second;

	@Autowired
	private RecordingAlerter alerter;

	@Value("${spring.r2dbc.url}")
	private String r2dbcUrl;

	@Test
	void waitsOutADatabaseOutageWithoutSpendingRetriesAndDeliversEverythingOnce() throws Exception {
		DeliveryEngine<MessageJob> service = this.engines.of(Channel.SMS);
		service.stop();
		try (TcpProxy proxy = new TcpProxy("127.0.0.1", 5432)) {
			String database = URI.create(this.r2dbcUrl.substring("r2dbc:".length())).getPath().substring(1);
			PostgresqlConnectionFactory viaProxy = new PostgresqlConnectionFactory(PostgresqlConnectionConfiguration
				.builder()
				.host("127.0.0.1")
				.port(proxy.port())
				.database(database)
				.username("postgres")
				.schema("notification")
				.connectTimeout(Duration.ofSeconds(2))
				.build());
			DeliveryEngine<MessageJob> engine = this.second.sms(new MessageStore(DatabaseClient.create(viaProxy)),
					"outage-" + UUID.randomUUID());
			engine.start();
			try {
				List<String> numbers = new ArrayList<>();
				List<String> ids = new ArrayList<>();
				for (int i = 0; i < 40; i++) {
					String to = phoneNumber();
					numbers.add(to);
					TWILIO.stubFor(post(urlEqualTo(TWILIO_MESSAGES)).withFormParam("To", equalTo(to))
						.willReturn(okJson("{\"sid\":\"SM" + i + "\"}").withStatus(201).withFixedDelay(i < 20 ? 50 : 800)));
				}
				for (int i = 0; i < 30; i++) {
					ids.add(publishSms(numbers.get(i), "before and during the outage"));
				}
				await().atMost(Duration.ofSeconds(20)).until(() -> count(ids, "status = 'delivered'") >= 5);

				proxy.cut();
				// Records keep arriving while the database is away from the engine.
				for (int i = 30; i < 40; i++) {
					ids.add(publishSms(numbers.get(i), "during the outage"));
				}
				await().during(Duration.ofSeconds(6)).atMost(Duration.ofSeconds(8))
					.untilAsserted(() -> assertThat(count(ids, "retries_used > 0 or status in ('dead_lettered', 'failed')"))
						.as("messages that spent a retry stage or failed during the outage").isZero());
				proxy.restore();

				await().atMost(Duration.ofSeconds(30)).until(() -> count(ids, "status = 'delivered'") == ids.size());
				assertThat(count(ids, "retries_used > 0")).as("retry stages spent").isZero();
				for (String id : ids) {
					assertThat(status(id).path("attempts").findValuesAsString("outcome")).containsExactly("delivered");
				}
				for (String to : numbers) {
					TWILIO.verify(1, postRequestedFor(urlEqualTo(TWILIO_MESSAGES)).withFormParam("To", equalTo(to)));
				}
				assertThat(this.alerter.alerts()).noneMatch((alert) -> ids.contains(alert.messageId()));
			}
			finally {
				engine.stop();
			}
		}
		finally {
			service.start();
		}
	}

	private long count(List<String> ids, String condition) {
		return this.db.sql("select count(*) from message where id = any(cast(:ids as text[])) and (" + condition + ")")
			.bind("ids", ids.toArray(String[]::new))
			.map((row) -> row.get(0, Long.class))
			.one()
			.block(Duration.ofSeconds(10));
	}

}
