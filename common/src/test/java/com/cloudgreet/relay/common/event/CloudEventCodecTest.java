package com.cloudgreet.relay.common.event;

import java.nio.charset.StandardCharsets;

import com.cloudgreet.relay.common.Channel;
import com.cloudgreet.relay.common.id.IdKind;
import com.cloudgreet.relay.common.id.RelayIds;
import com.cloudgreet.relay.common.json.RelayJson;
import com.cloudgreet.relay.common.message.EmailMessage;
import com.cloudgreet.relay.common.message.InvalidMessageException;
import com.cloudgreet.relay.common.message.SmsMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CloudEventCodecTest {

	private static final String SMS_EVENT = """
			{"specversion":"1.0","id":"msg_1","source":"/billing","type":"relay.sms.requested",
			 "time":"2026-11-24T10:00:00Z","datacontenttype":"application/json","tenantid":"ten_1",
			 "traceparent":"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
			 "data":{"to":"+14155550123","body":"Your code is 123456"}}""";

	@Test
	void roundTripsAnEmailRequest() {
		EmailMessage email = new EmailMessage(java.util.List.of("Jane <jane@example.com>"), null, null, null, null,
				"Hello", "Hi Jane", null, java.util.Map.of("order", "42"));
		String id = RelayIds.next(IdKind.MESSAGE);
		CloudEvent event = CloudEvent.request(Channel.EMAIL, id, "/relay/api-gateway", "ten_1", RelayJson.tree(email));

		RelayRequest decoded = CloudEventCodec.decode(CloudEventCodec.encode(event), Channel.EMAIL);

		assertThat(decoded.id()).isEqualTo(id);
		assertThat(decoded.tenantId()).isEqualTo("ten_1");
		assertThat(decoded.email()).isEqualTo(email);
		assertThat(decoded.event().time()).isEqualTo(event.time());
	}

	@Test
	void acceptsEventsFromOtherProducersWithExtensionAttributes() {
		RelayRequest request = CloudEventCodec.decode(SMS_EVENT.getBytes(StandardCharsets.UTF_8), Channel.SMS);
		assertThat(request.sms()).isEqualTo(new SmsMessage("+14155550123", null, "Your code is 123456", null));
	}

	@Test
	void rejectsAnEventOnTheWrongTopic() {
		assertThatThrownBy(() -> CloudEventCodec.decode(SMS_EVENT.getBytes(StandardCharsets.UTF_8), Channel.EMAIL))
			.isInstanceOf(InvalidMessageException.class)
			.hasMessageContaining("/type");
	}

	@ParameterizedTest(name = "{0}")
	@CsvSource(delimiter = '|', textBlock = """
			not-json                    | hello                                                     | malformed JSON
			empty                       | ''                                                        | body is empty
			json-array                  | []                                                        | wrong type
			missing-specversion         | {"id":"m","source":"s","type":"relay.sms.requested","tenantid":"t","data":{}} | /specversion
			unknown-type                | {"specversion":"1.0","id":"m","source":"s","type":"x","tenantid":"t","data":{}} | /type
			missing-tenant              | {"specversion":"1.0","id":"m","source":"s","type":"relay.sms.requested","data":{}} | /tenantid
			unsafe-id                   | {"specversion":"1.0","id":"a b","source":"s","type":"relay.sms.requested","tenantid":"t","data":{}} | /id
			data-not-object             | {"specversion":"1.0","id":"m","source":"s","type":"relay.sms.requested","tenantid":"t","data":"x"} | /data
			bad-payload                 | {"specversion":"1.0","id":"m","source":"s","type":"relay.sms.requested","tenantid":"t","data":{"to":"12","body":"x"}} | /data/to
			unknown-payload-field       | {"specversion":"1.0","id":"m","source":"s","type":"relay.sms.requested","tenantid":"t","data":{"to":"+14155550123","body":"x","bdy":"y"}} | /data/bdy
			""")
	void rejectsPoisonRecordsWithAPreciseReason(String name, String value, String reason) {
		assertThatThrownBy(() -> CloudEventCodec.decode(value.getBytes(StandardCharsets.UTF_8)))
			.isInstanceOf(InvalidMessageException.class)
			.hasMessageContaining(reason);
	}

}
