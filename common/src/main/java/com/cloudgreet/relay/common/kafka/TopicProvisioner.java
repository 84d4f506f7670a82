package com.cloudgreet.relay.common.kafka;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.TopicPartitionInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.SmartInitializingSingleton;

/**
 * Creates the topics a service declared ({@link DeclaredTopics}) with the {@link TopicPolicy}'s
 * partitions, replication factor and {@code min.insync.replicas}, and refuses to let the service
 * start when one that exists already is weaker: a topic made by a broker's defaults (one replica,
 * {@code min.insync.replicas=1}) would turn every {@code acks=all} into "one disk has it".
 *
 * <p>It runs once every singleton exists and before any listener container or web server starts,
 * so no record is produced or consumed before the check. It does not repair a weak topic (adding
 * partitions remaps keys, which breaks per-recipient SMS order; raising replication needs a
 * reassignment plan): that is an operator's decision, which the message spells out.
 *
 * <p>Not Spring's {@code KafkaAdmin} with {@code NewTopic} beans: that silently adds partitions to
 * a smaller topic and ignores replication factor and configs of existing ones.
 */
public final class TopicProvisioner implements SmartInitializingSingleton {

	private static final Logger log = LoggerFactory.getLogger(TopicProvisioner.class);

	private final Map<String, Object> adminConfig;

	private final TopicPolicy policy;

	private final Set<String> names;

