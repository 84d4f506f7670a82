package com.cloudgreet.relay.notification;

import java.time.Duration;
import java.util.List;

import com.cloudgreet.relay.common.message.EmailMessage;
import com.cloudgreet.relay.delivery.Outcome;
import com.cloudgreet.relay.notification.config.NotificationProperties;
import com.cloudgreet.relay.notification.email.SmtpConnections;
import com.cloudgreet.relay.notification.email.SmtpEmailSender;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import org.junit.jupiter.api.Test;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

import org.springframework.mail.javamail.JavaMailSenderImpl;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Emails share SMTP connections instead of opening one each; a connection the server (here: the
 * network) dropped between messages is replaced without costing a message an attempt. Counted at
 * a TCP proxy in front of a real SMTP server (GreenMail).
 */
class SmtpConnectionReuseIT {

	@Test
	void sendsManyMessagesOverOneConnectionAndReplacesADroppedOne() throws Exception {
		GreenMail smtp = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
		smtp.start();
		Scheduler thread = Schedulers.newSingle("smtp-test");
		try (TcpProxy proxy = new TcpProxy("127.0.0.1", smtp.getSmtp().getPort())) {
			JavaMailSenderImpl mail = mail(proxy.port());
			SmtpConnections pooled = new SmtpConnections(mail, 1, Duration.ofSeconds(30));
			var settings = new NotificationProperties.Email(NotificationProperties.EmailProvider.SMTP,
					List.of(Duration.ofSeconds(1)), "Relay <no-reply@relay.test>",
					new NotificationProperties.Smtp(1, Duration.ofSeconds(2), Duration.ofSeconds(2), Duration.ofSeconds(2),
							Duration.ofSeconds(30)), List.of());
			SmtpEmailSender sender = new SmtpEmailSender(mail, pooled, thread, settings);

			for (int i = 0; i < 10; i++) {
				assertThat(send(sender, i)).isInstanceOf(Outcome.Delivered.class);
			}
			assertThat(proxy.accepted()).as("connections for 10 emails").isEqualTo(1);

			proxy.cut();
			proxy.restore();
			assertThat(send(sender, 10)).as("after the connection was dropped").isInstanceOf(Outcome.Delivered.class);
			assertThat(proxy.accepted()).isEqualTo(2);
			assertThat(smtp.getReceivedMessages()).hasSize(11);
			pooled.close();
		}
		finally {
			thread.dispose();
			smtp.stop();
		}
	}

	private static Outcome send(SmtpEmailSender sender, int n) {
		return sender.send("msg_reuse_" + n, new EmailMessage(List.of("reader" + n + "@example.com"), null, null, null,
				null, "Message " + n, "Body " + n, null, null)).block(Duration.ofSeconds(10));
	}

	private static JavaMailSenderImpl mail(int port) {
		JavaMailSenderImpl mail = new JavaMailSenderImpl();
		mail.setHost("127.0.0.1");
		mail.setPort(port);
		mail.getJavaMailProperties().put("mail.smtp.connectiontimeout", "2000");
		mail.getJavaMailProperties().put("mail.smtp.timeout", "2000");
		return mail;
	}

}
