package com.cloudgreet.relay.notification.consume;

import java.nio.charset.StandardCharsets;

import com.cloudgreet.relay.common.Channel;
import com.cloudgreet.relay.common.event.CloudEventCodec;
import com.cloudgreet.relay.common.event.RelayRequest;
import com.cloudgreet.relay.common.kafka.Topics;
import com.cloudgreet.relay.notification.config.NotificationProperties;
import com.cloudgreet.relay.notification.delivery.Deliverer;
import com.cloudgreet.relay.notification.sender.TenantSenders;
import com.cloudgreet.relay.notification.sms.SmsSender;
import com.cloudgreet.relay.notification.sms.SmsThrottle;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import reactor.core.publisher.Mono;

import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.core.KafkaOperations;
import org.springframework.kafka.retrytopic.RetryTopicConfiguration;
import org.springframework.stereotype.Component;

/**
 * Consumes {@code relay.sms.v1} and its retry topics; every send first waits for the shared
 * outbound rate limit. Handles the dead-letter topic too.
 */
@Component(SmsRequestListener.BEAN)
public class SmsRequestListener {

	static final String BEAN = "smsRequestListener";

	public static final String ID = "relay-sms";

	private final Deliverer deliverer;

	private final SmsSender sender;

	private final SmsThrottle throttle;

	private final DeadLetters deadLetters;

	private final TenantSenders senders;

	public SmsRequestListener(Deliverer deliverer, SmsSender sender, SmsThrottle throttle, DeadLetters deadLetters,
			TenantSenders senders) {
		this.senders = senders;
		this.deliverer = deliverer;
		this.sender = sender;
		this.throttle = throttle;
		this.deadLetters = deadLetters;
	}

	/** The sender is checked before anything is recorded: a refused record goes to the DLT as invalid. */
	@KafkaListener(id = ID, topics = Topics.SMS, idIsGroup = false)
	public Mono<Void> onRequest(ConsumerRecord<String, byte[]> record) {
		RelayRequest request = CloudEventCodec.decode(record.value(), Channel.SMS);
		return this.senders.verify(request)
			.then(Mono.defer(() -> this.deliverer.deliver(Channel.SMS, request, new String(record.value(), StandardCharsets.UTF_8),
				this.throttle.acquire(), Mono.defer(() -> this.sender.send(request.id(), request.sms())))))
			// The record's trace (opened by the container from its traceparent header) follows the
			// delivery across threads, so its log lines and spans belong to the sender's trace.
			.contextCapture();
	}

	public Mono<Void> onDeadLetter(ConsumerRecord<String, byte[]> record) {
		return this.deadLetters.handle(Channel.SMS, record).contextCapture();
	}

	public static RetryTopicConfiguration retryTopics(NotificationProperties properties, KafkaOperations<?, ?> template) {
		return RetryStages.configure(Topics.SMS, properties.sms().retryDelays(), BEAN)
			.create(template);
	}

}
