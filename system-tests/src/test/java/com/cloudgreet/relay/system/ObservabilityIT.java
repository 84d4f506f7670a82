package com.cloudgreet.relay.system;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import com.cloudgreet.relay.common.json.RelayJson;
import com.cloudgreet.relay.common.kafka.Topics;
import com.cloudgreet.relay.testsupport.DebianPackages;
import com.cloudgreet.relay.testsupport.Ports;
import io.fabric8.kubernetes.client.utils.Serialization;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The operators' kit against a real Prometheus (Debian's package) scraping the running services
 * after real traffic: the alert rules pass promtool and its unit tests, every query on the
 * dashboard returns data, and alerts fire for a dead letter and for the limiter in fail-open.
 */
class ObservabilityIT {

	private static final Path ROOT = Path.of(System.getProperty("relay.root", "..")).toAbsolutePath().normalize();

	private static final Path MONITORING = ROOT.resolve("k8s/monitoring");

	private static final Path WORK = ROOT.resolve("system-tests/target/prometheus");

	private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	/** A gateway whose Redis is unreachable, so its limiter runs in fail-open. */
	private static final ServiceProcess degradedGateway = new ServiceProcess("api-gateway", "api-gateway-redis-down");

	private static final MockWebServer receiver = new MockWebServer();

	private static Process prometheus;

	private static int prometheusPort;

	@BeforeAll
	static void startPrometheusAndTraffic() throws Exception {
		RunningRelay.start();
		degradedGateway.start(RunningRelay.with(RunningRelay.gatewaySettings(),
				Map.of("spring.data.redis.url", "redis://127.0.0.1:" + Ports.unused(),
						"relay.gateway.rate-limit.redis-failure-mode", "fail-open")));
		startPrometheus();
		receiver.setDispatcher(new mockwebserver3.Dispatcher() {
			@Override
			public MockResponse dispatch(mockwebserver3.RecordedRequest request) {
				return new MockResponse.Builder().code(204).build();
			}
		});
		receiver.start();
		await("degraded gateway answers").atMost(Duration.ofMinutes(3))
			.pollInterval(Duration.ofMillis(500))
			.until(() -> status("http://127.0.0.1:" + degradedGateway.managementPort + "/actuator/prometheus") == 200);
		sendTraffic();
	}

	@AfterAll
	static void stop() throws IOException {
		if (prometheus != null) {
			prometheus.destroy();
		}
		degradedGateway.stop();
		receiver.close();
	}

	@Test
	void promtoolAcceptsTheRulesAndTheirUnitTests() throws Exception {
		Path promtool = DebianPackages.executable("prometheus", Path.of("/usr/bin/promtool"));
		assertThat(run(MONITORING, promtool.toString(), "check", "rules", "relay-rules.yml")).contains("SUCCESS");
		assertThat(run(MONITORING, promtool.toString(), "test", "rules", "relay-rules.test.yml")).contains("SUCCESS");
	}

	@Test
	void thePrometheusRuleObjectCarriesTheSameRules() throws IOException {
		Map<?, ?> rules = Serialization.unmarshal(Files.readString(MONITORING.resolve("relay-rules.yml")), Map.class);
		Map<?, ?> object = Serialization.unmarshal(Files.readString(MONITORING.resolve("prometheus-rule.yaml")),
				Map.class);
		assertThat(object.get("kind")).isEqualTo("PrometheusRule");
		assertThat(((Map<?, ?>) object.get("spec")).get("groups")).isEqualTo(rules.get("groups"));
	}

	@Test
	void everyDashboardQueryReturnsData() throws IOException {
		JsonNode dashboard = RelayJson.mapper().readTree(Files.readString(MONITORING.resolve("relay-dashboard.json")));
		List<String> queries = new ArrayList<>();
		dashboard.get("panels").forEach((panel) -> panel.get("targets").forEach((t) -> queries.add(t.get("expr").asString())));
		assertThat(queries).hasSizeGreaterThanOrEqualTo(12);
		for (String query : queries) {
			await("data for " + query).atMost(Duration.ofSeconds(90))
				.pollInterval(Duration.ofSeconds(1))
				.until(() -> query(query).size() > 0);
		}
	}

	@Test
	void alertsFireForADeadLetterAndForTheLimiterInFailOpen() {
		await("RelayDeadLetters and RelayRateLimiterDegraded firing").atMost(Duration.ofSeconds(90))
			.pollInterval(Duration.ofSeconds(1))
			.until(() -> firing().containsAll(List.of("RelayDeadLetters", "RelayRateLimiterDegraded")));
	}

