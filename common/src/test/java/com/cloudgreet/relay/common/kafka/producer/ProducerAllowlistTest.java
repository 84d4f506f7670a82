package com.cloudgreet.relay.common.kafka.producer;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import com.cloudgreet.relay.common.kafka.RelayKafkaHeaders;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class ProducerAllowlistTest {

	private static final String GATEWAY_KEY = "Z2F0ZXdheS10ZXN0LWtleS1vZi0zMi1ieXRlcy14eHg=";

	private static final String TOPIC = "relay.email.v1";

	private static final byte[] VALUE = "{}".getBytes(StandardCharsets.UTF_8);

	private final ProducerAllowlist allowlist = ProducerAllowlist.of(new ProducerAllowlistProperties(
			Map.of("gateway", new ProducerAllowlistProperties.Producer(GATEWAY_KEY, List.of("*")), "billing",
					new ProducerAllowlistProperties.Producer(ProducerSignatureTest.KEY, List.of("ten_a"))),
			List.of()));

	@Test
	void acceptsSignedRecordForOneOfItsProducersTenants() {
		assertThat(this.allowlist.refusal(signed("billing", ProducerSignatureTest.KEY), "ten_a")).isEmpty();
		assertThat(this.allowlist.refusal(signed("gateway", GATEWAY_KEY), "ten_anything")).isEmpty();
	}

	@Test
	void refusesProducerActingForAnotherTenant() {
		assertThat(this.allowlist.refusal(signed("billing", ProducerSignatureTest.KEY), "ten_b"))
			.contains("producer 'billing' may not act for tenant 'ten_b'");
	}

	@Test
	void refusesSignatureMadeWithAnotherKey() {
		assertThat(this.allowlist.refusal(signed("gateway", ProducerSignatureTest.KEY), "ten_a"))
			.contains("producer signature invalid (producer 'gateway')");
	}

	@Test
	void refusesNamedProducerWithoutSignature() {
		ConsumerRecord<String, byte[]> record = record();
		record.headers().add(RelayKafkaHeaders.PRODUCER, "gateway".getBytes(StandardCharsets.UTF_8));
		assertThat(this.allowlist.refusal(record, "ten_a")).contains("producer signature invalid (producer 'gateway')");
	}

	@Test
	void refusesUnknownProducerWithoutEchoingAnArbitraryName() {
		assertThat(this.allowlist.refusal(signed("stranger", ProducerSignatureTest.KEY), "ten_a"))
			.contains("unknown producer 'stranger'");
		assertThat(this.allowlist.refusal(signed("Robert'); --", ProducerSignatureTest.KEY), "ten_a"))
			.contains("unknown producer (not a valid producer name)");
		assertThat(this.allowlist.refusal(signed("anonymous", ProducerSignatureTest.KEY), "ten_a"))
			.contains("unknown producer 'anonymous'");
	}

	@Test
	void refusesUnsignedRecordUnlessAnonymousMayActForItsTenant() {
		assertThat(this.allowlist.refusal(record(), "ten_a"))
			.contains("unsigned record: producer 'anonymous' may not act for tenant 'ten_a'");
		ProducerAllowlist open = ProducerAllowlist.of(new ProducerAllowlistProperties(Map.of(), List.of("*")));
		assertThat(open.refusal(record(), "ten_a")).isEmpty();
		ProducerAllowlist one = ProducerAllowlist.of(new ProducerAllowlistProperties(Map.of(), List.of("ten_a")));
		assertThat(one.refusal(record(), "ten_a")).isEmpty();
		assertThat(one.refusal(record(), "ten_b")).isPresent();
	}

	@Test
	void refusesSignatureWithoutProducerHeader() {
		ConsumerRecord<String, byte[]> record = record();
		record.headers().add(RelayKafkaHeaders.PRODUCER_SIGNATURE, "v1,AAAA".getBytes(StandardCharsets.UTF_8));
		ProducerAllowlist open = ProducerAllowlist.of(new ProducerAllowlistProperties(Map.of(), List.of("*")));
		assertThat(open.refusal(record, "ten_a")).get().asString().startsWith("producer signature invalid");
	}

	@Test
	void refusesBadConfigurationNamingTheSettingButNotTheKey() {
		assertThatIllegalArgumentException().isThrownBy(() -> of("Billing", GATEWAY_KEY, List.of("*")))
			.withMessageStartingWith("relay.kafka.producers.Billing:");
		assertThatIllegalArgumentException().isThrownBy(() -> of("anonymous", GATEWAY_KEY, List.of("*")));
		assertThatIllegalArgumentException().isThrownBy(() -> of("billing", GATEWAY_KEY, List.of()))
			.withMessageContaining("relay.kafka.producers.billing.tenants");
		assertThatIllegalArgumentException().isThrownBy(() -> of("billing", GATEWAY_KEY, List.of("*", "ten_a")));
		assertThatIllegalArgumentException().isThrownBy(() -> of("billing", "c2hvcnQ=", List.of("*")))
			.withMessageStartingWith("relay.kafka.producers.billing.key is shorter")
			.withMessageNotContaining("c2hvcnQ=");
		assertThat(new ProducerAllowlistProperties.Producer(GATEWAY_KEY, List.of("*")).toString()).doesNotContain(GATEWAY_KEY);
	}

	private static ProducerAllowlist of(String name, String key, List<String> tenants) {
		return ProducerAllowlist.of(new ProducerAllowlistProperties(
				Map.of(name, new ProducerAllowlistProperties.Producer(key, tenants)), List.of()));
	}

	private static ConsumerRecord<String, byte[]> record() {
		return new ConsumerRecord<>(TOPIC, 0, 0, "msg_1", VALUE);
	}

	private static ConsumerRecord<String, byte[]> signed(String producer, String key) {
		ConsumerRecord<String, byte[]> record = record();
		record.headers().add(RelayKafkaHeaders.PRODUCER, producer.getBytes(StandardCharsets.UTF_8));
		record.headers().add(RelayKafkaHeaders.PRODUCER_SIGNATURE, ProducerSignature
			.sign(SigningKey.decode(key, "test"), TOPIC, "msg_1", VALUE).getBytes(StandardCharsets.UTF_8));
		return record;
	}

}
