package com.cloudgreet.relay.system.deploy;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import com.cloudgreet.relay.common.kafka.Topics;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRule;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The prod overlay as rendered: external infrastructure, Strimzi topics that agree with the
 * services' own start-up check, consumers that scale out no further than the partitions, and
 * pods sized for the heap the benchmarks ran with. No secret is in git.
 */
class ProdOverlayTest {

	private static final List<String> REQUEST_TOPICS = List.of(Topics.EMAIL, Topics.SMS, Topics.WEBHOOK);

	/** Every benchmark in bench/ ran the service with -Xmx512m. */
	private static final BigDecimal BENCHMARK_HEAP = Quantity.getAmountInBytes(new Quantity("512Mi"));

	@Test
	void kafkaTopicsAreTheRequestTopicsAndTheirDeadLetterTopics() {
		Set<String> expected = REQUEST_TOPICS.stream()
			.flatMap((topic) -> Stream.of(topic, Topics.deadLetter(topic)))
			.collect(Collectors.toSet());

		// No retry topics: the delivery engine schedules retries itself.
		assertThat(prod().kafkaTopics()).extracting(KafkaTopic::topicName).containsExactlyInAnyOrderElementsOf(expected);
	}

	/** Each service refuses to start when a topic it uses is weaker than relay.kafka.topics.*. */
	@Test
	void topicsAreExactlyAsDurableAsTheServicesCheck() {
		Map<String, String> config = config();
		int partitions = Integer.parseInt(config.get("RELAY_KAFKA_TOPICS_PARTITIONS"));
		int replicas = Integer.parseInt(config.get("RELAY_KAFKA_TOPICS_REPLICATION_FACTOR"));
		int minInsync = Integer.parseInt(config.get("RELAY_KAFKA_TOPICS_MIN_INSYNC_REPLICAS"));

		// An acks=all record survives the loss of one broker, and one broker may be down for maintenance.
		assertThat(replicas).isEqualTo(3);
		assertThat(minInsync).isEqualTo(2);
		assertThat(prod().kafkaTopics()).allSatisfy((topic) -> {
			assertThat(topic.spec().partitions()).as(topic.topicName()).isEqualTo(partitions);
			assertThat(topic.spec().replicas()).as(topic.topicName()).isEqualTo(replicas);
			assertThat(topic.config("min.insync.replicas")).as(topic.topicName()).isEqualTo(Integer.toString(minInsync));
			assertThat(topic.config("cleanup.policy")).as(topic.topicName()).isEqualTo("delete");
		});
	}

	@Test
	void requestsAreKeptAWeekAndDeadLettersLongerButNotForever() {
		for (String topic : REQUEST_TOPICS) {
			assertThat(retention(topic)).as(topic).isEqualTo(Duration.ofDays(7));
			assertThat(retention(Topics.deadLetter(topic))).as(Topics.deadLetter(topic))
				.isGreaterThan(retention(topic))
				.isLessThanOrEqualTo(Duration.ofDays(30));
		}
	}

	@Test
	void topicsBelongToTheStrimziClusterTheServicesConnectTo() {
		Set<String> clusters = prod().kafkaTopics().stream()
			.map((topic) -> topic.metadata().labels().get(KafkaTopic.CLUSTER_LABEL))
			.collect(Collectors.toSet());
		Set<String> namespaces = prod().kafkaTopics().stream().map((topic) -> topic.metadata().namespace())
			.collect(Collectors.toSet());
		assertThat(clusters).hasSize(1);
		assertThat(namespaces).hasSize(1).doesNotContain("relay");

		// Strimzi names the bootstrap Service <cluster>-kafka-bootstrap in the cluster's namespace.
		String bootstrap = clusters.iterator().next() + "-kafka-bootstrap." + namespaces.iterator().next() + ".svc:";
		assertThat(config().get("SPRING_KAFKA_BOOTSTRAP_SERVERS")).startsWith(bootstrap);
	}

	@Test
	void infrastructureIsExternalAndNoSecretIsInGit() {
		Map<String, String> config = config();

		assertThat(prod().all(StatefulSet.class)).isEmpty();
		assertThat(prod().all(Deployment.class)).extracting((d) -> d.getMetadata().getName())
			.containsExactlyInAnyOrderElementsOf(KustomizeOverlaysTest.SERVICES);
		assertThat(prod().all(Secret.class)).isEmpty();
		// The base's in-namespace addresses are gone; the R2DBC and Flyway URLs name one database.
		Map<String, String> base = KustomizeOverlaysTest.rendered("k8s").named(ConfigMap.class, "relay-config").getData();
		for (String key : List.of("SPRING_KAFKA_BOOTSTRAP_SERVERS", "SPRING_DATA_REDIS_URL", "SPRING_R2DBC_URL",
				"SPRING_FLYWAY_URL")) {
			assertThat(config.get(key)).as(key).isNotBlank().isNotEqualTo(base.get(key)).doesNotContain("@");
		}
		assertThat(database(config.get("SPRING_R2DBC_URL"))).isEqualTo(database(config.get("SPRING_FLYWAY_URL")));
		assertThat(prod().all(Deployment.class)).allSatisfy((deployment) -> assertThat(container(deployment).getEnv())
			.map(EnvVar::getValueFrom)
			.filteredOn(Objects::nonNull)
			.filteredOn((source) -> source.getSecretKeyRef() != null)
			.allSatisfy((source) -> assertThat(source.getSecretKeyRef().getName()).isEqualTo("relay-secrets")));
	}

