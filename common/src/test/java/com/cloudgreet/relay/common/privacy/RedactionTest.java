package com.cloudgreet.relay.common.privacy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

class RedactionTest {

	@ParameterizedTest(name = "{0}")
	@CsvSource(delimiter = '|', textBlock = """
			smtp-recipient-rejected     | 550 5.1.1 <jane@example.com>: Recipient address rejected | 550 5.1.1 <[redacted-email]>: Recipient address rejected
			plus-tag-and-subdomain      | unknown user jane.doe+promo@mail.example.co.uk             | unknown user [redacted-email]
			unicode-mailbox             | 553 mailbox jürgen@bücher.example unavailable             | 553 mailbox [redacted-email] unavailable
			address-literal             | relay denied for root@[192.0.2.1]                          | relay denied for [redacted-email]
			host-without-dot            | no such user admin@localhost                               | no such user [redacted-email]
			url-encoded-at              | GET /lookup?to=jane%40example.com failed                    | GET [redacted-email] failed
			quoted-in-reply             | address 'jane@example.com' refused                         | address '[redacted-email]' refused
			two-addresses               | a@x.io, b@y.io rejected                                    | [redacted-email], [redacted-email] rejected
			jakarta-unparsable-input    | Missing final '@domain' in string ``jane''                 | Missing final '@domain' in string ``[redacted]''
			twilio-e164                 | The 'To' number +14155550123 is not a valid phone number. | The 'To' number [redacted-phone] is not a valid phone number.
			e164-formatted              | cannot reach +1 (415) 555-0123 now                         | cannot reach [redacted-phone] now
			uk-with-trunk-zero          | +44 (0)20 7946 0958 is unreachable                         | [redacted-phone] is unreachable
			german-mobile-dashed        | number +49-151-1234-5678 blocked                           | number [redacted-phone] blocked
			bare-e164-digits            | To=4915112345678 unsubscribed                              | To=[redacted-phone] unsubscribed
			nanp-national               | call (415) 555-0123 or 415.555.0124                         | call [redacted-phone] or [redacted-phone]
			unknown-country-code        | invalid number +99912345678                                | invalid number [redacted-phone]
			""")
	void masksRecipients(String name, String text, String expected) {
		assertThat(Redaction.redact(text)).isEqualTo(expected);
	}

	@ParameterizedTest(name = "{0}")
	@CsvSource(delimiter = '|', textBlock = """
			smtp-codes                  | 451 4.7.1 greylisted, try again in 300 seconds
			twilio-error-code           | 400/21211 invalid parameter
			message-id                  | message msg_0193a1b2c3d4e5f60718293a4b5c6d7e is being sent
			numeric-uuid-group          | request 550e8400-e29b-41d4-a716-446655440000 failed
			instant-with-nanos          | provider asked to wait until 2025-06-01T10:00:00.123456789Z
			zone-offset                 | at 2025-06-01T10:00:00+01:00
			host-and-port               | Connection refused: /127.0.0.1:25
			record-size                 | record of 1048576 bytes is too large
			version                     | Kafka 4.1.2 broker 10.0.0.12
			""")
	void leavesOperationalDetailReadable(String name, String text) {
		assertThat(Redaction.redact(text)).isEqualTo(text);
	}

	@Test
	void toleratesNothingToRedact() {
		assertThat(Redaction.redact(null)).isNull();
		assertThat(Redaction.redact("")).isEmpty();
	}

	@Test
	void redactsEveryMessageOfAnExceptionChainAndKeepsItsStackTraces() {
		IllegalStateException root = new IllegalStateException("550 5.1.1 <jane@example.com>: rejected");
		RuntimeException top = new RuntimeException("sending to +14155550123 failed", root);

		Throwable logged = Redaction.redacted(top);

		assertThat(logged.getMessage()).isEqualTo("java.lang.RuntimeException: sending to [redacted-phone] failed");
		assertThat(logged.getStackTrace()).isEqualTo(top.getStackTrace());
		assertThat(logged.getCause().getMessage())
			.isEqualTo("java.lang.IllegalStateException: 550 5.1.1 <[redacted-email]>: rejected");
		assertThat(logged.getCause().getStackTrace()).isEqualTo(root.getStackTrace());
		assertThat(logged.getCause().getCause()).isNull();
	}

}
