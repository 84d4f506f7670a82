package com.cloudgreet.relay.notification.delivery;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import com.cloudgreet.relay.common.Channel;
import com.cloudgreet.relay.common.event.CloudEventCodec;
import com.cloudgreet.relay.common.event.RelayRequest;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class DecodedRequestsTest {

	private static final String EVENT = """
			{"specversion":"1.0","id":"msg_1","source":"/test","type":"relay.sms.requested",\
			"time":"2026-11-29T20:00:00Z","datacontenttype":"application/json","tenantid":"ten_a",\
			"data":{"to":"+4915112345678","body":"Hello"}}""";

	private final RelayRequest request = CloudEventCodec.decode(EVENT.getBytes(StandardCharsets.UTF_8), Channel.SMS);

	@Test
	void givesBackWhatIntakeDecodedForTheSameEventUntilForgotten() {
		DecodedRequests decoded = new DecodedRequests();
		decoded.put("msg_1", EVENT, this.request);

		assertThat(decoded.get("msg_1", new String(EVENT.toCharArray()))).isSameAs(this.request);
		decoded.forget("msg_1");
		assertThat(decoded.get("msg_1", EVENT)).isNull();
	}

	@Test
	void neverGivesARequestForAnotherEventText() {
		DecodedRequests decoded = new DecodedRequests();
		decoded.put("msg_1", EVENT, this.request);

		assertThat(decoded.get("msg_1", EVENT.replace("Hello", "Hullo"))).isNull();
		assertThat(decoded.get("msg_2", EVENT)).isNull();
	}

	@Test
	void holdsAtMostItsBudgetOfEventText() {
		DecodedRequests decoded = new DecodedRequests(EVENT.length() * 10L, Duration.ofMinutes(1));
		for (int i = 0; i < 100; i++) {
			decoded.put("msg_" + i, EVENT, this.request);
		}

		assertThat(decoded.size()).isLessThanOrEqualTo(10);
	}

}