	public TopicProvisioner(Map<String, Object> adminConfig, TopicPolicy policy, Collection<DeclaredTopics> declared) {
		Map<String, Object> config = new HashMap<>(adminConfig);
		int timeout = (int) Math.min(Integer.MAX_VALUE, policy.verifyTimeout().toMillis());
		config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, timeout);
		config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, timeout);
		this.adminConfig = Map.copyOf(config);
		this.policy = policy;
		this.names = new LinkedHashSet<>();
		declared.forEach((topics) -> this.names.addAll(topics.names()));
	}

	@Override
	public void afterSingletonsInstantiated() {
		provision();
	}

	/**
	 * Creates what is missing and checks what exists.
	 * @throws WeakTopicException naming every topic that is weaker than the policy, or could not be
	 * created as the policy asks
	 */
	public void provision() {
		if (this.names.isEmpty()) {
			return;
		}
		try (Admin admin = Admin.create(this.adminConfig)) {
			List<String> problems = new ArrayList<>();
			Map<String, TopicDescription> existing = describe(admin, this.names);
			List<String> missing = this.names.stream().filter((name) -> !existing.containsKey(name)).toList();
			if (!missing.isEmpty()) {
				existing.putAll(awaitVisible(admin, create(admin, missing, problems)));
			}
			Map<String, Integer> minInsync = minInsyncReplicas(admin, existing.keySet());
			for (String name : this.names) {
				TopicDescription topic = existing.get(name);
				if (topic != null) {
					check(topic, minInsync.get(name), problems);
				}
			}
			if (!problems.isEmpty()) {
				throw new WeakTopicException(problems);
			}
			log.info("Kafka topics {} have at least {} partition(s), replication factor {}, min.insync.replicas {}",
					this.names, this.policy.partitions(), this.policy.replicationFactor(), this.policy.minInsyncReplicas());
		}
		catch (TimeoutException | org.apache.kafka.common.errors.TimeoutException ex) {
			// Kafka may come up after the service (Kubernetes has no start order); the service then
			// answers 503s and reports Kafka down in health, as it does for a broker lost later.
			log.warn("Kafka did not answer within {}; topics {} were neither created nor checked",
					this.policy.verifyTimeout(), this.names);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted while checking Kafka topics", ex);
		}
	}

	private Map<String, TopicDescription> describe(Admin admin, Collection<String> topics)
			throws InterruptedException, TimeoutException {
		Map<String, TopicDescription> found = new HashMap<>();
		for (Map.Entry<String, KafkaFuture<TopicDescription>> entry : admin.describeTopics(topics)
			.topicNameValues()
			.entrySet()) {
			try {
				found.put(entry.getKey(), await(entry.getValue()));
			}
			catch (ExecutionException ex) {
				if (!(ex.getCause() instanceof UnknownTopicOrPartitionException)) {
					throw unexpected("describe topic " + entry.getKey(), ex);
				}
			}
		}
		return found;
	}

	/**
	 * Describes topics just created (or found to exist: another replica, or a broker's metadata
	 * lagging behind its controller) until the broker shows them all; one it never shows is a problem.
	 */
	private Map<String, TopicDescription> awaitVisible(Admin admin, List<String> topics)
			throws InterruptedException, TimeoutException {
		if (topics.isEmpty()) {
			return Map.of();
		}
		long deadline = System.nanoTime() + this.policy.verifyTimeout().toNanos();
		Map<String, TopicDescription> found = describe(admin, topics);
		while (found.size() < topics.size()) {
			if (System.nanoTime() > deadline) {
				throw new TimeoutException("topics not visible yet: " + topics);
			}
			Thread.sleep(100);
			found.putAll(describe(admin, topics.stream().filter((name) -> !found.containsKey(name)).toList()));
		}
		return found;
	}

	/** Creates the missing topics; answers those that exist now (created here, or by someone else meanwhile). */
	private List<String> create(Admin admin, List<String> missing, List<String> problems)
			throws InterruptedException, TimeoutException {
		List<String> created = new ArrayList<>();
		List<NewTopic> topics = missing.stream()
			.map((name) -> new NewTopic(name, this.policy.partitions(), this.policy.replicationFactor())
				.configs(Map.of(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, Integer.toString(this.policy.minInsyncReplicas()))))
			.toList();
		for (Map.Entry<String, KafkaFuture<Void>> entry : admin.createTopics(topics).values().entrySet()) {
			try {
				await(entry.getValue());
				log.info("Created Kafka topic {}", entry.getKey());
				created.add(entry.getKey());
			}
			catch (ExecutionException ex) {
				if (ex.getCause() instanceof TopicExistsException) {
					created.add(entry.getKey());
				}
				else {
					problems.add("topic " + entry.getKey() + " could not be created with " + this.policy.partitions()
							+ " partition(s), replication factor " + this.policy.replicationFactor()
							+ " and min.insync.replicas " + this.policy.minInsyncReplicas() + ": " + ex.getCause().getMessage());
				}
			}
		}
		return created;
	}

	private Map<String, Integer> minInsyncReplicas(Admin admin, Collection<String> topics)
			throws InterruptedException, TimeoutException {
		List<ConfigResource> resources = topics.stream()
			.map((name) -> new ConfigResource(ConfigResource.Type.TOPIC, name))
			.toList();
		Map<String, Integer> values = new HashMap<>();
		try {
			for (Map.Entry<ConfigResource, Config> entry : await(admin.describeConfigs(resources).all()).entrySet()) {
				ConfigEntry value = entry.getValue().get(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG);
				if (value != null && value.value() != null) {
					values.put(entry.getKey().name(), Integer.parseInt(value.value()));
				}
			}
		}
		catch (ExecutionException ex) {
			throw unexpected("describe the configuration of topics " + topics, ex);
		}
		return values;
	}

	private void check(TopicDescription topic, Integer minInsync, List<String> problems) {
		String name = topic.name();
		int partitions = topic.partitions().size();
		if (partitions < this.policy.partitions()) {
			problems.add("topic " + name + " has " + partitions + " partition(s), fewer than the "
					+ this.policy.partitions() + " configured (relay.kafka.topics.partitions)");
		}
		int replicas = topic.partitions().stream().mapToInt((p) -> replicas(p)).min().orElse(0);
		if (replicas < this.policy.replicationFactor()) {
			problems.add("topic " + name + " has replication factor " + replicas + ", lower than the "
					+ this.policy.replicationFactor() + " configured (relay.kafka.topics.replication-factor)");
		}
		if (minInsync == null || minInsync < this.policy.minInsyncReplicas()) {
			problems.add("topic " + name + " has min.insync.replicas " + minInsync + ", lower than the "
					+ this.policy.minInsyncReplicas() + " configured (relay.kafka.topics.min-insync-replicas)");
		}
	}

	private static int replicas(TopicPartitionInfo partition) {
		return partition.replicas().size();
	}

	private <T> T await(KafkaFuture<T> future) throws InterruptedException, ExecutionException, TimeoutException {
		try {
			return future.get(this.policy.verifyTimeout().toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (ExecutionException ex) {
			if (ex.getCause() instanceof org.apache.kafka.common.errors.TimeoutException timeout) {
				throw timeout;
			}
			throw ex;
		}
	}

	private static IllegalStateException unexpected(String what, ExecutionException ex) {
		return new IllegalStateException("Could not " + what + ": " + ex.getCause().getMessage(), ex.getCause());
	}

	/** Start-up stops here: at least one topic is less durable than the configuration asks. */
	public static final class WeakTopicException extends IllegalStateException {

		WeakTopicException(List<String> problems) {
			super("Kafka topics are weaker than configured; not starting:\n  - " + String.join("\n  - ", problems)
					+ "\nRaise them (kafka-topics.sh --alter --partitions, kafka-configs.sh --alter --add-config "
					+ "min.insync.replicas=N, kafka-reassign-partitions.sh for replicas), or set relay.kafka.topics.* "
					+ "to what this cluster offers (a single broker: 1 and 1).");
		}

	}

}
