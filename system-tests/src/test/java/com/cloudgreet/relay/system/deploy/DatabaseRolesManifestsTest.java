package com.cloudgreet.relay.system.deploy;

import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretKeySelector;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Each service reaches PostgreSQL as its own role (k8s/postgres/roles.sql), with its own user and
 * password from relay-secrets, in every way k8s/ is applied; the dev overlay's PostgreSQL creates
 * the roles at its first start and its generated Secret holds every key a pod needs.
 */
class DatabaseRolesManifestsTest {

	private static final Map<String, String> ROLES = Map.of("api-gateway", "gateway", "notification-service",
			"notification", "webhook-service", "webhook");

	@ParameterizedTest
	@ValueSource(strings = { "k8s", "k8s/overlays/dev", "k8s/overlays/prod" })
	void eachServiceConnectsAsItsOwnRole(String directory) {
		Manifests manifests = KustomizeOverlaysTest.rendered(directory);
		ROLES.forEach((service, role) -> {
			Map<String, String> secretKeys = secretKeys(
					manifests.named(Deployment.class, service).getSpec().getTemplate().getSpec().getContainers().get(0));
			assertThat(secretKeys).as(service)
				.containsEntry("SPRING_R2DBC_USERNAME", "postgres-" + role + "-user")
				.containsEntry("SPRING_FLYWAY_USER", "postgres-" + role + "-user")
				.containsEntry("SPRING_R2DBC_PASSWORD", "postgres-" + role + "-password")
				.containsEntry("SPRING_FLYWAY_PASSWORD", "postgres-" + role + "-password");
		});
	}

	@Test
	void devOverlaySecretHoldsEveryKeyAPodRequires() {
		Manifests dev = KustomizeOverlaysTest.rendered("k8s/overlays/dev");
		List<String> required = pods(dev).flatMap((pod) -> pod.getContainers().stream())
			.flatMap((container) -> Optional.ofNullable(container.getEnv()).orElse(List.of()).stream())
			.map(DatabaseRolesManifestsTest::secretKey)
			.filter(Objects::nonNull)
			.filter((key) -> !Boolean.TRUE.equals(key.getOptional()))
			.map(SecretKeySelector::getKey)
			.distinct()
			.toList();

		assertThat(required).contains("postgres-gateway-password", "postgres-notification-password",
				"postgres-webhook-password");
		assertThat(dev.named(Secret.class, "relay-secrets").getData()).containsKeys(required.toArray(String[]::new));
	}

	@Test
	void devPostgresRunsTheRolesBootstrapAtItsFirstStart() throws IOException {
		Manifests dev = KustomizeOverlaysTest.rendered("k8s/overlays/dev");
		PodSpec postgres = dev.named(StatefulSet.class, "postgres").getSpec().getTemplate().getSpec();
		Container container = postgres.getContainers().get(0);
		VolumeMount init = container.getVolumeMounts()
			.stream()
			.filter((mount) -> mount.getMountPath().equals("/docker-entrypoint-initdb.d"))
			.findFirst()
			.orElseThrow();
		Volume volume = postgres.getVolumes()
			.stream()
			.filter((candidate) -> candidate.getName().equals(init.getName()))
			.findFirst()
			.orElseThrow();
		ConfigMap scripts = dev.named(ConfigMap.class, volume.getConfigMap().getName());

		assertThat(scripts.getData()).containsOnlyKeys("roles.sql")
			.containsEntry("roles.sql", Files.readString(Kustomize.ROOT.resolve("k8s/postgres/roles.sql")));
		// roles.sql reads the services' passwords from the environment.
		assertThat(secretKeys(container)).containsEntry("RELAY_GATEWAY_DB_PASSWORD", "postgres-gateway-password")
			.containsEntry("RELAY_NOTIFICATION_DB_PASSWORD", "postgres-notification-password")
			.containsEntry("RELAY_WEBHOOK_DB_PASSWORD", "postgres-webhook-password");
	}

	private static Stream<PodSpec> pods(Manifests manifests) {
		return Stream.concat(
				manifests.all(Deployment.class).stream().map((deployment) -> deployment.getSpec().getTemplate().getSpec()),
				manifests.all(StatefulSet.class).stream().map((set) -> set.getSpec().getTemplate().getSpec()));
	}

	/** Environment variable name to the relay-secrets key it reads. */
	private static Map<String, String> secretKeys(Container container) {
		return Optional.ofNullable(container.getEnv())
			.orElse(List.of())
			.stream()
			.filter((env) -> secretKey(env) != null)
			.collect(Collectors.toMap(EnvVar::getName, (env) -> secretKey(env).getKey(), (a, b) -> b));
	}

	private static SecretKeySelector secretKey(EnvVar env) {
		return (env.getValueFrom() != null) ? env.getValueFrom().getSecretKeyRef() : null;
	}

}
