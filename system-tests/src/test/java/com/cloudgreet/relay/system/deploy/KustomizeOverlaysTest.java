package com.cloudgreet.relay.system.deploy;

import java.io.IOException;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Renders every way k8s/ is applied ({@code kubectl apply -k} of the base, the dev overlay and the
 * prod overlay) with kubectl's kustomize and checks what comes out: every object parses with the
 * Kubernetes model with no unknown field, and each service's pods probe, expose and get scraped
 * on the ports and paths that the service's own application.yml makes it serve.
 */
class KustomizeOverlaysTest {

	static final List<String> SERVICES = List.of("api-gateway", "notification-service", "webhook-service");

	private static final Map<String, Manifests> RENDERED = new ConcurrentHashMap<>();

	private static final YAMLMapper YAML = YAMLMapper.builder().build();

	static Manifests rendered(String directory) {
		return RENDERED.computeIfAbsent(directory, Manifests::render);
	}

	@ParameterizedTest
	@ValueSource(strings = { "k8s", "k8s/overlays/dev", "k8s/overlays/prod" })
	void everyObjectParsesWithTheKubernetesModel(String directory) {
		Manifests manifests = rendered(directory);

		assertThat(manifests.objects()).hasSizeGreaterThan(10);
		assertThat(manifests.all(Deployment.class)).extracting((d) -> d.getMetadata().getName())
			.containsAll(SERVICES);
	}

	@ParameterizedTest
	@ValueSource(strings = { "k8s", "k8s/overlays/dev", "k8s/overlays/prod" })
	void everyNamespacedObjectNamesItsNamespace(String directory) {
		Manifests manifests = rendered(directory);

		// Without one, kubectl apply puts an object into the caller's current namespace.
		assertThat(manifests.objects()).filteredOn((object) -> !(object instanceof Namespace))
			.allSatisfy((object) -> assertThat(object.getMetadata().getNamespace()).as(id(object)).isNotBlank());
		assertThat(manifests.kafkaTopics())
			.allSatisfy((topic) -> assertThat(topic.metadata().namespace()).as(topic.topicName()).isNotBlank());
	}

	@ParameterizedTest
	@ValueSource(strings = { "k8s", "k8s/overlays/dev", "k8s/overlays/prod" })
	void probesAndPortsMatchWhatTheServicesServe(String directory) {
		Manifests manifests = rendered(directory);

		for (String name : SERVICES) {
			Deployment deployment = manifests.named(Deployment.class, name);
			PodTemplateSpec pod = deployment.getSpec().getTemplate();
			Container container = pod.getSpec().getContainers().stream()
				.filter((c) -> name.equals(c.getName()))
				.findFirst()
				.orElseThrow(() -> new AssertionError(name + " has no container named " + name));
			Served served = served(name, environment(container, manifests));

			assertThat(served.probesEnabled()).as(name + ": management.endpoint.health.probes.enabled").isTrue();
			assertThat(served.exposed()).as(name + ": management.endpoints.web.exposure.include")
				.contains("health", "prometheus");
			assertThat(containerPort(container, "http")).as(name + " http port").isEqualTo(served.httpPort());
			assertThat(containerPort(container, "management")).as(name + " management port")
				.isEqualTo(served.managementPort());

			assertProbe(name + " liveness", container.getLivenessProbe(), container, served, "/health/liveness");
			assertProbe(name + " readiness", container.getReadinessProbe(), container, served, "/health/readiness");
			assertProbe(name + " startup", container.getStartupProbe(), container, served, "/health/liveness");

			Map<String, String> annotations = pod.getMetadata().getAnnotations();
			assertThat(annotations).as(name + " scrape annotations")
				.containsEntry("prometheus.io/scrape", "true")
				.containsEntry("prometheus.io/port", Integer.toString(served.managementPort()))
				.containsEntry("prometheus.io/path", served.actuatorBasePath() + "/prometheus");
		}
	}

	@ParameterizedTest
	@ValueSource(strings = { "k8s", "k8s/overlays/dev", "k8s/overlays/prod" })
	void servicesRouteToPortsTheirPodsDeclare(String directory) {
		Manifests manifests = rendered(directory);

		for (Service service : manifests.all(Service.class)) {
			List<PodTemplateSpec> pods = podTemplates(manifests).stream()
				.filter((pod) -> selects(service.getSpec().getSelector(), pod.getMetadata().getLabels()))
				.toList();
			assertThat(pods).as("pods behind Service " + service.getMetadata().getName()).isNotEmpty();
			for (ServicePort port : service.getSpec().getPorts()) {
				IntOrString target = (port.getTargetPort() != null) ? port.getTargetPort() : new IntOrString(port.getPort());
				assertThat(pods).allSatisfy((pod) -> assertThat(pod.getSpec().getContainers().stream()
					.flatMap((container) -> container.getPorts().stream())
					.anyMatch((declared) -> matches(target, declared)))
					.as("Service %s port %s -> %s", service.getMetadata().getName(), port.getPort(), target.getValue())
					.isTrue());
			}
		}
	}