	@ParameterizedTest
	@ValueSource(strings = { "notification-service", "webhook-service" })
	void consumersScaleOutNoFurtherThanThePartitions(String name) {
		int partitions = Integer.parseInt(config().get("RELAY_KAFKA_TOPICS_PARTITIONS"));
		HorizontalPodAutoscaler hpa = prod().named(HorizontalPodAutoscaler.class, name);

		assertThat(hpa.getSpec().getScaleTargetRef().getName()).isEqualTo(name);
		// A group gives each partition to one member: replicas beyond the partitions would idle.
		assertThat(hpa.getSpec().getMaxReplicas()).isLessThanOrEqualTo(partitions).isGreaterThan(hpa.getSpec().getMinReplicas());
		assertThat(prod().kafkaTopics()).allSatisfy(
				(topic) -> assertThat(topic.spec().partitions()).isGreaterThanOrEqualTo(hpa.getSpec().getMaxReplicas()));
		assertThat(hpa.getSpec().getMetrics()).anySatisfy(
				(metric) -> assertThat(metric.getResource().getName()).isEqualTo("cpu"));
	}

	@ParameterizedTest
	@ValueSource(strings = { "api-gateway", "notification-service", "webhook-service" })
	void everyServiceRunsThreeReplicasAndDrainsOneAtATime(String name) {
		Deployment deployment = prod().named(Deployment.class, name);
		HorizontalPodAutoscaler hpa = prod().named(HorizontalPodAutoscaler.class, name);
		PodDisruptionBudget budget = prod().named(PodDisruptionBudget.class, name);

		assertThat(hpa.getSpec().getMinReplicas()).isGreaterThanOrEqualTo(3);
		assertThat(deployment.getSpec().getReplicas()).isEqualTo(hpa.getSpec().getMinReplicas());
		assertThat(budget.getSpec().getMinAvailable()).isNull();
		assertThat(budget.getSpec().getMaxUnavailable().getIntVal()).isEqualTo(1);
		assertThat(budget.getSpec().getSelector().getMatchLabels())
			.isEqualTo(deployment.getSpec().getSelector().getMatchLabels());
		assertThat(deployment.getSpec().getTemplate().getSpec().getTopologySpreadConstraints())
			.extracting((constraint) -> constraint.getTopologyKey())
			.contains("topology.kubernetes.io/zone", "kubernetes.io/hostname");
	}

	@Test
	void gatewaysDivideLimitsByTheirMinimumReplicasWhenRedisIsAway() {
		assertThat(config().get("RELAY_GATEWAY_RATE_LIMIT_EXPECTED_REPLICAS"))
			.isEqualTo(prod().named(HorizontalPodAutoscaler.class, "api-gateway").getSpec().getMinReplicas().toString());
	}

	@ParameterizedTest
	@ValueSource(strings = { "api-gateway", "notification-service", "webhook-service" })
	void podsAreSizedForTheHeapTheBenchmarksRanWith(String name) {
		Container container = container(prod().named(Deployment.class, name));
		Map<String, Quantity> requests = container.getResources().getRequests();
		Map<String, Quantity> limits = container.getResources().getLimits();
		Matcher percentage = Pattern.compile("-XX:MaxRAMPercentage=(\\d+)").matcher(config().get("JAVA_TOOL_OPTIONS"));
		assertThat(percentage.find()).isTrue();

		assertThat(Quantity.getAmountInBytes(requests.get("cpu"))).isGreaterThanOrEqualTo(new BigDecimal("0.5"));
		// Request = limit: the scheduler promised every byte the JVM may take.
		assertThat(requests.get("memory")).isEqualTo(limits.get("memory"));
		BigDecimal heap = Quantity.getAmountInBytes(limits.get("memory"))
			.multiply(new BigDecimal(percentage.group(1)))
			.divide(new BigDecimal(100));
		assertThat(heap).isGreaterThanOrEqualTo(BENCHMARK_HEAP);
	}

