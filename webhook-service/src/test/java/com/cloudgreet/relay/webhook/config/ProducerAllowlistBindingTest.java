package com.cloudgreet.relay.webhook.config;

import java.util.Map;

import com.cloudgreet.relay.common.kafka.producer.ProducerAllowlist;
import com.cloudgreet.relay.common.kafka.producer.ProducerAllowlistConfiguration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.ConfigDataApplicationContextInitializer;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/** The shipped relay.kafka.producers settings, bound the way deployments set them: through environment variables. */
class ProducerAllowlistBindingTest {

	private static final String KEY = "Z2F0ZXdheS10ZXN0LWtleS1vZi0zMi1ieXRlcy14eHg=";

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withInitializer(new ConfigDataApplicationContextInitializer())
		.withUserConfiguration(ProducerAllowlistConfiguration.class);

	@Test
	void refusesToStartWithoutTheGatewaysKey() {
		this.runner.run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause()
				.hasMessageContaining("relay.kafka.producers.gateway.key is required");
		});
	}

	/** The names compose, k8s and ./dev/up use; unsigned records act for no tenant unless allowed. */
	@Test
	void bindsProducersFromEnvironmentVariables() {
		this.runner.withInitializer(environment(Map.of("RELAY_KAFKA_PRODUCERS_GATEWAY_KEY", KEY))).run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context.getBean(ProducerAllowlist.class).describe())
				.isEqualTo("gateway (all tenants), anonymous (no tenant)");
		});
		this.runner
			.withInitializer(environment(Map.of("RELAY_KAFKA_PRODUCERS_GATEWAY_KEY", KEY,
					"RELAY_KAFKA_PRODUCERS_BILLING_KEY", KEY, "RELAY_KAFKA_PRODUCERS_BILLING_TENANTS", "ten_a,ten_b",
					"RELAY_KAFKA_ANONYMOUSTENANTS", "*")))
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context.getBean(ProducerAllowlist.class).describe())
					.isEqualTo("billing (2 tenants), gateway (all tenants), anonymous (all tenants)");
			});
	}

	private static ApplicationContextInitializer<ConfigurableApplicationContext> environment(Map<String, Object> variables) {
		return (context) -> context.getEnvironment()
			.getPropertySources()
			.addFirst(new SystemEnvironmentPropertySource(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
					variables));
	}

}
