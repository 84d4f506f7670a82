package com.cloudgreet.relay.notification;

import com.cloudgreet.relay.common.Channel;
import com.cloudgreet.relay.common.alert.DeadLetterAlerter;
import com.cloudgreet.relay.delivery.DeadLetterPublisher;
import com.cloudgreet.relay.delivery.DeliveryEngine;
import com.cloudgreet.relay.delivery.TraceParents;
import com.cloudgreet.relay.notification.config.EngineConfiguration;
import com.cloudgreet.relay.notification.config.NotificationProperties;
import com.cloudgreet.relay.notification.delivery.MessageChannel;
import com.cloudgreet.relay.notification.delivery.MessageJob;
import com.cloudgreet.relay.notification.delivery.MessageStore;
import com.cloudgreet.relay.notification.sender.SenderCheck;
import com.cloudgreet.relay.notification.sms.SmsSender;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import reactor.core.publisher.Mono;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/** Builds another SMS engine instance in this JVM, as a second replica of the service would run it. */
@Component
class SecondEngine {

	@Autowired
	private SmsSender sender;

	@Autowired
	private DeadLetterPublisher deadLetters;

	@Autowired
	private NotificationProperties properties;

	@Autowired
	private DeadLetterAlerter alerter;

	@Autowired
	private TraceParents traces;

	@Autowired
	private SenderCheck senders;

	DeliveryEngine<MessageJob> sms(MessageStore store, String owner) {
		MessageChannel channel = new MessageChannel(Channel.SMS,
				(request) -> this.sender.send(request.id(), request.sms()), Mono.empty(), this.deadLetters, this.senders);
		return EngineConfiguration.engine(Channel.SMS, store, channel, this.properties.sms().retryDelays(),
				this.properties, this.alerter, new SimpleMeterRegistry(), this.traces, owner);
	}

}
