package com.cloudgreet.relay.system.deploy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.fabric8.kubernetes.client.utils.Serialization;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * k8s/monitoring (for the Prometheus Operator and Grafana's dashboard sidecar) renders, and carries
 * exactly the rules and the dashboard that ObservabilityIT checks against a real Prometheus.
 */
class MonitoringManifestsTest {

	private static final Path MONITORING = Kustomize.K8S.resolve("monitoring");

	@Test
	void rendersTheRulesTheDashboardAndAPodMonitorOfTheManagementPorts() throws IOException {
		List<Map<?, ?>> objects = new ArrayList<>();
		for (String document : Kustomize.render(MONITORING).split("(?m)^---\\s*$")) {
			if (!document.isBlank()) {
				objects.add(Serialization.unmarshal(document, Map.class));
			}
		}
		assertThat(objects.stream().map((o) -> (Object) o.get("kind")).toList())
			.containsExactlyInAnyOrder("ConfigMap", "PrometheusRule", "PodMonitor");

		Map<?, ?> rules = Serialization.unmarshal(Files.readString(MONITORING.resolve("relay-rules.yml")), Map.class);
		assertThat(field(only(objects, "PrometheusRule"), "spec", "groups")).isEqualTo(rules.get("groups"));

		Map<?, ?> dashboard = only(objects, "ConfigMap");
		assertThat(field(dashboard, "metadata", "labels")).isEqualTo(Map.of("grafana_dashboard", "1"));
		assertThat(field(dashboard, "data", "relay-dashboard.json"))
			.isEqualTo(Files.readString(MONITORING.resolve("relay-dashboard.json")));

		Map<?, ?> podMonitor = only(objects, "PodMonitor");
		assertThat(field(podMonitor, "spec", "podMetricsEndpoints").toString()).contains("port=management",
				"path=/actuator/prometheus");
		assertThat(field(podMonitor, "spec", "selector").toString()).contains("api-gateway", "notification-service",
				"webhook-service");
		assertThat(field(podMonitor, "metadata", "namespace")).isEqualTo("relay");
	}

	private static Map<?, ?> only(List<Map<?, ?>> objects, String kind) {
		return objects.stream().filter((o) -> kind.equals(o.get("kind"))).findFirst().orElseThrow();
	}

	private static Object field(Map<?, ?> object, String... path) {
		Object value = object;
		for (String key : path) {
			value = ((Map<?, ?>) value).get(key);
		}
		return value;
	}

}
