package com.cloudgreet.relay.common.json;

import java.nio.charset.StandardCharsets;

import com.cloudgreet.relay.common.message.InvalidMessageException;
import com.cloudgreet.relay.common.message.SmsMessage;
import com.cloudgreet.relay.common.message.WebhookEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RelayJsonTest {

	@ParameterizedTest(name = "{0}")
	@CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
			empty-body        | ``                                            | body is empty
			whitespace-only   | `   `                                         | body is empty
			truncated         | {"to":"+14155550123","body":                  | malformed JSON
			not-json          | to=+14155550123&body=hi                       | malformed JSON
			trailing-object   | {"to":"+14155550123","body":"x"} {"to":"+1"}  | malformed JSON
			trailing-garbage  | {"to":"+14155550123","body":"x"}]             | malformed JSON
			array-at-root     | [1,2]                                         | has the wrong type, expected
			""")
	void rejectsMalformedDocumentsWithAPreciseReason(String name, String json, String reason) {
		byte[] body = (json == null ? "" : json).getBytes(StandardCharsets.UTF_8);
		assertThatThrownBy(() -> RelayJson.read(body, SmsMessage.class)).isInstanceOf(InvalidMessageException.class)
			.hasMessageContaining(reason);
	}

	@Test
	void rejectsHostileNestingAsMalformedWithoutAStackOverflow() {
		// A webhook payload is free-form JSON, so only the parser's depth limit stands in the way.
		String deep = "{\"eventType\":\"invoice.paid\",\"payload\":" + "{\"a\":".repeat(5_000) + "1" + "}".repeat(5_000) + "}";
		assertThatThrownBy(() -> RelayJson.read(deep.getBytes(StandardCharsets.UTF_8), WebhookEvent.class))
			.isInstanceOf(InvalidMessageException.class)
			.hasMessageContaining("malformed JSON")
			.hasMessageContaining("nesting depth");
	}

}
