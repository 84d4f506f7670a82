package com.cloudgreet.relay.system.deploy;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The strict reading that the overlay tests rely on rejects what an API server would: a
 * misspelled field at any depth, a value of the wrong type, a kind without a model, and the same
 * for Strimzi's KafkaTopic. Without these, "every object parses" would pass any typo.
 */
class OverlayStrictParsingTest {

	private static final String DEPLOYMENT = """
			apiVersion: apps/v1
			kind: Deployment
			metadata:
			  name: api-gateway
			  namespace: relay
			spec:
			  replicas: 2
			  selector:
			    matchLabels: {app: api-gateway}
			  template:
			    metadata:
			      labels: {app: api-gateway}
			    spec:
			      containers:
			        - name: api-gateway
			          image: relay-api-gateway
			          resources:
			            requests: {cpu: 500m, memory: 768Mi}
			          readinessProbe:
			            httpGet: {path: /actuator/health/readiness, port: management}
			""";

	private static final String TOPIC = """
			apiVersion: kafka.strimzi.io/v1beta2
			kind: KafkaTopic
			metadata:
			  name: relay.email.v1
			  namespace: kafka
			  labels: {strimzi.io/cluster: relay-kafka}
			spec:
			  partitions: 12
			  replicas: 3
			  config:
			    min.insync.replicas: 2
			    retention.ms: 604800000
			""";

	@Test
	void acceptsWellFormedObjects() {
		Manifests manifests = Manifests.parse(DEPLOYMENT + "---\n" + TOPIC);

		Deployment deployment = manifests.named(Deployment.class, "api-gateway");
		assertThat(deployment.getSpec().getTemplate().getSpec().getContainers().get(0).getResources().getRequests())
			.containsKeys("cpu", "memory");
		assertThat(manifests.kafkaTopics()).singleElement().satisfies((topic) -> {
			assertThat(topic.topicName()).isEqualTo("relay.email.v1");
			assertThat(topic.spec().partitions()).isEqualTo(12);
			assertThat(topic.config("min.insync.replicas")).isEqualTo("2");
		});
	}

	/** Each row replaces one line of a valid Deployment, as a typo would. */
	@ParameterizedTest(name = "{2}")
	@CsvSource(delimiter = '|', value = {
			"  replicas: 2|  replica: 2|spec.replica",
			"          resources:|          resoures:|spec.template.spec.containers[0].resoures",
			"            httpGet: {path: /actuator/health/readiness, port: management}|            httpGet: {pth: /x, port: management}|readinessProbe.httpGet.pth",
			"  namespace: relay|  namspace: relay|metadata.namspace" })
	void rejectsAMisspelledFieldAtAnyDepth(String line, String typo, String path) {
		String manifest = DEPLOYMENT.replace(line, typo);
		assertThat(manifest).isNotEqualTo(DEPLOYMENT);

		assertThatThrownBy(() -> Manifests.parse(manifest)).isInstanceOf(Manifests.InvalidManifestException.class)
			.hasMessageContaining("Deployment/api-gateway")
			.hasMessageContaining(path);
	}

	@Test
	void rejectsAValueOfTheWrongType() {
		assertThatThrownBy(() -> Manifests.parse(DEPLOYMENT.replace("replicas: 2", "replicas: [two]")))
			.isInstanceOf(Manifests.InvalidManifestException.class)
			.hasMessageContaining("replicas");
	}

	@Test
	void rejectsAKindWithoutAModel() {
		assertThatThrownBy(() -> Manifests.parse(DEPLOYMENT.replace("apps/v1", "apps/v2")))
			.isInstanceOf(Manifests.InvalidManifestException.class)
			.hasMessageContaining("no Kubernetes model for apiVersion apps/v2");
	}

	@ParameterizedTest(name = "{1}")
	@CsvSource(delimiter = '|', value = {
			"  replicas: 3|  replica: 3|replica",
			"  partitions: 12|  partitions: 0|spec.partitions must be at least 1",
			"    retention.ms: 604800000|    retention.msec: 604800000|spec.config.retention.msec is not a Kafka topic setting",
			"  labels: {strimzi.io/cluster: relay-kafka}|  labels: {strimzi.io/clustr: relay-kafka}|no strimzi.io/cluster label",
			"  namespace: kafka|  namespaces: kafka|namespaces" })
	void rejectsAKafkaTopicOutsideStrimzisSchema(String line, String replacement, String message) {
		String manifest = TOPIC.replace(line, replacement);
		assertThat(manifest).isNotEqualTo(TOPIC);

		assertThatThrownBy(() -> Manifests.parse(manifest)).isInstanceOf(Manifests.InvalidManifestException.class)
			.hasMessageContaining("KafkaTopic/relay.email.v1")
			.hasMessageContaining(message);
	}

}
