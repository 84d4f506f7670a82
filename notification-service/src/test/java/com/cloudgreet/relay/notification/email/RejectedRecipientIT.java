package com.cloudgreet.relay.notification.email;

import java.time.Duration;
import java.util.List;

import com.cloudgreet.relay.common.message.EmailMessage;
import com.cloudgreet.relay.notification.config.NotificationProperties;
import com.cloudgreet.relay.delivery.Outcome;
import org.junit.jupiter.api.Test;
import reactor.core.scheduler.Schedulers;

import org.springframework.mail.javamail.JavaMailSenderImpl;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A recipient refused by a real SMTP conversation: the reply echoes the address, and what Relay
 * keeps of it (the attempt detail, from which the DLT reason, log lines and alerts are made) masks it.
 */
class RejectedRecipientIT {

	@Test
	void refusedRecipientIsAPermanentFailureThatDoesNotRepeatTheAddress() throws Exception {
		try (RejectingSmtpServer server = new RejectingSmtpServer()) {
			JavaMailSenderImpl mail = new JavaMailSenderImpl();
			mail.setHost("127.0.0.1");
			mail.setPort(server.port());
			var smtp = new NotificationProperties.Smtp(1, Duration.ofSeconds(2), Duration.ofSeconds(2),
					Duration.ofSeconds(2), Duration.ofSeconds(30));
			var settings = new NotificationProperties.Email(NotificationProperties.EmailProvider.SMTP,
					List.of(Duration.ofSeconds(1)), "Relay <no-reply@relay.test>", smtp);
			SmtpEmailSender sender = new SmtpEmailSender(mail, new SmtpConnections(mail, 1, Duration.ofSeconds(30)),
					Schedulers.boundedElastic(), settings);
			EmailMessage message = new EmailMessage(List.of("jane.doe@example.com"), null, null, null, null, "Hi",
					"Hello", null, null);

			Outcome outcome = sender.send("msg_rejected", message).block(Duration.ofSeconds(10));

			assertThat(outcome).isInstanceOf(Outcome.Permanent.class);
			assertThat(outcome.providerCode()).isEqualTo("550");
			assertThat(outcome.detail()).contains("Recipient address rejected", "[redacted-email]")
				.doesNotContain("jane", "example.com");
		}
	}

}
