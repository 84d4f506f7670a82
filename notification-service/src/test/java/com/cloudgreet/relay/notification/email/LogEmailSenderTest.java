package com.cloudgreet.relay.notification.email;

import java.util.List;
import java.util.Map;

import com.cloudgreet.relay.common.message.EmailMessage;
import com.cloudgreet.relay.common.message.SmsMessage;
import com.cloudgreet.relay.delivery.Outcome;
import com.cloudgreet.relay.notification.sms.LogSmsSender;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;

/** The log providers say that a message went out, never to whom or what it said. */
@ExtendWith(OutputCaptureExtension.class)
class LogEmailSenderTest {

	@Test
	void logsIdAndRecipientCountButNoAddressesOrBodies(CapturedOutput output) {
		EmailMessage message = new EmailMessage(List.of("ada@example.com"), List.of("cc@example.com"),
				List.of("bcc@example.com"), null, null, "Secret subject", "Secret text", "<p>Secret html</p>", Map.of());

		Outcome outcome = new LogEmailSender().send("msg_1", message).block();

		assertThat(outcome).isInstanceOf(Outcome.Delivered.class);
		assertThat(output).contains("msg_1").contains("3 recipient(s)");
		assertThat(output).doesNotContain("example.com").doesNotContain("Secret");
	}

	@Test
	void logsSmsIdButNoNumberOrBody(CapturedOutput output) {
		new LogSmsSender().send("msg_2", new SmsMessage("+4915112345678", null, "Your code is 4711", Map.of())).block();

		assertThat(output).contains("msg_2");
		assertThat(output).doesNotContain("+4915112345678").doesNotContain("4711");
	}

}
