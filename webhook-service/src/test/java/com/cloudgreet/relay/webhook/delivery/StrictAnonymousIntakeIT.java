package com.cloudgreet.relay.webhook.delivery;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.cloudgreet.relay.common.alert.DeadLetterAlerter;
import com.cloudgreet.relay.common.event.CloudEventCodec;
import com.cloudgreet.relay.common.id.IdKind;
import com.cloudgreet.relay.common.id.RelayIds;
import com.cloudgreet.relay.common.kafka.IntakeRetry;
import com.cloudgreet.relay.common.kafka.RelayKafkaHeaders;
import com.cloudgreet.relay.common.kafka.Topics;
import com.cloudgreet.relay.common.kafka.producer.ProducerAllowlist;
import com.cloudgreet.relay.common.kafka.producer.ProducerAllowlistProperties;
import com.cloudgreet.relay.common.metrics.DeliveryMetrics;
import com.cloudgreet.relay.delivery.DeadLetterPublisher;
import com.cloudgreet.relay.webhook.AbstractWebhookIT;
import com.cloudgreet.relay.webhook.testing.Receiver;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;
import org.springframework.kafka.test.EmbeddedKafkaBroker;
import org.springframework.kafka.test.utils.KafkaTestUtils;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Production's default, relay.kafka.anonymous-tenants empty: an unsigned event acts for no tenant.
 * The test profile lets unsigned records through (the other tests produce directly), so this test
 * hands one poll to a listener built with production's allowlist; the dead letter goes to the
 * real broker.
 */
class StrictAnonymousIntakeIT extends AbstractWebhookIT {

	@Autowired
	private FanOut fanOut;

	@Autowired
	private DeadLetterPublisher deadLetters;

	@Autowired
	private DeadLetterAlerter alerter;

	@Autowired
	private DeliveryMetrics metrics;

	@Autowired
	private EmbeddedKafkaBroker broker;

	@Test
	void deadLettersUnsignedEventWhenAnonymousMayActForNoTenant() {
		ProducerAllowlist production = ProducerAllowlist.of(new ProducerAllowlistProperties(Map.of(), List.of()));
		WebhookEventListener listener = new WebhookEventListener(this.fanOut, this.deadLetters, this.alerter,
				this.metrics, production, new IntakeRetry(Duration.ofSeconds(30)));
		try (Receiver receiver = Receiver.ok(); Consumer<String, byte[]> dlt = deadLetterConsumer()) {
			createEndpoint(receiver.url(), "order.created");
			String id = RelayIds.next(IdKind.EVENT);
			byte[] value = CloudEventCodec.encode(event(id, "order.created", Map.of("order", id)));

			listener.onEvents(List.of(new ConsumerRecord<>(Topics.WEBHOOK, 0, 0, id, value)));

			List<ConsumerRecord<String, byte[]>> found = new ArrayList<>();
			await().atMost(WAIT).until(() -> {
				dlt.poll(Duration.ofMillis(200)).forEach((r) -> {
					if (id.equals(r.key())) {
						found.add(r);
					}
				});
				return !found.isEmpty();
			});
			assertThat(new String(found.get(0).headers().lastHeader(RelayKafkaHeaders.DLT_REASON).value(),
					StandardCharsets.UTF_8))
				.isEqualTo("unsigned record: producer 'anonymous' may not act for tenant '" + this.tenant + "'");
			await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
				get(this.tenant, "/internal/v1/messages/" + id).exchange().expectStatus().isNotFound();
				assertThat(receiver.count()).isZero();
			});
		}
	}

	private Consumer<String, byte[]> deadLetterConsumer() {
		Map<String, Object> props = KafkaTestUtils.consumerProps(this.broker, "dlt-" + this.tenant, false);
		props.put("auto.offset.reset", "earliest");
		Consumer<String, byte[]> consumer = new DefaultKafkaConsumerFactory<>(props, new StringDeserializer(),
				new ByteArrayDeserializer())
			.createConsumer();
		consumer.subscribe(List.of(Topics.deadLetter(Topics.WEBHOOK)));
		return consumer;
	}

}
