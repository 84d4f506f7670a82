package com.cloudgreet.relay.system.deploy;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.MappingIterator;
import tools.jackson.dataformat.yaml.YAMLMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Rendered manifests, each object read into a typed model with nothing left over: the fabric8
 * Kubernetes model for built-in kinds, {@link KafkaTopic} and {@link KafkaUser} for Strimzi's.
 *
 * <p>fabric8's model never fails on an unknown field: every class keeps what it does not know in an
 * {@code additionalProperties} map (a Jackson any-setter), and a value of the wrong type lands there
 * too, so {@code FAIL_ON_UNKNOWN_PROPERTIES} alone changes nothing. After reading, every model
 * object in the tree is therefore visited, and a non-empty {@code additionalProperties} anywhere is
 * an unknown field, reported with its path ({@code spec.template.spec.containers[0].resoures}).
 * A kind fabric8 has no class for comes back as a {@link GenericKubernetesResource}, which is
 * refused the same way: an API server would not know it either.
 */
record Manifests(List<HasMetadata> objects, List<KafkaTopic> kafkaTopics, List<KafkaUser> kafkaUsers) {

	private static final YAMLMapper YAML = YAMLMapper.builder()
		.enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
		.enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
		.build();

	private static final KubernetesSerialization KUBERNETES = new KubernetesSerialization();

	/** Renders the kustomization in {@code directory} (relative to the repository) and parses it. */
	static Manifests render(String directory) {
		return parse(Kustomize.render(Kustomize.ROOT.resolve(directory)));
	}

	static Manifests render(Path directory) {
		return parse(Kustomize.render(directory));
	}

	/**
	 * Parses multi-document YAML.
	 * @throws InvalidManifestException naming every object that does not fit its model, and why
	 */
	static Manifests parse(String yaml) {
		List<HasMetadata> objects = new ArrayList<>();
		List<KafkaTopic> topics = new ArrayList<>();
		List<KafkaUser> users = new ArrayList<>();
		List<String> problems = new ArrayList<>();
		List<JsonNode> documents;
		try (MappingIterator<JsonNode> iterator = YAML.readerFor(JsonNode.class).readValues(yaml)) {
			documents = iterator.readAll();
		}
		for (JsonNode document : documents) {
			if (document == null || document.isNull() || document.isMissingNode() || document.isEmpty()) {
				continue;
			}
			String id = document.path("kind").asString("?") + "/" + document.path("metadata").path("name").asString("?");
			try {
				if (KafkaTopic.API_VERSION.equals(document.path("apiVersion").asString(""))
						&& KafkaUser.KIND.equals(document.path("kind").asString(""))) {
					users.add(YAML.treeToValue(document, KafkaUser.class));
				}
				else if (KafkaTopic.API_VERSION.equals(document.path("apiVersion").asString(""))) {
					topics.add(YAML.treeToValue(document, KafkaTopic.class));
				}
				else {
					HasMetadata object = kubernetesObject(document);
					List<String> unknown = new ArrayList<>();
					collectUnknownFields(object, "", unknown);
					if (unknown.isEmpty()) {
						objects.add(object);
					}
					else {
						problems.add(id + ": unknown field(s) " + unknown);
					}
				}
			}
			catch (JacksonException | IllegalArgumentException ex) {
				problems.add(id + ": " + ex.getMessage());
			}
			catch (KubernetesClientException ex) {
				// fabric8 wraps Jackson's reason (a value of the wrong type) in "An error has occurred."
				Throwable cause = (ex.getCause() != null) ? ex.getCause() : ex;
				problems.add(id + ": " + cause.getMessage());
			}
		}
		if (!problems.isEmpty()) {
			throw new InvalidManifestException(problems);
		}
		return new Manifests(List.copyOf(objects), List.copyOf(topics), List.copyOf(users));
	}

	private static HasMetadata kubernetesObject(JsonNode document) {
		Object parsed = KUBERNETES.unmarshal(document.toString());
		if (parsed instanceof GenericKubernetesResource generic) {
			throw new IllegalArgumentException("no Kubernetes model for apiVersion " + generic.getApiVersion() + ", kind "
					+ generic.getKind());
		}
		if (!(parsed instanceof HasMetadata object)) {
			throw new IllegalArgumentException("not a Kubernetes object: " + parsed);
		}
		return object;
	}

	/** Visits every field of fabric8 model objects, lists and maps; collects additionalProperties keys. */
	private static void collectUnknownFields(Object value, String path, List<String> unknown) {
		if (value instanceof List<?> list) {
			for (int i = 0; i < list.size(); i++) {
				collectUnknownFields(list.get(i), path + "[" + i + "]", unknown);
			}
			return;
		}
		if (value instanceof Map<?, ?> map) {
			map.forEach((key, element) -> collectUnknownFields(element, path + "[" + key + "]", unknown));
			return;
		}
		if (value == null || !value.getClass().getName().startsWith("io.fabric8.kubernetes.api.model.")) {
			return;
		}
		for (Class<?> type = value.getClass(); type != null && type != Object.class; type = type.getSuperclass()) {
			for (Field field : type.getDeclaredFields()) {
				if (Modifier.isStatic(field.getModifiers())) {
					continue;
				}
				field.setAccessible(true);
				Object fieldValue = read(field, value);
				if (field.getName().equals("additionalProperties")) {
					if (fieldValue instanceof Map<?, ?> extra) {
						extra.keySet().forEach((key) -> unknown.add(join(path, String.valueOf(key))));
					}
				}
				else {
					collectUnknownFields(fieldValue, join(path, jsonName(field)), unknown);
				}
			}
		}
	}

	private static Object read(Field field, Object owner) {
		try {
			return field.get(owner);
		}
		catch (IllegalAccessException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static String jsonName(Field field) {
		JsonProperty property = field.getAnnotation(JsonProperty.class);
		return (property != null && !property.value().isEmpty()) ? property.value() : field.getName();
	}

	private static String join(String path, String name) {
		return path.isEmpty() ? name : path + "." + name;
	}

	/** The one KafkaUser named {@code name}. */
	KafkaUser kafkaUser(String name) {
		List<KafkaUser> matching = this.kafkaUsers.stream().filter((user) -> name.equals(user.metadata().name())).toList();
		assertThat(matching).as("KafkaUser " + name).hasSize(1);
		return matching.get(0);
	}

	<T extends HasMetadata> List<T> all(Class<T> type) {
		return this.objects.stream().filter(type::isInstance).map(type::cast).toList();
	}

	/** The one object of {@code type} named {@code name}. */
	<T extends HasMetadata> T named(Class<T> type, String name) {
		List<T> matching = all(type).stream().filter((object) -> name.equals(object.getMetadata().getName())).toList();
		assertThat(matching).as(type.getSimpleName() + " " + name).hasSize(1);
		return matching.get(0);
	}

	/** A manifest that does not fit its model; the message lists every problem found. */
	static final class InvalidManifestException extends IllegalArgumentException {

		InvalidManifestException(List<String> problems) {
			super("manifests do not fit the Kubernetes model:\n  - " + String.join("\n  - ", problems));
		}

	}

}