	/** webhook-service's base egress refuses private addresses; the Strimzi brokers must stay reachable. */
	@Test
	void webhookServiceReachesTheStrimziBrokers() {
		KafkaTopic topic = prod().kafkaTopics().get(0);
		String cluster = topic.metadata().labels().get(KafkaTopic.CLUSTER_LABEL);

		List<NetworkPolicyEgressRule> rules = prod().all(NetworkPolicy.class).stream()
			.filter((policy) -> "webhook-service"
				.equals(policy.getSpec().getPodSelector().getMatchLabels().get("app.kubernetes.io/name")))
			.flatMap((policy) -> policy.getSpec().getEgress().stream())
			.toList();
		assertThat(rules).anyMatch((rule) -> rule.getPorts().stream()
			.anyMatch((port) -> Integer.valueOf(9092).equals(port.getPort().getIntVal()))
				&& rule.getTo().stream().anyMatch((peer) -> peer.getNamespaceSelector() != null
						&& peer.getPodSelector() != null
						&& topic.metadata().namespace()
							.equals(peer.getNamespaceSelector().getMatchLabels().get("kubernetes.io/metadata.name"))
						&& cluster.equals(peer.getPodSelector().getMatchLabels().get(KafkaTopic.CLUSTER_LABEL))));
	}

	/** Kafka's ACLs decide who may write a request topic at all (for whom: the consumers' allowlist). */
	@Test
	void onlyTheGatewayAndNamedProducersMayWriteRequestTopics() {
		KafkaUser gateway = prod().kafkaUser("relay-gateway");
		KafkaUser example = prod().kafkaUser("relay-producer-example");
		List<KafkaUser> consumers = List.of(prod().kafkaUser("relay-notification"), prod().kafkaUser("relay-webhook"));

		for (String topic : REQUEST_TOPICS) {
			assertThat(gateway.allows("topic", topic, "Write")).as("gateway writes " + topic).isTrue();
			assertThat(example.allows("topic", topic, "Write")).as("the example producer writes " + topic).isTrue();
			assertThat(consumers).as("no consumer writes " + topic)
				.noneMatch((user) -> user.allows("topic", topic, "Write"));
			assertThat(List.of(gateway, example)).as("no producer reads " + topic)
				.noneMatch((user) -> user.allows("topic", topic, "Read"));
		}
		// The example producer (the template for other systems) writes request topics and nothing else.
		assertThat(example.spec().authorization().acls()).allSatisfy((acl) -> {
			assertThat(acl.resource().type()).isEqualTo("topic");
			assertThat(REQUEST_TOPICS).contains(acl.resource().name());
			assertThat(acl.resource().patternType()).isEqualTo("literal");
			assertThat(acl.operations()).containsOnly("Write", "Describe");
		});
		assertThat(prod().kafkaUsers()).allSatisfy((user) -> {
			assertThat(user.spec().authentication().type()).isEqualTo("scram-sha-512");
			assertThat(user.metadata().labels().get(KafkaTopic.CLUSTER_LABEL))
				.isEqualTo(prod().kafkaTopics().get(0).metadata().labels().get(KafkaTopic.CLUSTER_LABEL));
			assertThat(user.metadata().namespace()).isEqualTo(prod().kafkaTopics().get(0).metadata().namespace());
		});
	}

	@Test
	void consumersReadTheirTopicsInTheirGroupAndWriteOnlyTheirDeadLetterTopics() {
		Map<String, List<String>> topics = Map.of("relay-notification", List.of(Topics.EMAIL, Topics.SMS),
				"relay-webhook", List.of(Topics.WEBHOOK));
		Map<String, String> groups = Map.of("relay-notification", "notification-service", "relay-webhook",
				"webhook-service");
		topics.forEach((name, own) -> {
			KafkaUser user = prod().kafkaUser(name);
			for (String topic : REQUEST_TOPICS) {
				assertThat(user.allows("topic", topic, "Read")).as(name + " reads " + topic).isEqualTo(own.contains(topic));
				assertThat(user.allows("topic", Topics.deadLetter(topic), "Write")).as(name + " writes the DLT of " + topic)
					.isEqualTo(own.contains(topic));
			}
			assertThat(user.allows("group", groups.get(name), "Read")).as(name + " uses its consumer group").isTrue();
		});
	}

