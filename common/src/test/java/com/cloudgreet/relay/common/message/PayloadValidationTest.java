package com.cloudgreet.relay.common.message;

import java.nio.charset.StandardCharsets;

import com.cloudgreet.relay.common.json.RelayJson;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PayloadValidationTest {

	@ParameterizedTest(name = "{0}")
	@CsvSource(delimiter = '|', textBlock = """
			no-recipient          | {"to":[],"subject":"s","text":"t"}                                   | /to: must name at least one recipient
			bad-address           | {"to":["not-an-address"],"subject":"s","text":"t"}                    | /to/0: is not a valid RFC 5322 address
			group-address         | {"to":["team: a@example.com, b@example.com;"],"subject":"s","text":"t"} | /to/0
			crlf-in-subject       | {"to":["a@example.com"],"subject":"hi\\r\\nBcc: evil@example.com","text":"t"} | /subject: must not contain line breaks
			crlf-in-reply-to      | {"to":["a@example.com"],"replyTo":"a@example.com\\nBcc: x@y.z","subject":"s","text":"t"} | /replyTo
			no-body               | {"to":["a@example.com"],"subject":"s"}                                | /text: text or html is required
			missing-subject       | {"to":["a@example.com"],"text":"t"}                                   | /subject: is required
			to-is-string          | {"to":"a@example.com","subject":"s","text":"t"}                       | /to: has the wrong type
			unknown-field         | {"to":["a@example.com"],"subject":"s","text":"t","attachments":[]}    | /attachments: is not a known field
			duplicate-key         | {"to":["a@example.com"],"subject":"s","subject":"t","text":"t"}       | Duplicate Object property "subject"
			soft-hyphen-name      | {"to":["Pay\\u00ADPal <a@example.com>"],"subject":"s","text":"t"}      | /to/0: must not contain bidirectional or invisible
			grapheme-joiner-name  | {"to":["Pay\\u034FPal <a@example.com>"],"subject":"s","text":"t"}      | /to/0: must not contain bidirectional or invisible
			tag-character-name    | {"to":["PayPal\\uDB40\\uDC41 <a@example.com>"],"subject":"s","text":"t"} | /to/0: must not contain bidirectional or invisible
			line-separator-name   | {"to":["PayPal\\u2028Support <a@example.com>"],"subject":"s","text":"t"} | /to/0: must not contain bidirectional or invisible
			para-separator-from   | {"to":["a@example.com"],"from":"PayPal\\u2029 <b@example.com>","subject":"s","text":"t"} | /from: must not contain bidirectional or invisible
			""")
	void rejectsBadEmails(String name, String json, String reason) {
		assertThatThrownBy(() -> RelayJson.read(json.getBytes(StandardCharsets.UTF_8), EmailMessage.class))
			.isInstanceOf(InvalidMessageException.class)
			.hasMessageContaining(reason);
	}

	@ParameterizedTest(name = "{0}")
	@CsvSource(delimiter = '|', textBlock = """
			not-e164             | {"to":"4155550123","body":"x"}                  | /to: must be an E.164 number
			invalid-number       | {"to":"+1000","body":"x"}                        | /to
			unassigned-number    | {"to":"+99912345678","body":"x"}                 | /to: is not a valid phone number
			empty-body           | {"to":"+14155550123","body":""}                  | /body: is required
			bad-sender           | {"to":"+14155550123","from":"this sender id is too long","body":"x"} | /from
			control-characters   | {"to":"+14155550123","body":"a\\u0000b"}          | /body: must not contain control characters
			""")
	void rejectsBadSms(String name, String json, String reason) {
		assertThatThrownBy(() -> RelayJson.read(json.getBytes(StandardCharsets.UTF_8), SmsMessage.class))
			.isInstanceOf(InvalidMessageException.class)
			.hasMessageContaining(reason);
	}

	@ParameterizedTest(name = "{0}")
	@CsvSource(delimiter = '|', textBlock = """
			missing-type       | {"payload":{}}                                | /eventType: is required
			bad-type           | {"eventType":"a b","payload":{}}              | /eventType
			payload-array      | {"eventType":"invoice.paid","payload":[1]}    | /payload: must be a JSON object
			missing-payload    | {"eventType":"invoice.paid"}                  | /payload: is required
			""")
	void rejectsBadWebhookEvents(String name, String json, String reason) {
		assertThatThrownBy(() -> RelayJson.read(json.getBytes(StandardCharsets.UTF_8), WebhookEvent.class))
			.isInstanceOf(InvalidMessageException.class)
			.hasMessageContaining(reason);
	}

	/** The cap is on the payload's JSON as serialized, so it holds for the gateway and a producer straight to Kafka alike. */
	@org.junit.jupiter.api.Test
	void capsTheWebhookPayloadAt256KiloBytesOfJson() {
		int cap = 256 * 1024;
		// {"k":"..."} is 8 bytes around the string
		String atCap = "{\"eventType\":\"big\",\"payload\":{\"k\":\"" + "x".repeat(cap - 8) + "\"}}";
		String overCap = "{\"eventType\":\"big\",\"payload\":{\"k\":\"" + "x".repeat(cap - 7) + "\"}}";

		assertThat(RelayJson.read(atCap.getBytes(StandardCharsets.UTF_8), WebhookEvent.class)).isNotNull();
		assertThatThrownBy(() -> RelayJson.read(overCap.getBytes(StandardCharsets.UTF_8), WebhookEvent.class))
			.isInstanceOf(InvalidMessageException.class)
			.hasMessageContaining("/payload: must be at most 262144 bytes of JSON, was 262145");
	}

	@ParameterizedTest
	@CsvSource(delimiter = '|', textBlock = """
			{"to":"+14155550123","body":"hi"}
			{"to":"+442071838750","from":"CloudGreet","body":"hi"}
			{"to":"+4915123456789","from":"+14155550100","body":"hi","metadata":{"k":"v"}}
			""")
	void acceptsValidSms(String json) {
		assertThat(RelayJson.read(json.getBytes(StandardCharsets.UTF_8), SmsMessage.class)).isNotNull();
	}

	@org.junit.jupiter.api.Test
	void collectsEveryViolationAtOnce() {
		assertThatThrownBy(() -> RelayJson.read("{\"to\":[\"x\"],\"text\":\"t\"}".getBytes(), EmailMessage.class))
			.isInstanceOfSatisfying(InvalidMessageException.class,
					(ex) -> assertThat(ex.violations()).extracting(Violation::pointer).containsExactly("/to/0", "/subject"));
	}

}
