package com.cloudgreet.relay.notification;

import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.cloudgreet.relay.notification.consume.SmsRequestListener;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.listener.MessageListenerContainer;

import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * PostgreSQL stops answering intake for longer than the consumer's {@code max.poll.interval.ms}
 * (15 s in the test profile, 5 min by default): the message table is locked, so every insert
 * waits. The listener gives up its batch after {@code relay.kafka.intake.wait-in-place} (3 s here),
 * and the container pauses the consumer and keeps polling it while it offers the batch again, so
 * the consumer keeps its partitions (no rebalance) and, once the table is free, every record is
 * stored and sent once. A listener that waited in place would be evicted after 15 s and rejoin.
 */
class IntakeOutageIT extends NotificationIT {

	private static final Duration OUTAGE = Duration.ofSeconds(25);

	@Autowired
	private KafkaListenerEndpointRegistry listeners;

	@Value("${spring.flyway.url}")
	private String jdbcUrl;

	@Test
	void anOutageLongerThanThePollIntervalPausesTheListenerWithoutARebalanceAndLosesNothing() throws Exception {
		MessageListenerContainer container = this.listeners.getListenerContainer(SmsRequestListener.ID);
		awaitStatus(publishSms(phoneNumber(), "before the outage"), "delivered");
		double rebalancesBefore = rebalances(container);

		List<String> numbers = new ArrayList<>();
		List<String> ids = new ArrayList<>();
		try (Connection lock = DriverManager.getConnection(this.jdbcUrl, "postgres", null)) {
			lock.setAutoCommit(false);
			lock.createStatement().execute("lock table notification.message in access exclusive mode");
			for (int i = 0; i < 20; i++) {
				String to = phoneNumber();
				numbers.add(to);
				ids.add(publishSms(to, "during the outage"));
			}
			// Longer than max.poll.interval.ms: a consumer blocked in place is evicted by now.
			await().during(OUTAGE)
				.atMost(OUTAGE.plusSeconds(5))
				.until(() -> rebalances(container) == rebalancesBefore && container.isRunning());
			lock.rollback();
		}

		for (String id : ids) {
			awaitStatus(id, "delivered");
		}
		for (String to : numbers) {
			TWILIO.verify(1, postRequestedFor(urlEqualTo(TWILIO_MESSAGES)).withRequestBody(containing(
					"To=" + java.net.URLEncoder.encode(to, java.nio.charset.StandardCharsets.UTF_8))));
		}
		assertThat(rebalances(container)).as("rebalances of the SMS consumer").isEqualTo(rebalancesBefore);
	}

	/** The consumer's own count of the rebalances it took part in (the group's coordinator metrics). */
	private static double rebalances(MessageListenerContainer container) {
		double total = 0;
		for (Map<MetricName, ? extends Metric> metrics : container.metrics().values()) {
			for (var metric : metrics.entrySet()) {
				if (metric.getKey().name().equals("rebalance-total")) {
					total += ((Number) metric.getValue().metricValue()).doubleValue();
				}
			}
		}
		return total;
	}

}