	private static void sendTraffic() throws Exception {
		String apiKey = createTenant();
		String gateway = RunningRelay.GATEWAY.url();
		post(gateway + "/v1/messages/email", apiKey,
				"{\"to\":[\"ops@example.com\"],\"subject\":\"Hello\",\"text\":\"metrics\"}");
		post(gateway + "/v1/messages/sms", apiKey, "{\"to\":\"+14155550123\",\"body\":\"metrics\"}");
		post(gateway + "/v1/endpoints", apiKey,
				"{\"url\":\"" + receiver.url("/hooks") + "\",\"eventTypes\":[\"metrics.checked\"]}");
		post(gateway + "/v1/events", apiKey, "{\"eventType\":\"metrics.checked\",\"payload\":{\"n\":1}}");
		// A record no consumer can read: straight to the webhook DLT, the dead letter the alert is for.
		try (var producer = new KafkaProducer<String, byte[]>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
				RunningRelay.KAFKA.getBrokersAsString(), ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG,
				StringSerializer.class, ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class))) {
			producer.send(new ProducerRecord<>(Topics.WEBHOOK, "poison", "not json".getBytes(StandardCharsets.UTF_8)))
				.get(30, TimeUnit.SECONDS);
		}
		// Decided by the fallback limiter: Redis is unreachable for this gateway.
		status(degradedGateway.url() + "/v1/messages/msg_0192f0c0a1b27c3d8e4f5a6b7c8d0000");
	}

	private static void startPrometheus() throws Exception {
		Path binary = DebianPackages.executable("prometheus", Path.of("/usr/bin/prometheus"));
		Files.createDirectories(WORK);
		// The production rules with every `for:` at zero: the condition holding is what this test can
		// wait for; the durations themselves are covered by relay-rules.test.yml.
		Files.writeString(WORK.resolve("relay-rules.yml"),
				Files.readString(MONITORING.resolve("relay-rules.yml")).replaceAll("(?m)^(\\s+)for: .*$", "$1for: 0s"));
		StringBuilder config = new StringBuilder("""
				global:
				  scrape_interval: 1s
				  evaluation_interval: 1s
				rule_files: [relay-rules.yml]
				scrape_configs:
				""");
		Map<String, List<ServiceProcess>> jobs = Map.of("relay-api-gateway", List.of(RunningRelay.GATEWAY, degradedGateway),
				"relay-notification-service", List.of(RunningRelay.NOTIFICATION), "relay-webhook-service",
				List.of(RunningRelay.WEBHOOK));
		jobs.forEach((job, services) -> {
			config.append("  - job_name: ").append(job).append("\n    metrics_path: /actuator/prometheus\n");
			config.append("    static_configs:\n      - targets: [");
			config.append(String.join(", ", services.stream().map((s) -> "\"127.0.0.1:" + s.managementPort + "\"").toList()));
			config.append("]\n");
		});
		Files.writeString(WORK.resolve("prometheus.yml"), config);
		prometheusPort = Ports.unused();
		prometheus = new ProcessBuilder(binary.toString(), "--config.file=" + WORK.resolve("prometheus.yml"),
				"--storage.tsdb.path=" + WORK.resolve("data-" + UUID.randomUUID()),
				"--web.listen-address=127.0.0.1:" + prometheusPort).redirectErrorStream(true)
			.redirectOutput(WORK.resolve("prometheus.log").toFile())
			.start();
		await("Prometheus ready").atMost(Duration.ofSeconds(60))
			.pollInterval(Duration.ofMillis(250))
			.failFast(() -> !prometheus.isAlive())
			.until(() -> status("http://127.0.0.1:" + prometheusPort + "/-/ready") == 200);
	}

	private static JsonNode query(String query) throws Exception {
		JsonNode answer = getJson("/api/v1/query?query=" + URLEncoder.encode(query, StandardCharsets.UTF_8));
		assertThat(answer.get("status").asString()).as(query).isEqualTo("success");
		return answer.get("data").get("result");
	}

	private static List<String> firing() throws Exception {
		List<String> names = new ArrayList<>();
		getJson("/api/v1/alerts").get("data").get("alerts").forEach((alert) -> {
			if ("firing".equals(alert.get("state").asString())) {
				names.add(alert.get("labels").get("alertname").asString());
			}
		});
		return names;
	}

	private static JsonNode getJson(String path) throws Exception {
		HttpResponse<String> response = HTTP.send(
				HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + prometheusPort + path)).build(),
				HttpResponse.BodyHandlers.ofString());
		return RelayJson.mapper().readTree(response.body());
	}

	private static String createTenant() throws Exception {
		HttpResponse<String> response = HTTP.send(
				HttpRequest.newBuilder(URI.create(RunningRelay.GATEWAY.url() + "/admin/v1/tenants"))
					.header("Authorization", "Bearer " + RunningRelay.ADMIN_TOKEN)
					.header("Content-Type", "application/json")
					.POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"observability-" + UUID.randomUUID() + "\"}"))
					.build(),
				HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
		return RelayJson.mapper().readTree(response.body()).get("apiKey").asString();
	}

	private static void post(String url, String apiKey, String body) throws Exception {
		HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(url))
			.header("Authorization", "Bearer " + apiKey)
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString(body))
			.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).as(url + " " + response.body()).isBetween(200, 299);
	}

	private static int status(String url) {
		try {
			return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
					HttpResponse.BodyHandlers.discarding()).statusCode();
		}
		catch (IOException ex) {
			return -1;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return -1;
		}
	}

	private static String run(Path directory, String... command) throws Exception {
		Process process = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true).start();
		String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertThat(process.waitFor()).as(output).isZero();
		return output;
	}

}
