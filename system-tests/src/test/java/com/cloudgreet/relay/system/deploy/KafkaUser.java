package com.cloudgreet.relay.system.deploy;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A Strimzi {@code KafkaUser} (kafka.strimzi.io/v1beta2) with simple authorization, which fabric8's
 * model does not know: the fields of Strimzi's CRD that Relay uses, read with unknown properties
 * rejected, and every enum checked as the CRD's schema would (AclRule: resource, operations).
 */
record KafkaUser(String apiVersion, String kind, Metadata metadata, Spec spec) {

	static final String KIND = "KafkaUser";

	private static final Set<String> AUTHENTICATION = Set.of("tls", "tls-external", "scram-sha-512");

	private static final Set<String> RESOURCE_TYPES = Set.of("topic", "group", "cluster", "transactionalId");

	private static final Set<String> PATTERN_TYPES = Set.of("literal", "prefix");

	private static final Set<String> OPERATIONS = Set.of("Read", "Write", "Create", "Delete", "Alter", "Describe",
			"ClusterAction", "AlterConfigs", "DescribeConfigs", "IdempotentWrite", "All");

	KafkaUser {
		if (!KafkaTopic.API_VERSION.equals(apiVersion) || !KIND.equals(kind)) {
			throw new IllegalArgumentException("expected " + KafkaTopic.API_VERSION + " " + KIND + ", was " + apiVersion
					+ " " + kind);
		}
		if (metadata == null || spec == null || metadata.name() == null) {
			throw new IllegalArgumentException("a KafkaUser needs metadata.name and spec");
		}
		if (metadata.labels() == null || metadata.labels().get(KafkaTopic.CLUSTER_LABEL) == null) {
			throw new IllegalArgumentException("KafkaUser " + metadata.name() + " has no " + KafkaTopic.CLUSTER_LABEL
					+ " label: no User Operator would reconcile it");
		}
	}

	/** Whether an ACL of this user allows {@code operation} on the resource ({@code All} included). */
	boolean allows(String resourceType, String name, String operation) {
		if (this.spec.authorization() == null) {
			return false;
		}
		return this.spec.authorization().acls().stream()
			.filter((acl) -> acl.resource().type().equals(resourceType) && acl.resource().matches(name))
			.anyMatch((acl) -> acl.operations().contains(operation) || acl.operations().contains("All"));
	}

	record Metadata(String name, String namespace, Map<String, String> labels, Map<String, String> annotations) {
	}

	record Spec(Authentication authentication, Authorization authorization) {

		Spec {
			if (authentication == null || !AUTHENTICATION.contains(authentication.type())) {
				throw new IllegalArgumentException("spec.authentication.type must be one of " + AUTHENTICATION);
			}
		}

	}

	record Authentication(String type) {
	}

	record Authorization(String type, List<Acl> acls) {

		Authorization {
			if (!"simple".equals(type)) {
				throw new IllegalArgumentException("spec.authorization.type must be simple, was " + type);
			}
			acls = acls == null ? List.of() : List.copyOf(acls);
		}

	}

	record Acl(Resource resource, List<String> operations, String host) {

		Acl {
			if (resource == null || operations == null || operations.isEmpty()) {
				throw new IllegalArgumentException("an ACL rule needs a resource and operations");
			}
			for (String operation : operations) {
				if (!OPERATIONS.contains(operation)) {
					throw new IllegalArgumentException("unknown ACL operation " + operation + ", expected one of " + OPERATIONS);
				}
			}
		}

	}

	record Resource(String type, String name, String patternType) {

		Resource {
			if (!RESOURCE_TYPES.contains(type)) {
				throw new IllegalArgumentException("resource.type must be one of " + RESOURCE_TYPES + ", was " + type);
			}
			if (patternType != null && !PATTERN_TYPES.contains(patternType)) {
				throw new IllegalArgumentException("resource.patternType must be literal or prefix, was " + patternType);
			}
			if (!"cluster".equals(type) && (name == null || name.isBlank())) {
				throw new IllegalArgumentException("a " + type + " resource needs a name");
			}
		}

		boolean matches(String resourceName) {
			if ("cluster".equals(this.type)) {
				return true;
			}
			if ("prefix".equals(this.patternType)) {
				return resourceName.startsWith(this.name);
			}
			return this.name.equals("*") || this.name.equals(resourceName);
		}

	}

}
