package com.cloudgreet.relay.notification.email;

import java.util.List;
import java.util.Map;

import com.cloudgreet.relay.notification.NotificationIT;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.mail.javamail.JavaMailSenderImpl;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The whole path, from a Kafka record to the status API, with an SMTP server that refuses one
 * recipient of three: the message is delivered to the other two, once, and the attempt shows each
 * recipient's answer. The service's mail settings point at that server for this test only.
 */
class PartialDeliveryIT extends NotificationIT {

	@Autowired
	private JavaMailSenderImpl mail;

	@Autowired
	private SmtpConnections connections;

	private RejectingSmtpServer server;

	private int port;

	@BeforeEach
	void pointTheServiceAtARefusingServer() throws Exception {
		this.server = new RejectingSmtpServer((address) -> address.contains("gone.")
				? "550 5.1.1 " + address + ": Recipient address rejected: User unknown" : null);
		this.port = this.mail.getPort();
		this.mail.setPort(this.server.port());
		// Idle connections to the usual server would carry the message there.
		this.connections.close();
	}

	@AfterEach
	void pointItBack() throws Exception {
		this.mail.setPort(this.port);
		this.connections.close();
		this.server.close();
	}

	@Test
	void deliversToTheRecipientsTheServerTookAndShowsEachRecipientsAnswer() {
		String unique = Long.toHexString(System.nanoTime());
		String ada = "ada." + unique + "@example.com";
		String gone = "gone." + unique + "@example.com";
		String cc = "cc." + unique + "@example.com";

		String id = publishEmail(Map.of("to", List.of(ada, gone), "cc", List.of(cc), "subject", "Hi", "text", "Hello"));

		JsonNode status = awaitStatus(id, "delivered");
		assertThat(status.path("attempts")).hasSize(1);
		JsonNode attempt = status.path("attempts").get(0);
		assertThat(attempt.path("outcome").asString()).isEqualTo("delivered");
		assertThat(attempt.path("detail").asString()).contains("accepted for 2 of 3 recipients")
			.doesNotContain(gone);
		JsonNode recipients = attempt.path("recipients");
		assertThat(recipients).hasSize(3);
		assertThat(recipients.findValuesAsString("address")).containsExactly(ada, gone, cc);
		assertThat(recipients.findValuesAsString("outcome")).containsExactly("accepted", "refused", "accepted");
		assertThat(recipients.get(1).path("code").asString()).isEqualTo("550");
		assertThat(recipients.get(1).path("detail").asString()).contains("Recipient address rejected")
			.doesNotContain(gone);
		assertThat(this.server.messages()).as("one message, for the accepted recipients").isEqualTo(1);
	}

}
