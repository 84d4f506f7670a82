package com.cloudgreet.relay.common.message;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

import com.cloudgreet.relay.common.Channel;
import com.cloudgreet.relay.common.event.CloudEventCodec;
import com.cloudgreet.relay.common.json.RelayJson;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SendAtTest {

	private static final Instant ACCEPTED = Instant.parse("2026-12-01T10:00:00Z");

	@ParameterizedTest(name = "{0}")
	@CsvSource(delimiter = '|', textBlock = """
			none                      |
			now                       | 2026-12-01T10:00:00Z
			within-clock-skew         | 2026-12-01T09:59:01Z
			with-offset               | 2026-12-01T12:30:00+02:00
			thirty-days-ahead         | 2026-12-31T10:00:00Z
			""")
	void acceptsSendAtInTheWindow(String name, String sendAt) {
		assertThatCode(() -> SendAt.check(sendAt == null ? null : parse(sendAt), ACCEPTED)).doesNotThrowAnyException();
	}

	@ParameterizedTest(name = "{0}")
	@CsvSource(delimiter = '|', textBlock = """
			past-beyond-clock-skew    | 2026-12-01T09:58:59Z | /sendAt: is in the past
			more-than-thirty-days     | 2026-12-31T10:00:01Z | /sendAt: must be at most 30 days ahead
			""")
	void refusesSendAtOutsideTheWindow(String name, String sendAt, String reason) {
		assertThatThrownBy(() -> SendAt.check(parse(sendAt), ACCEPTED)).isInstanceOf(InvalidMessageException.class)
			.hasMessageContaining(reason);
	}

	@Test
	void refusesSendAtThatIsNotADateTime() {
		assertThatThrownBy(() -> RelayJson.read("""
				{"to":"+14155550123","body":"x","sendAt":"tomorrow"}""".getBytes(StandardCharsets.UTF_8),
				SmsMessage.class))
			.isInstanceOf(InvalidMessageException.class)
			.hasMessageContaining("/sendAt: has the wrong type, expected an RFC 3339 date-time");
	}

	@Test
	void readsSendAtOnEveryChannel() {
		assertThat(RelayJson.read("""
				{"to":["a@example.com"],"subject":"s","text":"t","sendAt":"2026-12-01T10:05:00+01:00"}"""
			.getBytes(StandardCharsets.UTF_8), EmailMessage.class).sendAt()).isEqualTo("2026-12-01T09:05:00Z");
		assertThat(RelayJson.read("""
				{"eventType":"a.b","payload":{},"sendAt":"2026-12-01T10:05:00Z"}""".getBytes(StandardCharsets.UTF_8),
				WebhookEvent.class).sendAt()).isEqualTo("2026-12-01T10:05:00Z");
	}

	@Test
	void recordFromKafkaIsCheckedAgainstItsOwnTime() {
		assertThatThrownBy(() -> CloudEventCodec.decode(event("2026-12-01T10:00:00Z", "2026-11-01T10:00:00Z"),
				Channel.SMS))
			.isInstanceOf(InvalidMessageException.class)
			.hasMessageContaining("/data/sendAt: is in the past");
		assertThatThrownBy(() -> CloudEventCodec.decode(event(null, "2026-12-01T10:00:00Z"), Channel.SMS))
			.isInstanceOf(InvalidMessageException.class)
			.hasMessageContaining("/data/sendAt: needs the request's acceptance time");
	}

	@Test
	void recordConsumedAfterItsSendAtPassedStillDecodes() {
		// Accepted in 2026 for a minute later; decoded (late, or again when due) long after that.
		assertThat(CloudEventCodec.decode(event("2026-12-01T10:00:00Z", "2026-12-01T10:01:00Z"), Channel.SMS)
			.sms()
			.sendAt()).isEqualTo("2026-12-01T10:01:00Z");
	}

	private static byte[] event(String time, String sendAt) {
		return ("""
				{"specversion":"1.0","id":"msg_1","source":"/billing","type":"relay.sms.requested",%s
				 "tenantid":"ten_1","data":{"to":"+14155550123","body":"x","sendAt":"%s"}}"""
			.formatted(time == null ? "" : "\"time\":\"" + time + "\",", sendAt)).getBytes(StandardCharsets.UTF_8);
	}

	private static Instant parse(String text) {
		return java.time.OffsetDateTime.parse(text).toInstant();
	}

}
