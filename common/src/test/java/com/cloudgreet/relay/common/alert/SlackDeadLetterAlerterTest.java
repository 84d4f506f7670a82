package com.cloudgreet.relay.common.alert;

import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import com.cloudgreet.relay.common.Channel;
import com.cloudgreet.relay.common.json.RelayJson;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class SlackDeadLetterAlerterTest {

	private final List<String> received = new CopyOnWriteArrayList<>();

	private HttpServer slack;

	private SlackDeadLetterAlerter alerter;

	@BeforeEach
	void startSlack() throws Exception {
		this.slack = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
		this.slack.createContext("/services/T000/B000/secret", (exchange) -> {
			this.received.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
			exchange.sendResponseHeaders(200, -1);
			exchange.close();
		});
		this.slack.start();
		URI url = URI.create("http://127.0.0.1:" + this.slack.getAddress().getPort() + "/services/T000/B000/secret");
		this.alerter = new SlackDeadLetterAlerter(url, Duration.ofMillis(500));
	}

	@AfterEach
	void stop() {
		this.alerter.close();
		this.slack.stop(0);
	}

	@Test
	void firstDeadLetterIsReportedAtOnceWithItsDetails() {
		this.alerter.deadLettered(Channel.SMS, "msg_1", "ten_1", "provider kept answering 503");
		await().atMost(Duration.ofSeconds(5)).until(() -> this.received.size() == 1);
		assertThat(this.received.get(0)).contains("msg_1", "ten_1", "sms", "provider kept answering 503");
	}

	@Test
	void escapesSlackMarkupSoAnEchoedReasonCannotMentionOrLink() {
		this.alerter.deadLettered(Channel.EMAIL, "msg_<2>", "ten_&1",
				"550 <!channel> <https://evil.example|click> & more");
		await().atMost(Duration.ofSeconds(5)).until(() -> this.received.size() == 1);
		String text = RelayJson.mapper().readTree(this.received.get(0)).path("text").asString();
		assertThat(text).contains("&lt;!channel&gt;", "&lt;https://evil.example|click&gt; &amp; more", "`msg_&lt;2&gt;`",
				"`ten_&amp;1`")
			.doesNotContain("<", ">");
	}

	@Test
	void masksRecipientsInTheReason() {
		this.alerter.deadLettered(Channel.EMAIL, "msg_1", "ten_1",
				"permanent failure: 550 550 5.1.1 <jane@example.com>: Recipient address rejected");
		await().atMost(Duration.ofSeconds(5)).until(() -> this.received.size() == 1);
		String text = RelayJson.mapper().readTree(this.received.get(0)).path("text").asString();
		assertThat(text).doesNotContain("jane", "example.com")
			.contains("&lt;[redacted-email]&gt;: Recipient address rejected");
	}

	@Test
	void stormWithinOneWindowBecomesOneSummary() {
		for (int i = 0; i < 100; i++) {
			this.alerter.deadLettered(i % 2 == 0 ? Channel.EMAIL : Channel.WEBHOOK, "msg_" + i, "ten_1", "boom");
		}
		await().atMost(Duration.ofSeconds(5)).until(() -> this.received.size() == 2);
		assertThat(this.received.get(1)).contains("99 more", "49 email", "50 webhook");
		await().during(Duration.ofMillis(700)).atMost(Duration.ofSeconds(2)).until(() -> this.received.size() == 2);
	}

}
