package com.cloudgreet.relay.gateway.message;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.springframework.kafka.core.KafkaTemplate;

/**
 * Decides whether {@code KafkaProducer.send} can run on the calling thread (a Netty event loop)
 * without waiting. {@code send} waits only (1) to create the producer, (2) for a topic's metadata
 * the producer does not hold, and (3) for buffer space ({@code buffer.memory}) while the broker
 * falls behind; otherwise it serialises, appends to the partition's batch and returns. So a send
 * runs inline only when
 * <ul>
 * <li>a send to the same topic succeeded less than {@link #KNOWN_FOR_NANOS} ago: the producer
 * exists and holds the topic's metadata, which it drops only after {@code metadata.max.idle.ms}
 * (5 min) without a send to it, and every send renews that;</li>
 * <li>the producer's buffer has at least {@link #BUFFER_MARGIN} times {@code max.request.size}
 * free.</li>
 * </ul>
 * Any failed send forgets every topic (the producer may have been replaced, with empty metadata),
 * so the following sends hop to a worker thread until one succeeds again. The hop costs a task
 * hand-off and a thread wake-up per request; it is paid at start-up and while Kafka is in trouble.
 */
final class SendPath {

	/** Well below {@code metadata.max.idle.ms} (5 min by default). */
	static final long KNOWN_FOR_NANOS = 60_000_000_000L;

	static final int BUFFER_MARGIN = 4;

	private static final long DEFAULT_BUFFER_MEMORY = 32L * 1024 * 1024;

	private static final long DEFAULT_MAX_REQUEST_SIZE = 1024 * 1024;

	private final KafkaTemplate<String, byte[]> kafka;

	private final long bufferNeeded;

	private final Map<String, Long> knownUntil = new ConcurrentHashMap<>();

	/** The producer's {@code buffer-available-bytes}, looked up once per producer. */
	private volatile Metric bufferAvailable;

	SendPath(KafkaTemplate<String, byte[]> kafka) {
		this.kafka = kafka;
		Map<String, Object> config = kafka.getProducerFactory().getConfigurationProperties();
		long maxRequest = number(config.get(ProducerConfig.MAX_REQUEST_SIZE_CONFIG), DEFAULT_MAX_REQUEST_SIZE);
		long bufferMemory = number(config.get(ProducerConfig.BUFFER_MEMORY_CONFIG), DEFAULT_BUFFER_MEMORY);
		// A buffer smaller than the margin would never qualify; then demand half of it.
		this.bufferNeeded = Math.min(BUFFER_MARGIN * maxRequest, bufferMemory / 2);
	}

	boolean wouldNotBlock(String topic) {
		Long until = this.knownUntil.get(topic);
		if (until == null || System.nanoTime() - until > 0) {
			return false;
		}
		Metric metric = this.bufferAvailable;
		return metric != null && metric.metricValue() instanceof Number free && free.doubleValue() >= this.bufferNeeded;
	}

	void succeeded(String topic) {
		if (this.bufferAvailable == null) {
			this.bufferAvailable = lookUpBufferMetric();
		}
		this.knownUntil.put(topic, System.nanoTime() + KNOWN_FOR_NANOS);
	}

	void failed() {
		this.knownUntil.clear();
		this.bufferAvailable = null;
	}

	private Metric lookUpBufferMetric() {
		for (Map.Entry<MetricName, ? extends Metric> entry : this.kafka.metrics().entrySet()) {
			MetricName name = entry.getKey();
			if ("buffer-available-bytes".equals(name.name()) && "producer-metrics".equals(name.group())) {
				return entry.getValue();
			}
		}
		return null;
	}

	private static long number(Object value, long otherwise) {
		return (value == null) ? otherwise : Long.parseLong(value.toString().trim());
	}

}
