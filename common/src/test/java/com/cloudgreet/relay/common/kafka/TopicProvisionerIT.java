package com.cloudgreet.relay.common.kafka;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.cloudgreet.relay.testsupport.Ports;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.assertThatNoException;

/**
 * Against a real (single, in-JVM KRaft) broker: missing topics are created as configured, and a
 * topic that exists but is weaker than configured stops start-up with a message naming it. One
 * broker cannot host three replicas, so the weak topics are made first with what it can do and
 * then checked under a policy that asks for more, as a production service would meet a topic a
 * broker's defaults made.
 */
class TopicProvisionerIT {

	private static final Duration TIMEOUT = Duration.ofSeconds(10);

	private static EmbeddedKafkaKraftBroker broker;

	private static Admin admin;

	@BeforeAll
	static void startBroker() {
		broker = new EmbeddedKafkaKraftBroker(1, 1);
		broker.afterPropertiesSet();
		admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.getBrokersAsString()));
	}

	@AfterAll
	static void stopBroker() {
		admin.close();
		broker.destroy();
	}

	@Test
	void createsMissingTopicsWithConfiguredPartitionsAndMinInsyncReplicas() throws Exception {
		String topic = unique("created");

		provisioner(new TopicPolicy(4, (short) 1, 1, TIMEOUT), topic).provision();

		TopicDescription description = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
		assertThat(description.partitions()).hasSize(4);
		ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
		var config = admin.describeConfigs(List.of(resource)).all().get().get(resource);
		assertThat(config.get(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG).value()).isEqualTo("1");
		assertThat(config.get(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG).source())
			.isEqualTo(org.apache.kafka.clients.admin.ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG);
	}

	@Test
	void acceptsAnExistingTopicAsStrongAsConfigured() throws Exception {
		String topic = unique("strong");
		admin.createTopics(List.of(new NewTopic(topic, 6, (short) 1))).all().get();

		assertThatNoException().isThrownBy(() -> provisioner(new TopicPolicy(3, (short) 1, 1, TIMEOUT), topic).provision());
	}

	@Test
	void refusesTopicWithLowerReplicationFactorThanConfigured() throws Exception {
		String topic = unique("one-replica");
		String fine = unique("fine");
		admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();

		// The production policy: 3 replicas, 2 in sync.
		assertThatThrownBy(() -> provisioner(new TopicPolicy(1, (short) 3, 2, TIMEOUT), topic).provision())
			.isInstanceOf(TopicProvisioner.WeakTopicException.class)
			.hasMessageContaining("topic " + topic + " has replication factor 1, lower than the 3 configured")
			.hasMessageContaining("topic " + topic + " has min.insync.replicas 1, lower than the 2 configured");
		// A missing topic under a policy this one broker cannot meet is refused too, by name.
		assertThatThrownBy(() -> provisioner(new TopicPolicy(1, (short) 3, 2, TIMEOUT), fine).provision())
			.isInstanceOf(TopicProvisioner.WeakTopicException.class)
			.hasMessageContaining("topic " + fine + " could not be created");
	}

	@Test
	void refusesTopicWithLowerMinInsyncReplicasThanConfigured() throws Exception {
		String topic = unique("min-isr");
		admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();

		// One replica with min.insync.replicas 2 could never take an acks=all write; the check is
		// about the setting alone, so the policy asks for more than the topic has.
		TopicPolicy policy = new TopicPolicy(1, (short) 2, 2, TIMEOUT);
		assertThatThrownBy(() -> provisioner(policy, topic).provision())
			.hasMessageContaining("topic " + topic + " has min.insync.replicas 1, lower than the 2 configured "
					+ "(relay.kafka.topics.min-insync-replicas)");
	}

	@Test
	void refusesTopicWithFewerPartitionsThanConfigured() throws Exception {
		String topic = unique("narrow");
		admin.createTopics(List.of(new NewTopic(topic, 2, (short) 1))).all().get();

		assertThatThrownBy(() -> provisioner(new TopicPolicy(6, (short) 1, 1, TIMEOUT), topic).provision())
			.hasMessageContaining("topic " + topic + " has 2 partition(s), fewer than the 6 configured");
		// Not repaired behind the operator's back: adding partitions would remap record keys.
		assertThat(admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions()).hasSize(2);
	}

	@Test
	void startsWithoutCheckingWhenKafkaDoesNotAnswer() throws Exception {
		int deadPort = Ports.unused();
		var provisioner = new TopicProvisioner(
				Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + deadPort),
				new TopicPolicy(1, (short) 3, 2, Duration.ofSeconds(1)), List.of(DeclaredTopics.of("relay.absent.v1")));

		assertThatNoException().isThrownBy(provisioner::provision);
	}

	private static TopicProvisioner provisioner(TopicPolicy policy, String topic) {
		return new TopicProvisioner(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.getBrokersAsString()),
				policy, List.of(DeclaredTopics.of(topic)));
	}

	private static String unique(String name) {
		return "relay.test." + name + "." + UUID.randomUUID();
	}

}
