package com.cloudgreet.relay.notification.email;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.util.Map;
import java.util.concurrent.TimeoutException;

import com.cloudgreet.relay.delivery.Outcome;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.InternetAddress;
import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import org.springframework.mail.MailAuthenticationException;
import org.springframework.mail.MailSendException;

import static org.assertj.core.api.Assertions.assertThat;

class SmtpEmailSenderTest {

	@ParameterizedTest(name = "recipient reply {0} is {1}")
	@CsvSource({ "550, permanent_failure", "553, permanent_failure", "554, permanent_failure",
			"450, retryable_failure", "451, retryable_failure", "452, retryable_failure" })
	void classifiesRecipientReplyCodes(int code, String outcome) throws Exception {
		var rejected = new SMTPAddressFailedException(new InternetAddress("x@example.com"), "RCPT TO", code, "reply");
		var failure = new MailSendException(Map.of(new Object(), new MessagingException("send failed", rejected)));
		Outcome result = SmtpEmailSender.classify(failure);
		assertThat(result.outcomeName()).isEqualTo(outcome);
		assertThat(result.providerCode()).isEqualTo(Integer.toString(code));
	}

	@Test
	void classifiesDataRejectionByReplyCode() {
		var failure = new MailSendException("failed",
				new SMTPSendFailedException("DATA", 554, "554 spam", null, null, null, null));
		assertThat(SmtpEmailSender.classify(failure).outcomeName()).isEqualTo("permanent_failure");
	}

	@Test
	void treatsSocketTimeoutAsTransient() {
		var failure = new MailSendException("failed", new MessagingException("read", new SocketTimeoutException("Read timed out")));
		assertThat(SmtpEmailSender.classify(failure)).isInstanceOf(Outcome.Retryable.class)
			.extracting(Outcome::providerCode)
			.isEqualTo("timeout");
	}

	@Test
	void treatsConnectionFailureAsTransient() {
		var failure = new MailSendException("failed", new MessagingException("connect", new IOException("refused")));
		assertThat(SmtpEmailSender.classify(failure).providerCode()).isEqualTo("io");
	}

	@Test
	void treatsOverallTimeoutAsTransient() {
		assertThat(SmtpEmailSender.classify(new TimeoutException()).providerCode()).isEqualTo("timeout");
	}

	@Test
	void treatsAuthenticationFailureAsTheAccountsSoTheChannelPausesUntilCredentialsAreFixed() {
		assertThat(SmtpEmailSender.classify(new MailAuthenticationException("535")))
			.isInstanceOf(Outcome.AccountFailure.class);
	}

	@Test
	void treatsARefusedSenderAsTheAccountsFailure() {
		var refused = new org.eclipse.angus.mail.smtp.SMTPSenderFailedException(
				new jakarta.mail.internet.InternetAddress(), "MAIL FROM", 550, "5.7.1 sender rejected");
		assertThat(SmtpEmailSender.classify(new org.springframework.mail.MailSendException("failed", refused)))
			.isInstanceOf(Outcome.AccountFailure.class)
			.extracting(Outcome::providerCode)
			.isEqualTo("550");
	}

}
