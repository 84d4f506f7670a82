package com.cloudgreet.relay.notification.delivery;

import java.util.Map;

import com.cloudgreet.relay.common.Channel;
import com.cloudgreet.relay.delivery.DeliveryEngine;

/** The delivery engine of each channel this service delivers (email, SMS). */
public class Engines {

	private final Map<Channel, DeliveryEngine<MessageJob>> engines;

	public Engines(Map<Channel, DeliveryEngine<MessageJob>> engines) {
		this.engines = Map.copyOf(engines);
	}

	public DeliveryEngine<MessageJob> of(Channel channel) {
		DeliveryEngine<MessageJob> engine = this.engines.get(channel);
		if (engine == null) {
			throw new IllegalArgumentException("No delivery engine for " + channel);
		}
		return engine;
	}

	public void wakeUp(Channel channel) {
		of(channel).wakeUp();
	}

}
