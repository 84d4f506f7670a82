package com.cloudgreet.relay.notification.consume;

import java.util.List;

import com.cloudgreet.relay.common.Channel;
import com.cloudgreet.relay.common.kafka.Topics;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;

/**
 * Consumes {@code relay.email.v1} in batches into the delivery engine ({@link Intake}); the
 * batch's offsets commit when this returns, after the batch is stored.
 */
@Component
public class EmailRequestListener {

	public static final String ID = "relay-email";

	private final Intake intake;

	public EmailRequestListener(Intake intake) {
		this.intake = intake;
	}

	@KafkaListener(id = ID, topics = Topics.EMAIL, idIsGroup = false, batch = "true")
	public void onRequests(List<ConsumerRecord<String, byte[]>> records) {
		this.intake.accept(Channel.EMAIL, records);
	}

}
