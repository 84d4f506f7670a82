package com.cloudgreet.relay.gateway;

import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.kafka.clients.producer.ProducerInterceptor;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * A producer interceptor that runs a test's action once, when the broker has acknowledged a
 * record and before the gateway hears of it: the moment to break something that the gateway
 * touches next (the Redis store of the answer). Kafka instantiates it by class name, hence the
 * static hook.
 */
public class AcknowledgementHook implements ProducerInterceptor<Object, Object> {

	static final AtomicReference<Runnable> NEXT = new AtomicReference<>();

	@Override
	public ProducerRecord<Object, Object> onSend(ProducerRecord<Object, Object> record) {
		return record;
	}

	@Override
	public void onAcknowledgement(RecordMetadata metadata, Exception exception) {
		Runnable action = exception == null ? NEXT.getAndSet(null) : null;
		if (action != null) {
			action.run();
		}
	}

	@Override
	public void close() {
	}

	@Override
	public void configure(Map<String, ?> configs) {
	}

}
