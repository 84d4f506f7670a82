package com.cloudgreet.relay.common.message;

import java.util.List;

import com.cloudgreet.relay.common.json.RelayJson;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AllowedSendersTest {

	private static final AllowedSenders ACME = new AllowedSenders(List.of("Example.com", "noreply@acme.io"),
			List.of("+14155550100", "ACME"));

	@ParameterizedTest(name = "{0}: {1}")
	@CsvSource(delimiter = '|', value = { "billing@example.com | true", "Billing <BILLING@EXAMPLE.COM> | true",
			"noreply@acme.io | true", "Acme <noreply@acme.io> | true", "other@acme.io | false",
			"x@sub.example.com | false", "x@example.com.evil.io | false", "x@notexample.com | false" })
	void emailSendersMatchADomainExactlyOrOneAddress(String from, boolean allowed) {
		EmailMessage message = new EmailMessage(List.of("ada@example.org"), null, null, from, from, "s", "t", null, null);
		assertThat(ACME.check(message)).extracting(Violation::pointer)
			.isEqualTo(allowed ? List.of() : List.of("/from", "/replyTo"));
	}

	@ParameterizedTest(name = "{0}: {1}")
	@CsvSource({ "+14155550100, true", "ACME, true", "acme, false", "+14155550101, false" })
	void smsSendersMatchExactly(String from, boolean allowed) {
		assertThat(ACME.check(new SmsMessage("+14155550123", from, "hi", null)).isEmpty()).isEqualTo(allowed);
	}

	@Test
	void anEmptyAllowlistAllowsOnlyTheDefaultSender() {
		assertThat(AllowedSenders.NONE.check(new EmailMessage(List.of("ada@example.org"), null, null, null, null, "s",
				"t", null, null))).isEmpty();
		assertThat(AllowedSenders.NONE.check(new SmsMessage("+14155550123", "ACME", "hi", null)))
			.extracting(Violation::reason)
			.singleElement()
			.asString()
			.contains("no custom sender is allowed");
	}

	@Test
	void refusalsDoNotEchoTheAddress() {
		EmailMessage message = new EmailMessage(List.of("ada@example.org"), null, null, "mallory@evil.example", null,
				"s", "t", null, null);
		assertThat(ACME.check(message)).extracting(Violation::reason).noneMatch((reason) -> reason.contains("evil"));
	}

	@Test
	void entriesAreValidatedWithPointers() {
		assertThatThrownBy(() -> RelayJson.read(
				"{\"email\":[\"example.com\",\"not a domain\",\"Name <a@b.example>\"],\"sms\":[\"+1\",\"TOO LONG SENDER\"]}"
					.getBytes(),
				AllowedSenders.class))
			.isInstanceOfSatisfying(InvalidMessageException.class, (ex) -> assertThat(ex.violations())
				.extracting(Violation::pointer)
				.containsExactly("/email/1", "/email/2", "/sms/0", "/sms/1"));
	}

	@ParameterizedTest(name = "{0}")
	@CsvSource(delimiter = '|', value = { "right-to-left override | \u202EBank\u202C <a@example.com>",
			"zero-width space | Bank\u200B <a@example.com>", "isolate | \u2067Bank\u2069 <a@example.com>",
			"byte order mark | \uFEFFBank <a@example.com>",
			"encoded override | =?UTF-8?Q?=E2=80=AEknaB?= <a@example.com>" })
	void displayNamesWithBidiOrInvisibleCharactersAreRefused(String name, String from) {
		assertThatThrownBy(() -> new EmailMessage(List.of(from), null, null, from, null, "s", "t", null, null))
			.isInstanceOfSatisfying(InvalidMessageException.class, (ex) -> assertThat(ex.violations())
				.extracting(Violation::pointer)
				.containsExactly("/to/0", "/from"));
	}

}
