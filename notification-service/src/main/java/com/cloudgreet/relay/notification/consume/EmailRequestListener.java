package com.cloudgreet.relay.notification.consume;

import java.nio.charset.StandardCharsets;

import com.cloudgreet.relay.common.Channel;
import com.cloudgreet.relay.common.event.CloudEventCodec;
import com.cloudgreet.relay.common.event.RelayRequest;
import com.cloudgreet.relay.common.kafka.Topics;
import com.cloudgreet.relay.notification.delivery.Deliverer;
import com.cloudgreet.relay.notification.sender.TenantSenders;
import com.cloudgreet.relay.notification.email.EmailSender;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import reactor.core.publisher.Mono;

import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.retrytopic.RetryTopicConfiguration;
import org.springframework.kafka.core.KafkaOperations;
import org.springframework.stereotype.Component;

import com.cloudgreet.relay.notification.config.NotificationProperties;

/**
 * Consumes {@code relay.email.v1} and its retry topics, hands each request to the deliverer, and
 * handles the dead-letter topic. A record that does not decode throws
 * {@code InvalidMessageException}, which the retry-topic setup sends straight to the DLT.
 */
@Component(EmailRequestListener.BEAN)
public class EmailRequestListener {

	static final String BEAN = "emailRequestListener";

	public static final String ID = "relay-email";

	private final Deliverer deliverer;

	private final EmailSender sender;

	private final DeadLetters deadLetters;

	private final TenantSenders senders;

	public EmailRequestListener(Deliverer deliverer, EmailSender sender, DeadLetters deadLetters,
			TenantSenders senders) {
		this.senders = senders;
		this.deliverer = deliverer;
		this.sender = sender;
		this.deadLetters = deadLetters;
	}

	/** The sender is checked before anything is recorded: a refused record goes to the DLT as invalid. */
	@KafkaListener(id = ID, topics = Topics.EMAIL, idIsGroup = false)
	public Mono<Void> onRequest(ConsumerRecord<String, byte[]> record) {
		RelayRequest request = CloudEventCodec.decode(record.value(), Channel.EMAIL);
		return this.senders.verify(request)
			.then(Mono.defer(() -> this.deliverer.deliver(Channel.EMAIL, request, new String(record.value(), StandardCharsets.UTF_8),
				Mono.empty(), Mono.defer(() -> this.sender.send(request.id(), request.email())))))
			// The record's trace (opened by the container from its traceparent header) follows the
			// delivery across threads, so its log lines and spans belong to the sender's trace.
			.contextCapture();
	}

	public Mono<Void> onDeadLetter(ConsumerRecord<String, byte[]> record) {
		return this.deadLetters.handle(Channel.EMAIL, record).contextCapture();
	}

	public static RetryTopicConfiguration retryTopics(NotificationProperties properties, KafkaOperations<?, ?> template) {
		return RetryStages.configure(Topics.EMAIL, properties.email().retryDelays(), BEAN)
			.create(template);
	}

}
