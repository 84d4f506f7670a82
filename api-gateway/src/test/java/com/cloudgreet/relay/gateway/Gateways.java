package com.cloudgreet.relay.gateway;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.http.client.ReactorResourceFactory;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * Starts extra gateway instances in the test JVM, for tests that need more than the shared
 * context: a second replica, another Redis, a dead Kafka. Each runs the real application with the
 * test profile plus the given overrides (as command-line arguments, so they win over the profile).
 */
final class Gateways {

	private Gateways() {
	}

	static ConfigurableApplicationContext start(Map<String, String> overrides) {
		List<String> args = new ArrayList<>();
		overrides.forEach((key, value) -> args.add("--" + key + "=" + value));
		return new SpringApplicationBuilder(GatewayApplication.class).profiles("test")
			.initializers(Gateways::privateNettyResources)
			.run(args.toArray(String[]::new));
	}

	/**
	 * By default Boot's Netty servers and clients share Reactor Netty's global event loops, and
	 * closing a context disposes them, which would kill the shared test context's servers too
	 * (as {@code @SpringBootTest} contexts avoid for themselves).
	 */
	private static void privateNettyResources(ConfigurableApplicationContext context) {
		context.getBeanFactory().addBeanPostProcessor(new BeanPostProcessor() {
			@Override
			public Object postProcessBeforeInitialization(Object bean, String beanName) {
				if (bean instanceof ReactorResourceFactory factory) {
					factory.setUseGlobalResources(false);
				}
				return bean;
			}
		});
	}

	static WebTestClient client(ConfigurableApplicationContext context) {
		return WebTestClient.bindToServer()
			.baseUrl("http://127.0.0.1:" + context.getEnvironment().getProperty("local.server.port"))
			.responseTimeout(java.time.Duration.ofSeconds(20))
			.build();
	}

	static WebTestClient management(ConfigurableApplicationContext context) {
		return WebTestClient.bindToServer()
			.baseUrl("http://127.0.0.1:" + context.getEnvironment().getProperty("local.management.port"))
			.build();
	}

}
