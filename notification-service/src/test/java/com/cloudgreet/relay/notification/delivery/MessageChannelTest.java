package com.cloudgreet.relay.notification.delivery;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import com.cloudgreet.relay.common.Channel;
import com.cloudgreet.relay.common.event.CloudEventCodec;
import com.cloudgreet.relay.common.message.Violation;
import com.cloudgreet.relay.delivery.Lease;
import com.cloudgreet.relay.delivery.Outcome;
import com.cloudgreet.relay.notification.sender.SenderCheck;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import static org.assertj.core.api.Assertions.assertThat;

/** The sender check just before a send: a refusal is the message's permanent failure, an outage is not. */
class MessageChannelTest {

	private static final String EVENT = """
			{"specversion":"1.0","id":"msg_1","source":"/test","type":"relay.sms.requested",\
			"time":"2026-11-29T20:00:00Z","datacontenttype":"application/json","tenantid":"ten_a",\
			"data":{"to":"+4915112345678","from":"ACME","body":"Hello"}}""";

	private final AtomicInteger sends = new AtomicInteger();

	@Test
	void refusedSenderIsAPermanentFailureWithoutAProviderCall() {
		Outcome outcome = channel((request) -> Mono.just(List.of(new Violation("/data/from", "is not allowed"))))
			.send(job())
			.block(Duration.ofSeconds(5));

		assertThat(outcome).isInstanceOf(Outcome.Permanent.class);
		assertThat(outcome.detail()).isEqualTo("sender not allowed for tenant: /data/from: is not allowed");
		assertThat(this.sends).hasValue(0);
	}

	@Test
	void databaseErrorWhileCheckingIsWaitedOutNotAnAttempt() {
		AtomicInteger checks = new AtomicInteger();
		SenderCheck flaky = (request) -> Mono.defer(() -> checks.incrementAndGet() <= 2
				? Mono.error(new IllegalStateException("connection refused")) : Mono.just(List.of()));

		Outcome outcome = channel(flaky).send(job()).block(Duration.ofSeconds(5));

		assertThat(outcome).isInstanceOf(Outcome.Delivered.class);
		assertThat(checks).hasValue(3);
		assertThat(this.sends).hasValue(1);
	}

	private MessageChannel channel(SenderCheck senders) {
		return new MessageChannel(Channel.SMS, (request) -> {
			this.sends.incrementAndGet();
			return Mono.just(new Outcome.Delivered("201", "queued", "SM1"));
		}, Mono.empty(), null, senders);
	}

	private static MessageJob job() {
		return new MessageJob(new Lease("msg_1", "owner", 1), "ten_a", Channel.SMS, EVENT, 0, null, Instant.now(),
				CloudEventCodec.decode(EVENT.getBytes(StandardCharsets.UTF_8), Channel.SMS));
	}

}
