package com.cloudgreet.relay.notification;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

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
import com.cloudgreet.relay.common.problem.ProblemTypes;
import com.cloudgreet.relay.notification.consume.SmsRequestListener;
import com.cloudgreet.relay.testsupport.Kcat;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.listener.MessageListenerContainer;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Restarts, duplicates, poison records and foreign producers: the consumer keeps going and never sends twice. */
class ConsumerRobustnessIT extends NotificationIT {

	@Autowired
	private KafkaListenerEndpointRegistry listeners;

	@Test
	void deliversEverythingOnceWhenConsumerIsStoppedMidStreamAndRestarted() {
		List<String> numbers = new ArrayList<>();
		List<String> ids = new ArrayList<>();
		for (int i = 0; i < 40; i++) {
			String to = phoneNumber();
			numbers.add(to);
			TWILIO.stubFor(post(urlEqualTo(TWILIO_MESSAGES)).withFormParam("To", equalTo(to))
				.willReturn(okJson("{\"sid\":\"SM" + i + "\"}").withStatus(201).withFixedDelay(100)));
		}
		for (String to : numbers) {
			ids.add(publishSms(to, "restart test"));
		}
		MessageListenerContainer container = this.listeners.getListenerContainer(SmsRequestListener.ID);
		await().until(() -> deliveredCount(numbers) >= 5);

		// The consumer only takes records into the engine; stopping it mid-stream must neither lose a
		// record whose offset was not committed nor send a stored one twice when it starts again.
		container.stop();
		container.start();

		for (String id : ids) {
			awaitStatus(id, "delivered");
		}
		for (String to : numbers) {
			TWILIO.verify(1, postRequestedFor(urlEqualTo(TWILIO_MESSAGES)).withFormParam("To", equalTo(to)));
		}
	}

