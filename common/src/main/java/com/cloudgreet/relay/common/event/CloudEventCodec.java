package com.cloudgreet.relay.common.event;

import com.cloudgreet.relay.common.Channel;
import com.cloudgreet.relay.common.json.RelayJson;
import com.cloudgreet.relay.common.message.EmailMessage;
import com.cloudgreet.relay.common.message.InvalidMessageException;
import com.cloudgreet.relay.common.message.Scheduled;
import com.cloudgreet.relay.common.message.SendAt;
import com.cloudgreet.relay.common.message.SmsMessage;
import com.cloudgreet.relay.common.message.WebhookEvent;

/**
 * Turns record values into validated requests and back. Every failure is an
 * {@link InvalidMessageException} whose message is fit for a DLT reason header.
 */
public final class CloudEventCodec {

	private CloudEventCodec() {
	}

	public static byte[] encode(CloudEvent event) {
		return RelayJson.write(event);
	}

	/** Parses a structured-mode CloudEvent and its {@code data} for the event's channel. */
	public static RelayRequest decode(byte[] value) {
		CloudEvent event = RelayJson.read(value, CloudEvent.class);
		return new RelayRequest(event, payload(event));
	}

	/** Like {@link #decode(byte[])}, but also checks the event belongs on {@code expected}'s topic. */
	public static RelayRequest decode(byte[] value, Channel expected) {
		RelayRequest request = decode(value);
		if (request.event().channel() != expected) {
			throw InvalidMessageException.of("/type",
					"is " + request.event().type() + " but this topic carries " + expected.eventType());
		}
		return request;
	}

	private static Object payload(CloudEvent event) {
		Class<?> type = switch (event.channel()) {
			case EMAIL -> EmailMessage.class;
			case SMS -> SmsMessage.class;
			case WEBHOOK -> WebhookEvent.class;
		};
		try {
			Object payload = RelayJson.convert(event.data(), type);
			// Against the event's own time: decoding it again when it falls due must not refuse it.
			SendAt.check(((Scheduled) payload).sendAt(), event.time());
			return payload;
		}
		catch (InvalidMessageException ex) {
			throw ex.nestedUnder("/data");
		}
	}

}
