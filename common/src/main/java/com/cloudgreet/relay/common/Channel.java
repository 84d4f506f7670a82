package com.cloudgreet.relay.common;

import java.util.Arrays;
import java.util.Optional;

import com.cloudgreet.relay.common.kafka.Topics;

/**
 * A delivery channel. Each channel has exactly one request topic and one CloudEvent type; both
 * are derived here so no other code spells them.
 */
public enum Channel {

	EMAIL("email", Topics.EMAIL, "relay.email.requested"),
	SMS("sms", Topics.SMS, "relay.sms.requested"),
	WEBHOOK("webhook", Topics.WEBHOOK, "relay.webhook.requested");

	private final String id;

	private final String topic;

	private final String eventType;

	Channel(String id, String topic, String eventType) {
		this.id = id;
		this.topic = topic;
		this.eventType = eventType;
	}

	/** The lower-case name used in JSON answers and URLs. */
	public String id() {
		return this.id;
	}

	public String topic() {
		return this.topic;
	}

	/** The CloudEvent {@code type} attribute of a request on this channel. */
	public String eventType() {
		return this.eventType;
	}

	public static Optional<Channel> ofEventType(String type) {
		return Arrays.stream(values()).filter((channel) -> channel.eventType.equals(type)).findFirst();
	}

	public static Optional<Channel> ofTopic(String topic) {
		return Arrays.stream(values()).filter((channel) -> topic != null && topic.startsWith(channel.topic)).findFirst();
	}

	public static Optional<Channel> ofId(String id) {
		return Arrays.stream(values()).filter((channel) -> channel.id.equals(id)).findFirst();
	}

}
