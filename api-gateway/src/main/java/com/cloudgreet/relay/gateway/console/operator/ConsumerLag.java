package com.cloudgreet.relay.gateway.console.operator;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import jakarta.annotation.PreDestroy;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.admin.ListGroupsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.springframework.kafka.core.KafkaAdmin;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Every consumer group's lag per topic, straight from Kafka: the log end offsets minus the
 * group's committed offsets, summed over the topic's partitions. The broker's own numbers, so the
 * page shows the same lag whichever service instance is slow or down (a dead consumer's metrics
 * would not).
 */
@Component
class ConsumerLag {

	/** One group's lag on one topic; {@code topic} is null for a group without committed offsets. */
	record Row(String group, String state, String topic, int partitions, long committed, long end, long lag) {
	}

	private final KafkaAdmin kafkaAdmin;

	private final OperatorProperties properties;

	private Admin admin;

	ConsumerLag(KafkaAdmin kafkaAdmin, OperatorProperties properties) {
		this.kafkaAdmin = kafkaAdmin;
		this.properties = properties;
	}

	Mono<List<Row>> rows() {
		return Mono.defer(() -> {
			Admin client = admin();
			return mono(client.listGroups(ListGroupsOptions.forConsumerGroups()).all())
				.flatMapMany(Flux::fromIterable)
				.concatMap((group) -> groupRows(client, group))
				.collectList()
				.map((rows) -> rows.stream()
					.sorted(Comparator.comparing(Row::group)
						.thenComparing(Row::topic, Comparator.nullsFirst(Comparator.naturalOrder())))
					.toList());
		}).timeout(this.properties.kafkaTimeout());
	}

	private Flux<Row> groupRows(Admin client, GroupListing group) {
		String state = group.groupState().map(Object::toString).orElse("unknown");
		return mono(client.listConsumerGroupOffsets(group.groupId()).partitionsToOffsetAndMetadata())
			.flatMapMany((committed) -> {
				Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
				committed.keySet().forEach((partition) -> latest.put(partition, OffsetSpec.latest()));
				if (latest.isEmpty()) {
					// A group that has consumed nothing yet is still listed: its absence would hide that it exists.
					return Flux.just(new Row(group.groupId(), state, null, 0, 0, 0, 0));
				}
				return mono(client.listOffsets(latest).all())
					.flatMapMany((ends) -> Flux.fromIterable(perTopic(group.groupId(), state, committed, ends)));
			});
	}

	private static List<Row> perTopic(String group, String state, Map<TopicPartition, OffsetAndMetadata> committed,
			Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends) {
		Map<String, long[]> sums = new TreeMap<>();
		committed.forEach((partition, offset) -> {
			long[] sum = sums.computeIfAbsent(partition.topic(), (topic) -> new long[3]);
			long done = offset == null ? 0 : offset.offset();
			long end = ends.containsKey(partition) ? ends.get(partition).offset() : done;
			sum[0] += done;
			sum[1] += end;
			sum[2]++;
		});
		List<Row> rows = new ArrayList<>();
		sums.forEach((topic, sum) -> rows.add(new Row(group, state, topic, (int) sum[2], sum[0], sum[1],
				Math.max(0, sum[1] - sum[0]))));
		return rows;
	}

	private static <T> Mono<T> mono(KafkaFuture<T> future) {
		return Mono.fromFuture(future.toCompletionStage().toCompletableFuture());
	}

	/** One client for the gateway's life, made on first use: pages that never ask for lag never connect. */
	private synchronized Admin admin() {
		if (this.admin == null) {
			this.admin = Admin.create(this.kafkaAdmin.getConfigurationProperties());
		}
		return this.admin;
	}

	@PreDestroy
	synchronized void close() {
		if (this.admin != null) {
			this.admin.close(java.time.Duration.ofSeconds(2));
		}
	}

}
