package com.cloudgreet.relay.notification.consume;

import java.util.List;

import com.cloudgreet.relay.common.Channel;
import com.cloudgreet.relay.common.kafka.Topics;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.stereotype.Component;

/**
 * Consumes {@code relay.sms.v1} in batches into the delivery engine ({@link Intake}); the
 * batch's offsets commit when this returns, after the batch is stored.
 */
@Component
public class SmsRequestListener {

	public static final String ID = "relay-sms";

	private final Intake intake;

	public SmsRequestListener(Intake intake) {
		this.intake = intake;
	}

	@KafkaListener(id = ID, topics = Topics.SMS, idIsGroup = false, batch = "true")
	public void onRequests(List<ConsumerRecord<String, byte[]>> records) {
		this.intake.accept(Channel.SMS, records);
	}

}
