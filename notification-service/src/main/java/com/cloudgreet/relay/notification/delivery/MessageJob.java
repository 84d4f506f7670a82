package com.cloudgreet.relay.notification.delivery;

import java.time.Instant;

import com.cloudgreet.relay.common.Channel;
import com.cloudgreet.relay.delivery.Job;
import com.cloudgreet.relay.delivery.Lease;

/** A claimed email or SMS message: its stored CloudEvent is what gets sent (and dead-lettered). */
public record MessageJob(Lease lease, String tenantId, Channel channel, String event, int retriesUsed,
		String traceparent, Instant acceptedAt) implements Job {

	/** Each channel sends through one provider account (the SMTP account, the SMS provider account). */
	public static String destinationOf(Channel channel) {
		return channel.id();
	}

	@Override
	public String destination() {
		return destinationOf(this.channel);
	}

}
