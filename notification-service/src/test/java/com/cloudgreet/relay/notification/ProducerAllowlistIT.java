package com.cloudgreet.relay.notification;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

import com.cloudgreet.relay.common.Channel;
import com.cloudgreet.relay.common.event.CloudEvent;
import com.cloudgreet.relay.common.event.CloudEventCodec;
import com.cloudgreet.relay.common.http.RelayHttpHeaders;
import com.cloudgreet.relay.common.id.IdKind;
import com.cloudgreet.relay.common.id.RelayIds;
import com.cloudgreet.relay.common.json.RelayJson;
import com.cloudgreet.relay.common.kafka.RecordKeys;
import com.cloudgreet.relay.common.kafka.RelayKafkaHeaders;
import com.cloudgreet.relay.common.kafka.Topics;
import com.cloudgreet.relay.common.kafka.producer.ProducerSignature;
import com.cloudgreet.relay.common.kafka.producer.SigningKey;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.moreThanOrExactly;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Who may act for a tenant over Kafka: a record's producer (relay-producer, signed with its key)
 * must be allowed for the record's tenant, or the record is dead-lettered with the reason and
 * never stored or sent. The test profile lists "gateway" for every tenant, "billing" for
 * {@link #BILLING_TENANT} only, and lets unsigned records act for every tenant (direct producers
 * of the other tests); {@link StrictAnonymousIntakeIT} covers unsigned records refused.
 */
class ProducerAllowlistIT extends NotificationIT {

	/** base64 of "an-attacker-s-own-key-32-bytes!!": not the gateway's key. */
	private static final String FORGED_KEY = "YW4tYXR0YWNrZXItcy1vd24ta2V5LTMyLWJ5dGVzISE=";

	@Test
	void deadLettersRecordOfProducerForTenantItMayNotActFor() {
		String to = stubbedNumber();
		String id = publishSignedSms(BILLING, BILLING_KEY, to);

		ConsumerRecord<String, byte[]> dead = awaitDeadLetter(Topics.deadLetter(Topics.SMS), (r) -> text(r).contains(id));
		assertThat(header(dead, RelayKafkaHeaders.DLT_REASON))
			.isEqualTo("producer 'billing' may not act for tenant '" + this.tenant + "'");
		assertNeverStoredNorSent(id, to);
	}

	@Test
	void deadLettersRecordWithForgedGatewaySignature() {
		String to = stubbedNumber();
		String id = publishSignedSms("gateway", FORGED_KEY, to);

		ConsumerRecord<String, byte[]> dead = awaitDeadLetter(Topics.deadLetter(Topics.SMS), (r) -> text(r).contains(id));
		assertThat(header(dead, RelayKafkaHeaders.DLT_REASON)).isEqualTo("producer signature invalid (producer 'gateway')");
		assertNeverStoredNorSent(id, to);
	}

	@Test
	void deliversRecordSignedByProducerForItsOwnTenant() {
		this.tenant = BILLING_TENANT;
		String to = stubbedNumber();
		String id = publishSignedSms(BILLING, BILLING_KEY, to);

		awaitStatus(id, "delivered");
		// At least once: a connection the stub closed may be retried (at-least-once toward providers).
		TWILIO.verify(moreThanOrExactly(1), postRequestedFor(urlEqualTo(TWILIO_MESSAGES)).withFormParam("To", equalTo(to)));
	}

	private String stubbedNumber() {
		String to = phoneNumber();
		TWILIO.stubFor(post(urlEqualTo(TWILIO_MESSAGES)).withFormParam("To", equalTo(to))
			.willReturn(okJson("{\"sid\":\"SMsigned\"}").withStatus(201)));
		return to;
	}

	/** An SMS request for this test's tenant, signed as {@code producer} with {@code key}. */
	private String publishSignedSms(String producer, String key, String to) {
		String id = RelayIds.next(IdKind.MESSAGE);
		byte[] value = CloudEventCodec.encode(CloudEvent.request(Channel.SMS, id, "/billing", this.tenant,
				RelayJson.tree(Map.of("to", to, "body", "signed"))));
		String recordKey = RecordKeys.forSms(this.tenant, to);
		ProducerRecord<String, byte[]> record = new ProducerRecord<>(Topics.SMS, recordKey, value);
		record.headers().add(RelayKafkaHeaders.CONTENT_TYPE, RelayKafkaHeaders.CLOUDEVENTS_JSON.getBytes(StandardCharsets.UTF_8));
		record.headers().add(RelayKafkaHeaders.PRODUCER, producer.getBytes(StandardCharsets.UTF_8));
		record.headers().add(RelayKafkaHeaders.PRODUCER_SIGNATURE, ProducerSignature
			.sign(SigningKey.decode(key, "test"), Topics.SMS, recordKey, value).getBytes(StandardCharsets.UTF_8));
		this.kafka.send(record).join();
		return id;
	}

	/** Not in the tenant's log (nothing to retry or replay later) and never sent. */
	private void assertNeverStoredNorSent(String id, String to) {
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