	/** Each service logs in as its own KafkaUser; the gateway signs with the key the consumers accept. */
	@Test
	void servicesLogInAsTheirOwnKafkaUserAndTheGatewaySignsWithTheConsumersKey() {
		assertThat(config().get("SPRING_KAFKA_SECURITY_PROTOCOL")).startsWith("SASL_");
		assertThat(config().get("SPRING_KAFKA_PROPERTIES_SASL_MECHANISM")).isEqualTo("SCRAM-SHA-512");
		// Unsigned records act for no tenant in production (the default).
		assertThat(config()).doesNotContainKey("RELAY_KAFKA_ANONYMOUSTENANTS");
		for (String name : KustomizeOverlaysTest.SERVICES) {
			var jaas = secretRef(name, "SPRING_KAFKA_PROPERTIES_SASL_JAAS_CONFIG");
			assertThat(jaas.getKey()).isEqualTo("kafka-sasl-jaas-config-" + name);
			assertThat(jaas.getOptional()).as("required").isNotEqualTo(Boolean.TRUE);
		}
		String gatewayKey = secretRef("api-gateway", "RELAY_KAFKA_PRODUCER_KEY").getKey();
		assertThat(secretRef("notification-service", "RELAY_KAFKA_PRODUCERS_GATEWAY_KEY").getKey()).isEqualTo(gatewayKey);
		assertThat(secretRef("webhook-service", "RELAY_KAFKA_PRODUCERS_GATEWAY_KEY").getKey()).isEqualTo(gatewayKey);
	}

	/** Kafka's client port admits Relay's services and labelled producer pods, no one else. */
	@Test
	void kafkaAdmitsOnlyRelayServicesAndLabelledProducers() {
		KafkaTopic topic = prod().kafkaTopics().get(0);
		List<NetworkPolicy> policies = prod().all(NetworkPolicy.class).stream()
			.filter((policy) -> topic.metadata().namespace().equals(policy.getMetadata().getNamespace()))
			.toList();
		assertThat(policies).hasSize(1);
		NetworkPolicy policy = policies.get(0);

		assertThat(policy.getSpec().getPolicyTypes()).containsExactly("Ingress");
		assertThat(policy.getSpec().getPodSelector().getMatchLabels())
			.containsEntry(KafkaTopic.CLUSTER_LABEL, topic.metadata().labels().get(KafkaTopic.CLUSTER_LABEL));
		assertThat(policy.getSpec().getIngress()).singleElement().satisfies((rule) -> {
			assertThat(rule.getPorts()).singleElement()
				.satisfies((port) -> assertThat(port.getPort().getIntVal()).isEqualTo(9092));
			assertThat(rule.getFrom()).hasSize(2);
			var relay = rule.getFrom().get(0);
			assertThat(relay.getNamespaceSelector().getMatchLabels())
				.containsExactly(Map.entry("kubernetes.io/metadata.name", "relay"));
			assertThat(relay.getPodSelector().getMatchExpressions()).singleElement().satisfies((expression) -> {
				assertThat(expression.getKey()).isEqualTo("app.kubernetes.io/name");
				assertThat(expression.getOperator()).isEqualTo("In");
				assertThat(expression.getValues()).containsExactlyInAnyOrderElementsOf(KustomizeOverlaysTest.SERVICES);
			});
			var producers = rule.getFrom().get(1);
			assertThat(producers.getPodSelector().getMatchLabels())
				.containsExactly(Map.entry("relay.cloudgreet.com/kafka-producer", "true"));
			assertThat(producers.getPodSelector().getMatchExpressions()).isNullOrEmpty();
		});
		// Every Relay pod carries the label the policy selects it by.
		assertThat(prod().all(Deployment.class)).allSatisfy((deployment) -> assertThat(
				deployment.getSpec().getTemplate().getMetadata().getLabels().get("app.kubernetes.io/name"))
			.isEqualTo(deployment.getMetadata().getName()));
	}

	private static io.fabric8.kubernetes.api.model.SecretKeySelector secretRef(String deployment, String variable) {
		List<EnvVar> matching = container(prod().named(Deployment.class, deployment)).getEnv()
			.stream()
			.filter((env) -> variable.equals(env.getName()))
			.toList();
		assertThat(matching).as(deployment + " " + variable).hasSize(1);
		assertThat(matching.get(0).getValueFrom().getSecretKeyRef()).as(deployment + " " + variable + " from a Secret")
			.isNotNull();
		return matching.get(0).getValueFrom().getSecretKeyRef();
	}

	/** Rendered once per test JVM; a rendering failure fails each test with its reason. */
	private static Manifests prod() {
		return KustomizeOverlaysTest.rendered("k8s/overlays/prod");
	}

	private static Map<String, String> config() {
		return prod().named(ConfigMap.class, "relay-config").getData();
	}

	private static Duration retention(String topicName) {
		KafkaTopic topic = prod().kafkaTopics().stream()
			.filter((t) -> t.topicName().equals(topicName))
			.findFirst()
			.orElseThrow(() -> new AssertionError("no KafkaTopic " + topicName));
		return Duration.ofMillis(Long.parseLong(topic.config("retention.ms")));
	}

	/** host:port/database of a jdbc: or r2dbc: PostgreSQL URL, without its query. */
	private static String database(String url) {
		return url.replaceFirst("^(jdbc|r2dbc):postgresql://", "").replaceFirst("\\?.*$", "");
	}

	private static Container container(Deployment deployment) {
		return deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
	}

}
