package com.cloudgreet.relay.notification;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import com.cloudgreet.relay.notification.email.SmtpEmailSender;
import jakarta.mail.Message;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class EmailDeliveryIT extends NotificationIT {

	@Test
	void deliversEmailWithEveryFieldIntact() throws Exception {
		String unique = Long.toHexString(System.nanoTime());
		Map<String, Object> data = Map.of("to", List.of("Ada <ada." + unique + "@example.com>"),
				"cc", List.of("cc." + unique + "@example.com"), "bcc", List.of("bcc." + unique + "@example.com"),
				"from", "Billing <billing@cloudgreet.example>", "replyTo", "support@cloudgreet.example",
				"subject", "Invoice " + unique + " – ünïcode", "text", "Plain body " + unique,
				"html", "<p>HTML body " + unique + "</p>");
		allowSenders(List.of("cloudgreet.example"), List.of());

		String id = publishEmail(data);

		JsonNode status = awaitStatus(id, "delivered");
		assertThat(status.path("channel").asString()).isEqualTo("email");
		assertThat(status.path("attempts")).hasSize(1);
		assertThat(status.path("attempts").get(0).path("outcome").asString()).isEqualTo("delivered");
		assertThat(status.path("attempts").get(0).path("number").asInt()).isEqualTo(1);

		// GreenMail keeps one copy per envelope recipient: to, cc and bcc.
		List<MimeMessage> copies = await().until(() -> Arrays.stream(SMTP.getReceivedMessages())
			.filter((message) -> id.equals(header(message, SmtpEmailSender.MESSAGE_ID_HEADER)))
			.toList(), (found) -> found.size() == 3);
		MimeMessage mail = copies.get(0);
		assertThat(mail.getSubject()).isEqualTo("Invoice " + unique + " – ünïcode");
		assertThat(((InternetAddress) mail.getFrom()[0]).getAddress()).isEqualTo("billing@cloudgreet.example");
		assertThat(((InternetAddress) mail.getReplyTo()[0]).getAddress()).isEqualTo("support@cloudgreet.example");
		assertThat(((InternetAddress) mail.getRecipients(Message.RecipientType.TO)[0]).getAddress())
			.isEqualTo("ada." + unique + "@example.com");
		assertThat(((InternetAddress) mail.getRecipients(Message.RecipientType.CC)[0]).getAddress())
			.isEqualTo("cc." + unique + "@example.com");
		assertThat(mail.getRecipients(Message.RecipientType.BCC)).as("Bcc never travels in headers").isNull();
		assertThat(mail.getMessageID()).startsWith("<" + id + "@");
		assertThat(mail.getContentType()).startsWith("multipart/alternative");
		MimeMultipart parts = (MimeMultipart) mail.getContent();
		assertThat(parts.getCount()).isEqualTo(2);
		assertThat(parts.getBodyPart(0).getContentType()).startsWith("text/plain");
		assertThat((String) parts.getBodyPart(0).getContent()).isEqualTo("Plain body " + unique);
		assertThat(parts.getBodyPart(1).getContentType()).startsWith("text/html");
		assertThat((String) parts.getBodyPart(1).getContent()).isEqualTo("<p>HTML body " + unique + "</p>");
		assertThat(status.path("attempts").get(0).path("providerCode").asString()).isEqualTo("250");
	}

	private static String header(MimeMessage message, String name) {
		try {
			String[] values = message.getHeader(name);
			return values == null ? null : values[0];
		}
		catch (jakarta.mail.MessagingException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