	@Test
	void sendsDuplicateRecordsOfOneMessageOnlyOnce() {
		String to = phoneNumber();
		TWILIO.stubFor(post(urlEqualTo(TWILIO_MESSAGES)).withFormParam("To", equalTo(to))
			.willReturn(okJson("{\"sid\":\"SMdup\"}").withStatus(201).withFixedDelay(300)));
		String id = RelayIds.next(IdKind.MESSAGE);
		byte[] value = CloudEventCodec.encode(CloudEvent.request(Channel.SMS, id, "/tests", this.tenant,
				RelayJson.tree(Map.of("to", to, "body", "once"))));
		// Different keys put the copies on different partitions, so they are handled concurrently.
		for (String key : List.of("a", "b", "c", "d")) {
			this.kafka.send(new ProducerRecord<>(Topics.SMS, key + id, value)).join();
		}

		awaitStatus(id, "delivered");
		await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5))
			.until(() -> TWILIO.findAll(postRequestedFor(urlEqualTo(TWILIO_MESSAGES)).withFormParam("To", equalTo(to)))
				.size() == 1);
		assertThat(status(id).path("attempts")).hasSize(1);
	}

	@ParameterizedTest
	@ValueSource(strings = { "not json at all", "{\"specversion\":\"1.0\"}", "[1,2,3]", "" })
	void deadLettersPoisonRecordWithReasonAndDeliversTheNextOne(String poison) {
		byte[] marker = ("poison-" + System.nanoTime()).getBytes(StandardCharsets.UTF_8);
		Map<String, Object> config = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, this.brokers);
		try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(config, new ByteArraySerializer(),
				new ByteArraySerializer())) {
			// All on one partition (same key): the good record sits right behind the poison one.
			producer.send(new ProducerRecord<>(Topics.EMAIL, null, marker, poison.getBytes(StandardCharsets.UTF_8)));
			producer.flush();
		}
		String good = publishEmailWithKey(new String(marker, StandardCharsets.UTF_8));

		ConsumerRecord<String, byte[]> dead = awaitDeadLetter(Topics.deadLetter(Topics.EMAIL),
				(record) -> record.key() != null && record.key().equals(new String(marker, StandardCharsets.UTF_8)));
		assertThat(header(dead, RelayKafkaHeaders.DLT_REASON)).startsWith("invalid message: ");
		assertThat(text(dead)).isEqualTo(poison);
		awaitStatus(good, "delivered");
	}

	@Test
	void deadLettersPayloadViolationAndShowsItInTheLog() {
		String id = RelayIds.next(IdKind.MESSAGE);
		String event = """
				{"specversion":"1.0","id":"%s","source":"/tests","type":"relay.sms.requested",
				 "tenantid":"%s","data":{"to":"not a number","body":"x"}}""".formatted(id, this.tenant);
		this.kafka.send(new ProducerRecord<>(Topics.SMS, id, event.getBytes(StandardCharsets.UTF_8))).join();

		ConsumerRecord<String, byte[]> dead = awaitDeadLetter(Topics.deadLetter(Topics.SMS),
				(record) -> text(record).contains(id));
		assertThat(header(dead, RelayKafkaHeaders.DLT_REASON)).contains("/data/to").contains("E.164");
		assertThat(awaitStatus(id, "dead_lettered").path("attempts")).isEmpty();

		// It cannot be replayed as it is: the retry is refused and nothing changes.
		this.web.post()
			.uri("/internal/v1/messages/{id}/retry", id)
			.header(RelayHttpHeaders.INTERNAL_TOKEN, TOKEN)
			.header(RelayHttpHeaders.TENANT_ID, this.tenant)
			.exchange()
			.expectStatus()
			.isEqualTo(409)
			.expectBody()
			.jsonPath("$.type")
			.isEqualTo(ProblemTypes.NOT_RETRYABLE.toString());
		assertThat(status(id).path("status").asString()).isEqualTo("dead_lettered");
	}

	@Test
	@ExtendWith(OutputCaptureExtension.class)
	void deliversRecordProducedByKcatLikeOneFromTheGateway(CapturedOutput output) throws Exception {
		Path kcat = Kcat.executable();
		String to = phoneNumber();
		TWILIO.stubFor(post(urlEqualTo(TWILIO_MESSAGES)).withFormParam("To", equalTo(to))
			.willReturn(okJson("{\"sid\":\"SMkcat\"}").withStatus(201)));
		String id = RelayIds.next(IdKind.MESSAGE);
		String event = "{\"specversion\":\"1.0\",\"id\":\"" + id + "\",\"source\":\"/billing\","
				+ "\"type\":\"relay.sms.requested\",\"time\":\"2026-01-01T00:00:00Z\",\"datacontenttype\":\"application/json\","
				+ "\"tenantid\":\"" + this.tenant + "\",\"data\":{\"to\":\"" + to + "\",\"body\":\"from kcat\"}}";

		Process process = new ProcessBuilder(kcat.toString(), "-b", this.brokers, "-t", Topics.SMS, "-P",
				"-k", RecordKeys.forSms(this.tenant, to), "-H", "content-type=application/cloudevents+json",
				// W3C trace context from a non-Java producer: the delivery continues its trace.
				"-H", "traceparent=00-" + KCAT_TRACE_ID + "-00f067aa0ba902b7-01")
			.redirectErrorStream(true)
			.start();
		try (OutputStream stdin = process.getOutputStream()) {
			stdin.write(event.getBytes(StandardCharsets.UTF_8));
		}
		assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
		assertThat(process.exitValue()).as(new String(process.getInputStream().readAllBytes())).isZero();

		assertThat(awaitStatus(id, "delivered").path("providerMessageId").asString()).isEqualTo("SMkcat");
		TWILIO.verify(1, postRequestedFor(urlEqualTo(TWILIO_MESSAGES)).withFormParam("To", equalTo(to))
			.withFormParam("Body", equalTo("from kcat")));
		await().atMost(Duration.ofSeconds(10))
			.untilAsserted(() -> assertThat(output.getOut().lines().filter((line) -> line.contains("Delivered sms message " + id)))
				.singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
				.contains(KCAT_TRACE_ID));
	}

	private static final String KCAT_TRACE_ID = "0af7651916cd43dd8448eb211c80319c";

	private String publishEmailWithKey(String key) {
		return publish(Channel.EMAIL, Map.of("to", List.of("next@example.com"), "subject", "after poison", "text", "ok"),
				key);
	}

	private static int deliveredCount(List<String> numbers) {
		return (int) numbers.stream()
			.filter((to) -> !TWILIO.findAll(postRequestedFor(urlEqualTo(TWILIO_MESSAGES)).withFormParam("To", equalTo(to)))
				.isEmpty())
			.count();
	}

}