	@ParameterizedTest
	@ValueSource(strings = { "k8s", "k8s/overlays/dev", "k8s/overlays/prod" })
	void autoscalersAndDisruptionBudgetsTargetExistingWorkloads(String directory) {
		Manifests manifests = rendered(directory);

		for (HorizontalPodAutoscaler hpa : manifests.all(HorizontalPodAutoscaler.class)) {
			assertThat(hpa.getSpec().getScaleTargetRef().getKind()).isEqualTo("Deployment");
			manifests.named(Deployment.class, hpa.getSpec().getScaleTargetRef().getName());
			assertThat(hpa.getSpec().getMinReplicas()).as(id(hpa)).isLessThanOrEqualTo(hpa.getSpec().getMaxReplicas());
		}
		for (PodDisruptionBudget budget : manifests.all(PodDisruptionBudget.class)) {
			assertThat(podTemplates(manifests)).as(id(budget) + " selects a workload")
				.anyMatch((pod) -> selects(budget.getSpec().getSelector().getMatchLabels(), pod.getMetadata().getLabels()));
		}
	}

	/** What a service serves, from its application.yml and the environment the manifests give it. */
	record Served(int httpPort, int managementPort, boolean probesEnabled, String actuatorBasePath,
			List<String> exposed) {
	}

	static Served served(String service, Map<String, String> environment) {
		JsonNode config;
		try {
			config = YAML.readTree(Files.readString(
					Kustomize.ROOT.resolve(service).resolve("src/main/resources/application.yml")));
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
		// Relaxed binding: an environment variable beats application.yml. Settings the manifests
		// would have to override for the checks below to hold are refused outright.
		assertThat(environment).as(service + " environment")
			.doesNotContainKeys("MANAGEMENT_ENDPOINTS_WEB_BASEPATH", "MANAGEMENT_ENDPOINTS_WEB_BASE_PATH",
					"MANAGEMENT_SERVER_BASEPATH", "MANAGEMENT_SERVER_BASE_PATH",
					"MANAGEMENT_ENDPOINT_HEALTH_PROBES_ENABLED", "MANAGEMENT_ENDPOINTS_WEB_EXPOSURE_INCLUDE");
		JsonNode management = config.path("management");
		assertThat(management.path("server").path("base-path").isMissingNode()).as(service + " management.server.base-path")
			.isTrue();
		int httpPort = Integer.parseInt(
				environment.getOrDefault("SERVER_PORT", config.path("server").path("port").asString("8080")));
		int managementPort = Integer.parseInt(environment.getOrDefault("MANAGEMENT_SERVER_PORT",
				management.path("server").path("port").asString(Integer.toString(httpPort))));
		return new Served(httpPort, managementPort,
				management.path("endpoint").path("health").path("probes").path("enabled").asBoolean(false),
				management.path("endpoints").path("web").path("base-path").asString("/actuator"),
				List.of(management.path("endpoints").path("web").path("exposure").path("include").asString("").split(",")));
	}

	/** The container's environment: ConfigMaps named in envFrom, then env entries with literal values. */
	static Map<String, String> environment(Container container, Manifests manifests) {
		Map<String, String> environment = new HashMap<>();
		for (EnvFromSource source : Optional.ofNullable(container.getEnvFrom()).orElse(List.of())) {
			if (source.getConfigMapRef() != null) {
				ConfigMap map = manifests.named(ConfigMap.class, source.getConfigMapRef().getName());
				environment.putAll(map.getData());
			}
		}
		for (EnvVar env : Optional.ofNullable(container.getEnv()).orElse(List.of())) {
			if (env.getValue() != null) {
				environment.put(env.getName(), env.getValue());
			}
		}
		return environment;
	}

	private static void assertProbe(String what, Probe probe, Container container, Served served, String path) {
		assertThat(probe).as(what).isNotNull();
		HTTPGetAction get = probe.getHttpGet();
		assertThat(get).as(what + " httpGet").isNotNull();
		assertThat(get.getPath()).as(what + " path").isEqualTo(served.actuatorBasePath() + path);
		IntOrString port = get.getPort();
		int number = (port.getIntVal() != null) ? port.getIntVal() : containerPort(container, port.getStrVal());
		assertThat(number).as(what + " port").isEqualTo(served.managementPort());
	}

	private static int containerPort(Container container, String name) {
		return container.getPorts().stream()
			.filter((port) -> name.equals(port.getName()))
			.map(ContainerPort::getContainerPort)
			.findFirst()
			.orElseThrow(() -> new AssertionError(container.getName() + " declares no port named " + name));
	}

	private static boolean matches(IntOrString target, ContainerPort declared) {
		return (target.getIntVal() != null) ? target.getIntVal().equals(declared.getContainerPort())
				: target.getStrVal().equals(declared.getName());
	}

	static List<PodTemplateSpec> podTemplates(Manifests manifests) {
		return java.util.stream.Stream
			.concat(manifests.all(Deployment.class).stream().map((d) -> d.getSpec().getTemplate()),
					manifests.all(StatefulSet.class).stream().map((s) -> s.getSpec().getTemplate()))
			.toList();
	}

	static boolean selects(Map<String, String> selector, Map<String, String> labels) {
		return selector != null && !selector.isEmpty() && labels != null
				&& selector.entrySet().stream().allMatch((e) -> Objects.equals(labels.get(e.getKey()), e.getValue()));
	}

	static String id(HasMetadata object) {
		return object.getKind() + "/" + object.getMetadata().getName();
	}

}
