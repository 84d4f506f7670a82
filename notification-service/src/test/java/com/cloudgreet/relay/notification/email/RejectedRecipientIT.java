package com.cloudgreet.relay.notification.email;

import java.time.Duration;
import java.util.List;

import com.cloudgreet.relay.common.message.EmailMessage;
import com.cloudgreet.relay.notification.config.NotificationProperties;
import com.cloudgreet.relay.delivery.Outcome;
import com.cloudgreet.relay.delivery.RecipientOutcome;
import org.junit.jupiter.api.Test;
import reactor.core.scheduler.Schedulers;

import org.springframework.mail.javamail.JavaMailSenderImpl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/**
 * Recipients refused by a real SMTP conversation: the reply echoes the address, and what Relay
 * keeps of it (the attempt detail, from which the DLT reason, log lines and alerts are made) masks
 * it. With {@code sendpartial}, a message some recipients took is delivered, and each recipient's
 * answer travels with the outcome.
 */
class RejectedRecipientIT {

	@Test
	void refusedRecipientIsAPermanentFailureThatDoesNotRepeatTheAddress() throws Exception {
		try (RejectingSmtpServer server = new RejectingSmtpServer()) {
			EmailMessage message = new EmailMessage(List.of("jane.doe@example.com"), null, null, null, null, "Hi",
					"Hello", null, null);

			Outcome outcome = sender(server).send("msg_rejected", message).block(Duration.ofSeconds(10));

			assertThat(outcome).isInstanceOf(Outcome.Permanent.class);
			assertThat(outcome.providerCode()).isEqualTo("550");
			assertThat(outcome.detail()).contains("Recipient address rejected", "[redacted-email]")
				.doesNotContain("jane", "example.com");
			assertThat(outcome.recipients()).extracting(RecipientOutcome::address, RecipientOutcome::outcome,
					RecipientOutcome::code)
				.containsExactly(tuple("jane.doe@example.com", "refused", "550"));
			assertThat(server.messages()).isZero();
		}
	}

	@Test
	void messageAcceptedForSomeRecipientsIsDeliveredWithEachRecipientsAnswer() throws Exception {
		try (RejectingSmtpServer server = new RejectingSmtpServer(
				(address) -> address.contains("gone") ? "550 5.1.1 " + address + ": Recipient address rejected" : null)) {
			EmailMessage message = new EmailMessage(List.of("ada@example.com", "gone@example.com"),
					List.of("cc@example.com"), null, null, null, "Hi", "Hello", null, null);

			Outcome outcome = sender(server).send("msg_partial", message).block(Duration.ofSeconds(10));

			assertThat(outcome).isInstanceOf(Outcome.Delivered.class);
			assertThat(((Outcome.Delivered) outcome).providerMessageId()).startsWith("<msg_partial@");
			assertThat(outcome.detail()).contains("2 of 3").doesNotContain("gone@");
			assertThat(outcome.recipients())
				.extracting(RecipientOutcome::address, RecipientOutcome::outcome, RecipientOutcome::code)
				.containsExactly(tuple("ada@example.com", "accepted", null), tuple("gone@example.com", "refused", "550"),
						tuple("cc@example.com", "accepted", null));
			assertThat(outcome.recipients().get(1).detail()).contains("Recipient address rejected")
				.doesNotContain("gone@");
			assertThat(server.messages()).as("sent once, for the accepted recipients").isEqualTo(1);
		}
	}

	@Test
	void everyRecipientRefusedWithOneTemporaryRefusalIsWorthRetrying() throws Exception {
		try (RejectingSmtpServer server = new RejectingSmtpServer((address) -> address.contains("busy")
				? "452 4.2.2 " + address + ": Mailbox full" : "550 5.1.1 " + address + ": User unknown")) {
			EmailMessage message = new EmailMessage(List.of("gone@example.com", "busy@example.com"), null, null, null,
					null, "Hi", "Hello", null, null);

			Outcome outcome = sender(server).send("msg_busy", message).block(Duration.ofSeconds(10));

			assertThat(outcome).isInstanceOf(Outcome.Retryable.class);
			assertThat(outcome.providerCode()).isEqualTo("452");
			assertThat(outcome.recipients()).extracting(RecipientOutcome::outcome, RecipientOutcome::code)
				.containsExactly(tuple("refused", "550"), tuple("refused", "452"));
			assertThat(server.messages()).isZero();
		}
	}

	@Test
	void messageAcceptedForEveryRecipientListsThemAllAsAccepted() throws Exception {
		try (RejectingSmtpServer server = new RejectingSmtpServer((address) -> null)) {
			EmailMessage message = new EmailMessage(List.of("ada@example.com"), null, List.of("bcc@example.com"),
					null, null, "Hi", "Hello", null, null);

			Outcome outcome = sender(server).send("msg_all", message).block(Duration.ofSeconds(10));

			assertThat(outcome).isInstanceOf(Outcome.Delivered.class);
			assertThat(outcome.recipients()).extracting(RecipientOutcome::address, RecipientOutcome::outcome)
				.containsExactly(tuple("ada@example.com", "accepted"), tuple("bcc@example.com", "accepted"));
		}
	}

	private static SmtpEmailSender sender(RejectingSmtpServer server) {
		JavaMailSenderImpl mail = new JavaMailSenderImpl();
		mail.setHost("127.0.0.1");
		mail.setPort(server.port());
		var smtp = new NotificationProperties.Smtp(1, Duration.ofSeconds(2), Duration.ofSeconds(2),
				Duration.ofSeconds(2), Duration.ofSeconds(30));
		var settings = new NotificationProperties.Email(NotificationProperties.EmailProvider.SMTP,
				List.of(Duration.ofSeconds(1)), "Relay <no-reply@relay.test>", smtp, List.of());
		return new SmtpEmailSender(mail, new SmtpConnections(mail, 1, Duration.ofSeconds(30)),
				Schedulers.boundedElastic(), settings);
	}

}
