package com.cloudgreet.relay.system.deploy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.ArrayList;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;

import com.cloudgreet.relay.webhook.ssrf.AddressPolicy;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesList;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.client.utils.Serialization;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Checks k8s/ against the typed Kubernetes model (no API server needed): every manifest
 * parses, every service has probes on its management port, resource requests and limits, a
 * non-root security context, and the secret and config it needs; no pod mounts a service account
 * token; webhook-service's egress reaches only public addresses besides DNS, Kafka and PostgreSQL.
 */
class KubernetesManifestsTest {

	private static final Path K8S = Path.of(System.getProperty("relay.root", "..")).resolve("k8s");

	private static final Path BASE = K8S.resolve("base");

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

	/**
	 * Every pod Relay ships, services and the dev overlay's infrastructure alike, as rendered (the
	 * prod overlay's files are partial patches, not whole objects).
	 */
	@Test
	void noPodMountsAServiceAccountToken() {
		List<PodSpec> pods = new ArrayList<>();
		for (String overlay : List.of("k8s", "k8s/overlays/dev", "k8s/overlays/prod")) {
			for (HasMetadata object : KustomizeOverlaysTest.rendered(overlay).objects()) {
				podSpec(object).ifPresent(pods::add);
			}
		}
		assertThat(pods).hasSizeGreaterThanOrEqualTo(12)
			.allSatisfy((pod) -> assertThat(pod.getAutomountServiceAccountToken()).isFalse());
	}

	/** The egress policy as a packet filter: which destinations may webhook-service reach by IP? */
	@ParameterizedTest(name = "{0} reachable: {1}")
	@CsvSource({ "10.1.2.3, false", "172.16.5.4, false", "172.31.255.255, false", "192.168.1.1, false",
			"169.254.169.254, false", "169.254.1.1, false", "127.0.0.1, false", "100.64.0.1, false",
			"0.0.0.0, false", "224.0.0.1, false", "fd00:ec2::254, false", "fc00::1, false", "fe80::1, false",
			"::1, false", "64:ff9b::a9fe:a9fe, false", "192.0.0.8, false", "198.18.0.1, false", "198.19.255.255, false",
			"168.63.129.16, false", "93.184.216.34, true", "8.8.8.8, true", "172.32.0.1, true",
			"2606:4700::1111, true" })
	void webhookEgressReachesOnlyPublicAddresses(String address, boolean reachable) throws IOException {
		NetworkPolicy egress = webhookEgressPolicy();
		InetAddress destination = InetAddress.getByName(address);

		boolean allowed = egress.getSpec().getEgress().stream()
			.flatMap((rule) -> rule.getTo().stream())
			.map(NetworkPolicyPeer::getIpBlock)
			.filter(Objects::nonNull)
			.anyMatch((block) -> contains(block.getCidr(), destination)
					&& block.getExcept().stream().noneMatch((except) -> contains(except, destination)));
		assertThat(allowed).isEqualTo(reachable);
	}

	/**
	 * The egress policy is the SSRF guard's second line, so it refuses every range the guard refuses
	 * (read from webhook-service's own table) and the translating prefixes whose target only the
	 * guard can read.
	 */
	@Test
	void webhookEgressExceptsEveryRangeTheSsrfGuardRefuses() throws IOException {
		List<String> excepted = webhookEgressPolicy().getSpec().getEgress().stream()
			.flatMap((rule) -> rule.getTo().stream())
			.map(NetworkPolicyPeer::getIpBlock)
			.filter(Objects::nonNull)
			.flatMap((block) -> block.getExcept().stream())
			.toList();
		List<String> refused = new ArrayList<>(AddressPolicy.translatingPrefixes());
		AddressPolicy.ranges().stream()
			.filter((range) -> !range.kind().isAllowed(false))
			.forEach((range) -> refused.add(range.cidr()));

		assertThat(refused).hasSizeGreaterThan(20).allSatisfy((range) -> assertThat(excepted)
			.as("an except entry covering " + range)
			.anySatisfy((except) -> assertThat(covers(except, range)).isTrue()));
	}

	@Test
	void webhookEgressAllowsClusterDnsKafkaAndPostgres() throws IOException {
		NetworkPolicy egress = webhookEgressPolicy();

		assertThat(egress.getSpec().getPolicyTypes()).containsExactly("Egress");
		List<NetworkPolicyEgressRule> rules = egress.getSpec().getEgress();
		assertThat(rules).anySatisfy((rule) -> {
			assertThat(rule.getTo()).allSatisfy((peer) -> assertThat(peer.getPodSelector().getMatchLabels())
				.containsEntry("k8s-app", "kube-dns"));
			assertThat(rule.getPorts()).anySatisfy((port) -> {
				assertThat(port.getProtocol()).isEqualTo("UDP");
				assertThat(port.getPort().getIntVal()).isEqualTo(53);
			});
		});
		assertThat(rules).anySatisfy((rule) -> assertThat(rule.getPorts())
			.extracting((port) -> port.getPort().getIntVal())
			.contains(9092, 5432));
	}

	private static NetworkPolicy webhookEgressPolicy() throws IOException {
		List<NetworkPolicy> policies = load(BASE.resolve("network-policy.yaml")).stream()
			.filter(NetworkPolicy.class::isInstance)
			.map(NetworkPolicy.class::cast)
			.filter((policy) -> policy.getSpec().getPolicyTypes().contains("Egress"))
			.filter((policy) -> "webhook-service"
				.equals(policy.getSpec().getPodSelector().getMatchLabels().get("app.kubernetes.io/name")))
			.toList();
		assertThat(policies).hasSize(1);
		return policies.get(0);
	}

	private static Optional<PodSpec> podSpec(HasMetadata object) {
		if (object instanceof Deployment deployment) {
			return Optional.of(deployment.getSpec().getTemplate().getSpec());
		}
		if (object instanceof StatefulSet statefulSet) {
			return Optional.of(statefulSet.getSpec().getTemplate().getSpec());
		}
		if (object instanceof DaemonSet daemonSet) {
			return Optional.of(daemonSet.getSpec().getTemplate().getSpec());
		}
		if (object instanceof Job job) {
			return Optional.of(job.getSpec().getTemplate().getSpec());
		}
		return Optional.empty();
	}

	/** Whether block {@code outer} contains the whole of block {@code inner} (both a.b.c.d/n or IPv6/n). */
	private static boolean covers(String outer, String inner) throws UnknownHostException {
		String[] parts = inner.split("/");
		return Integer.parseInt(outer.split("/")[1]) <= Integer.parseInt(parts[1])
				&& contains(outer, InetAddress.getByName(parts[0]));
	}

	/** Whether {@code cidr} (a.b.c.d/n or IPv6/n) contains {@code address}; families never mix. */
	private static boolean contains(String cidr, InetAddress address) {
		try {
			String[] parts = cidr.split("/");
			byte[] network = InetAddress.getByName(parts[0]).getAddress();
			byte[] candidate = address.getAddress();
			if (network.length != candidate.length) {
				return false;
			}
			int bits = Integer.parseInt(parts[1]);
			for (int i = 0; i < bits; i++) {
				int mask = 0x80 >> (i % 8);
				if ((network[i / 8] & mask) != (candidate[i / 8] & mask)) {
					return false;
				}
			}
			return true;
		}
		catch (UnknownHostException ex) {
			throw new IllegalArgumentException(cidr, ex);
		}
	}

	private static List<HasMetadata> load(String file) throws IOException {
		return load(BASE.resolve(file));
	}

	private static List<HasMetadata> load(Path path) throws IOException {
		String yaml = Files.readString(path);
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
