package com.cloudgreet.relay.notification;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.cloudgreet.relay.common.Channel;
import com.cloudgreet.relay.common.alert.DeadLetterAlerter;
import com.cloudgreet.relay.common.event.CloudEvent;
import com.cloudgreet.relay.common.event.CloudEventCodec;
import com.cloudgreet.relay.common.http.RelayHttpHeaders;
import com.cloudgreet.relay.common.id.IdKind;
import com.cloudgreet.relay.common.id.RelayIds;
import com.cloudgreet.relay.common.json.RelayJson;
import com.cloudgreet.relay.common.kafka.IntakeRetry;
import com.cloudgreet.relay.common.kafka.RecordKeys;
import com.cloudgreet.relay.common.kafka.RelayKafkaHeaders;
import com.cloudgreet.relay.common.kafka.Topics;
import com.cloudgreet.relay.common.kafka.producer.ProducerAllowlist;
import com.cloudgreet.relay.common.kafka.producer.ProducerAllowlistProperties;
import com.cloudgreet.relay.delivery.DeadLetterPublisher;
import com.cloudgreet.relay.notification.config.NotificationProperties;
import com.cloudgreet.relay.notification.consume.Intake;
import com.cloudgreet.relay.notification.delivery.DecodedRequests;
import com.cloudgreet.relay.notification.delivery.Engines;
import com.cloudgreet.relay.notification.delivery.MessageStore;
import com.cloudgreet.relay.notification.sender.TenantSenders;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Production's default, relay.kafka.anonymous-tenants empty: an unsigned record acts for no tenant.
 * The test profile lets unsigned records through (the other tests produce directly), so this test
 * hands one poll to an {@link Intake} built with production's allowlist, as the listener would;
 * the dead letter goes to the real broker.
 */
class StrictAnonymousIntakeIT extends NotificationIT {

	@Autowired
	private MessageStore store;

	@Autowired
	private TenantSenders senders;

	@Autowired
	private Engines engines;

	@Autowired
	private DeadLetterPublisher deadLetters;

	@Autowired
	private DeadLetterAlerter alerter;

	@Autowired
	private MeterRegistry meters;

	@Autowired
	private NotificationProperties properties;

	@Autowired
	private DecodedRequests decoded;

	@Test
	void deadLettersUnsignedRecordWhenAnonymousMayActForNoTenant() {
		ProducerAllowlist production = ProducerAllowlist.of(new ProducerAllowlistProperties(Map.of(), List.of()));
		Intake intake = new Intake(this.store, this.senders, this.engines, this.deadLetters, this.alerter, this.meters,
				this.properties, this.decoded, production, new IntakeRetry(Duration.ofSeconds(30)));
		String id = RelayIds.next(IdKind.MESSAGE);
		String to = phoneNumber();
		byte[] value = CloudEventCodec.encode(CloudEvent.request(Channel.SMS, id, "/kcat", this.tenant,
				RelayJson.tree(Map.of("to", to, "body", "unsigned"))));

		intake.accept(Channel.SMS,
				List.of(new ConsumerRecord<>(Topics.SMS, 0, 0, RecordKeys.forSms(this.tenant, to), value)));

		ConsumerRecord<String, byte[]> dead = awaitDeadLetter(Topics.deadLetter(Topics.SMS), (r) -> text(r).contains(id));
		assertThat(header(dead, RelayKafkaHeaders.DLT_REASON))
			.isEqualTo("unsigned record: producer 'anonymous' may not act for tenant '" + this.tenant + "'");
		assertThat(header(dead, RelayKafkaHeaders.TENANT_ID)).as("not labelled with a tenant it may not act for").isNull();
		await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
			this.web.get()
				.uri("/internal/v1/messages/{id}", id)
				.header(RelayHttpHeaders.INTERNAL_TOKEN, TOKEN)
				.header(RelayHttpHeaders.TENANT_ID, this.tenant)
				.exchange()
				.expectStatus()
				.isNotFound();
			TWILIO.verify(0, postRequestedFor(urlEqualTo(TWILIO_MESSAGES)).withFormParam("To", equalTo(to)));
		});
	}

}
