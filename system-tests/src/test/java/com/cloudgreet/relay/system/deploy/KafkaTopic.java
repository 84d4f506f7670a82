package com.cloudgreet.relay.system.deploy;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.apache.kafka.common.config.TopicConfig;

/**
 * A Strimzi {@code KafkaTopic} (kafka.strimzi.io/v1beta2), which fabric8's model does not know: the
 * fields Strimzi's CRD accepts in a manifest and nothing else. Read with unknown properties
 * rejected, so a misspelled field fails here as the API server's structural schema would fail it.
 */
record KafkaTopic(String apiVersion, String kind, Metadata metadata, Spec spec) {

	static final String API_VERSION = "kafka.strimzi.io/v1beta2";

	static final String KIND = "KafkaTopic";

	/** The label the Topic Operator selects its topics by: the name of the Kafka resource. */
	static final String CLUSTER_LABEL = "strimzi.io/cluster";

	/** Topic-level settings Kafka itself defines ({@code TopicConfig.*_CONFIG}). */
	private static final Set<String> TOPIC_CONFIGS = Stream.of(TopicConfig.class.getFields())
		.filter((field) -> Modifier.isStatic(field.getModifiers()) && field.getName().endsWith("_CONFIG")
				&& field.getType() == String.class)
		.map(KafkaTopic::constant)
		.collect(Collectors.toUnmodifiableSet());

	KafkaTopic {
		if (!API_VERSION.equals(apiVersion) || !KIND.equals(kind)) {
			throw new IllegalArgumentException("expected " + API_VERSION + " " + KIND + ", was " + apiVersion + " " + kind);
		}
		if (metadata == null || spec == null) {
			throw new IllegalArgumentException("a KafkaTopic needs metadata and spec");
		}
		if (metadata.labels() == null || metadata.labels().get(CLUSTER_LABEL) == null) {
			throw new IllegalArgumentException("KafkaTopic " + metadata.name() + " has no " + CLUSTER_LABEL
					+ " label: no Topic Operator would reconcile it");
		}
	}

	/** The Kafka topic's name: spec.topicName if set, else the resource's name. */
	String topicName() {
		return (this.spec.topicName() != null) ? this.spec.topicName() : this.metadata.name();
	}

	/** A topic setting as text, as Kafka stores it. */
	String config(String name) {
		Object value = (this.spec.config() != null) ? this.spec.config().get(name) : null;
		return (value != null) ? value.toString() : null;
	}

	record Metadata(String name, String namespace, Map<String, String> labels, Map<String, String> annotations) {

		Metadata {
			if (name == null || name.isBlank()) {
				throw new IllegalArgumentException("a KafkaTopic needs metadata.name");
			}
		}

	}

	record Spec(Integer partitions, Integer replicas, Map<String, Object> config, String topicName) {

		Spec {
			if (partitions != null && partitions < 1) {
				throw new IllegalArgumentException("spec.partitions must be at least 1, was " + partitions);
			}
			if (replicas != null && (replicas < 1 || replicas > Short.MAX_VALUE)) {
				throw new IllegalArgumentException("spec.replicas must be between 1 and 32767, was " + replicas);
			}
			if (config != null) {
				for (Map.Entry<String, Object> entry : config.entrySet()) {
					if (!TOPIC_CONFIGS.contains(entry.getKey())) {
						throw new IllegalArgumentException("spec.config." + entry.getKey() + " is not a Kafka topic setting");
					}
					if (!(entry.getValue() instanceof String || entry.getValue() instanceof Number
							|| entry.getValue() instanceof Boolean)) {
						throw new IllegalArgumentException("spec.config." + entry.getKey() + " must be a string, number or "
								+ "boolean, was " + entry.getValue());
					}
				}
			}
		}

	}

	private static String constant(Field field) {
		try {
			return (String) field.get(null);
		}
		catch (IllegalAccessException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
