package com.cloudgreet.relay.notification;

import java.util.List;
import java.util.Map;

import com.cloudgreet.relay.common.Channel;
import com.cloudgreet.relay.common.kafka.RecordKeys;
import com.cloudgreet.relay.common.kafka.RelayKafkaHeaders;
import com.cloudgreet.relay.common.kafka.Topics;
import org.junit.jupiter.api.Test;

import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A producer writing straight to Kafka cannot send as a sender its tenant may not use: the record
 * is dead-lettered without a send, and the reason names the field but neither sender nor recipients.
 */
class SenderAllowlistIT extends NotificationIT {

	@Test
	void emailFromADisallowedSenderIsDeadLetteredUnsent() {
		allowSenders(List.of("cloudgreet.example"), List.of());
		String recipient = "victim." + Long.toHexString(System.nanoTime()) + "@example.com";
		String id = publishEmail(Map.of("to", List.of(recipient), "from", "Bank <security@bank.example>", "subject",
				"Verify", "text", "Click"));

		var dead = awaitDeadLetter(Topics.deadLetter(Topics.EMAIL), (record) -> text(record).contains(id));
		String reason = header(dead, RelayKafkaHeaders.DLT_REASON);
		assertThat(reason).contains("/data/from").doesNotContain(recipient).doesNotContain("bank.example");
		assertThat(awaitStatus(id, "dead_lettered").path("attempts")).isEmpty();
		assertThat(SMTP.getReceivedMessages()).noneMatch((message) -> {
			try {
				return message.getSubject().equals("Verify") && List.of(message.getAllRecipients())
					.stream()
					.anyMatch((address) -> address.toString().contains(recipient));
			}
			catch (jakarta.mail.MessagingException ex) {
				throw new IllegalStateException(ex);
			}
		});
	}

	@Test
	void smsFromASenderIdOfATenantWithoutAllowlistIsDeadLetteredUnsent() {
		String to = phoneNumber();
		String id = publish(Channel.SMS, Map.of("to", to, "from", "BANK", "body", "Your code"),
				RecordKeys.forSms(this.tenant, to));

		var dead = awaitDeadLetter(Topics.deadLetter(Topics.SMS), (record) -> text(record).contains(id));
		assertThat(header(dead, RelayKafkaHeaders.DLT_REASON)).contains("/data/from")
			.contains("no custom sender is allowed")
			.doesNotContain(to);
		awaitStatus(id, "dead_lettered");
		TWILIO.verify(0, postRequestedFor(urlEqualTo(TWILIO_MESSAGES)).withRequestBody(containing(to.substring(1))));
	}

	@Test
	void smsFromAnAllowedSenderIdIsSent() {
		allowSenders(List.of(), List.of("ACME"));
		String to = phoneNumber();
		TWILIO.stubFor(com.github.tomakehurst.wiremock.client.WireMock.post(urlEqualTo(TWILIO_MESSAGES))
			.withFormParam("To", com.github.tomakehurst.wiremock.client.WireMock.equalTo(to))
			.withFormParam("From", com.github.tomakehurst.wiremock.client.WireMock.equalTo("ACME"))
			.willReturn(com.github.tomakehurst.wiremock.client.WireMock.aResponse()
				.withStatus(201)
				.withHeader("Content-Type", "application/json")
				.withBody("{\"sid\":\"SM123\",\"status\":\"queued\"}")));
		String id = publish(Channel.SMS, Map.of("to", to, "from", "ACME", "body", "Your code"),
				RecordKeys.forSms(this.tenant, to));
		awaitStatus(id, "delivered");
	}

}
