package com.cloudgreet.relay.webhook.config;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.ConfigDataApplicationContextInitializer;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/** The shipped application.yml, bound the way deployments set it: through environment variables. */
class WebhookServicePropertiesTest {

	private static final String KEY = "dGVzdC1vbmx5LXdlYmhvb2stc2VjcmV0LWtleS0zMmI=";

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withInitializer(new ConfigDataApplicationContextInitializer())
		.withUserConfiguration(PropertiesOnly.class);

	@Test
	void refusesToStartWithoutASecretKey() {
		this.runner.withInitializer(environment(Map.of("RELAY_INTERNAL_TOKEN", "token"))).run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause()
				.hasMessageContaining("relay.webhooks.secret-keys is required")
				.hasMessageContaining("relay.webhooks.secret-key-id is required");
		});
	}

	/** The names compose, k8s and ./dev/up use. */
	@Test
	void bindsTheKeysFromEnvironmentVariables() {
		this.runner
			.withInitializer(environment(Map.of("RELAY_INTERNAL_TOKEN", "token", "RELAY_WEBHOOKS_SECRETKEYS_K1", KEY,
					"RELAY_WEBHOOKS_SECRETKEYS_K2", KEY, "RELAY_WEBHOOKS_SECRETKEYID", "k2")))
			.run((context) -> {
				assertThat(context).hasNotFailed();
				var webhooks = context.getBean(WebhookServiceProperties.class).webhooks();
				assertThat(webhooks.secretKeys()).containsOnlyKeys("k1", "k2");
				assertThat(webhooks.secretKeyId()).isEqualTo("k2");
				assertThat(webhooks.maxEndpointsPerTenant()).isEqualTo(100);
				assertThat(webhooks.maxInFlightPerTenant()).isEqualTo(128);
			});
	}

	/** 1024 x 261 KB (the largest body and excerpt) is over the 160 MB set aside for them. */
	@Test
	void refusesMoreDeliveriesInFlightThanTheirMemoryHolds() {
		this.runner
			.withInitializer(environment(Map.of("RELAY_INTERNAL_TOKEN", "token", "RELAY_WEBHOOKS_SECRETKEYS_K1", KEY,
					"RELAY_WEBHOOKS_SECRETKEYID", "k1", "RELAY_WEBHOOKS_MAXINFLIGHT", "1024")))
			.run((context) -> {
				assertThat(context).hasFailed();
				assertThat(context.getStartupFailure()).rootCause()
					.hasMessageContaining("relay.webhooks.in-flight-memory");
			});
	}

	/** Properties end up in logs (a failed bind, a debug dump of the context): no secret may show. */
	@Test
	void toStringShowsNoSecret() {
		String slack = "https://hooks.slack.com/services/T000/B000/slack-secret-part";
		this.runner
			.withInitializer(environment(Map.of("RELAY_INTERNAL_TOKEN", "internal-secret-token",
					"RELAY_WEBHOOKS_SECRETKEYS_K1", KEY, "RELAY_WEBHOOKS_SECRETKEYID", "k1",
					"RELAY_ALERTS_SLACKWEBHOOKURL", slack)))
			.run((context) -> {
				var properties = context.getBean(WebhookServiceProperties.class);
				assertThat(properties.alerts().slackWebhookUrl()).isEqualTo(slack);
				assertThat(properties.toString()).contains("k1")
					.doesNotContain(KEY)
					.doesNotContain("slack-secret-part")
					.doesNotContain("internal-secret-token");
				assertThat(properties.webhooks().toString()).doesNotContain(KEY);
				assertThat(properties.alerts().toString()).doesNotContain("slack-secret-part");
			});
	}

	private static ApplicationContextInitializer<ConfigurableApplicationContext> environment(Map<String, Object> variables) {
		return (context) -> context.getEnvironment()
			.getPropertySources()
			.addFirst(new SystemEnvironmentPropertySource(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
					variables));
	}

	@Configuration(proxyBeanMethods = false)
	@EnableConfigurationProperties(WebhookServiceProperties.class)
	static class PropertiesOnly {

	}

}
