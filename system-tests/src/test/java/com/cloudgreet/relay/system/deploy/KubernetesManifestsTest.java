package com.cloudgreet.relay.system.deploy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesList;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.Serialization;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Checks k8s/base against the typed Kubernetes model (no API server needed): every manifest
 * parses, every service has probes on its management port, resource requests and limits, a
 * non-root security context, and the secret and config it needs.
 */
class KubernetesManifestsTest {

	private static final Path BASE = Path.of(System.getProperty("relay.root", "..")).resolve("k8s/base");

	@Test
	void kustomizationListsEveryManifest() throws IOException {
		@SuppressWarnings("unchecked")
		Map<String, Object> kustomization = Serialization.unmarshal(Files.readString(BASE.resolve("kustomization.yaml")),
				Map.class);
		@SuppressWarnings("unchecked")
		List<String> resources = (List<String>) kustomization.get("resources");
		try (Stream<Path> files = Files.list(BASE)) {
			List<String> manifests = files.map((f) -> f.getFileName().toString())
				.filter((f) -> f.endsWith(".yaml") && !f.equals("kustomization.yaml"))
				.toList();
			assertThat(resources).containsExactlyInAnyOrderElementsOf(manifests);
		}
	}

	@ParameterizedTest
	@ValueSource(strings = { "api-gateway", "notification-service", "webhook-service" })
	void serviceManifestIsProductionShaped(String name) throws IOException {
		List<HasMetadata> objects = load(name + ".yaml");
		Deployment deployment = only(objects, Deployment.class);
		Service service = only(objects, Service.class);

		assertThat(deployment.getMetadata().getName()).isEqualTo(name);
		assertThat(deployment.getSpec().getSelector().getMatchLabels())
			.isEqualTo(deployment.getSpec().getTemplate().getMetadata().getLabels());
		assertThat(service.getSpec().getSelector()).isEqualTo(deployment.getSpec().getSelector().getMatchLabels());
		assertThat(deployment.getSpec().getTemplate().getSpec().getSecurityContext().getRunAsNonRoot()).isTrue();

		Container container = deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
		assertThat(container.getImage()).isEqualTo("relay-" + name);
		assertThat(container.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/actuator/health/readiness");
		assertThat(container.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/actuator/health/liveness");
		assertThat(container.getReadinessProbe().getHttpGet().getPort().getStrVal()).isEqualTo("management");
		assertThat(container.getResources().getRequests()).containsKeys("cpu", "memory");
		assertThat(container.getResources().getLimits()).containsKey("memory");
		assertThat(container.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
		assertThat(container.getEnvFrom()).anySatisfy((source) -> assertThat(source.getConfigMapRef().getName())
			.isEqualTo("relay-config"));
		assertThat(container.getEnv()).anySatisfy((env) -> {
			assertThat(env.getName()).isEqualTo("RELAY_INTERNAL_TOKEN");
			assertThat(env.getValueFrom().getSecretKeyRef().getName()).isEqualTo("relay-secrets");
		});
	}

	private static List<HasMetadata> load(String file) throws IOException {
		String yaml = Files.readString(BASE.resolve(file));
		Object parsed = Serialization.unmarshal(yaml);
		if (parsed instanceof KubernetesList list) {
			return list.getItems();
		}
		if (parsed instanceof List<?> list) {
			return list.stream().map(HasMetadata.class::cast).toList();
		}
		return List.of((HasMetadata) parsed);
	}

	private static <T> T only(List<HasMetadata> objects, Class<T> type) {
		List<T> matching = objects.stream().filter(type::isInstance).map(type::cast).toList();
		assertThat(matching).as(type.getSimpleName()).hasSize(1);
		return matching.get(0);
	}

}
