package com.cloudgreet.relay.notification.delivery;

import java.time.Instant;

import com.cloudgreet.relay.common.Channel;
import com.cloudgreet.relay.common.event.RelayRequest;
import com.cloudgreet.relay.delivery.Job;
import com.cloudgreet.relay.delivery.Lease;

/**
 * A claimed email or SMS message: its stored CloudEvent is what gets sent (and dead-lettered).
 * {@code decoded} is that CloudEvent as intake already decoded it, for a message claimed at intake
 * (its first attempt, the common case); {@code null} for one claimed from the table, which the
 * channel decodes.
 */
public record MessageJob(Lease lease, String tenantId, Channel channel, String event, int retriesUsed,
		String traceparent, Instant acceptedAt, RelayRequest decoded) implements Job {

	public MessageJob(Lease lease, String tenantId, Channel channel, String event, int retriesUsed,
			String traceparent, Instant acceptedAt) {
		this(lease, tenantId, channel, event, retriesUsed, traceparent, acceptedAt, null);
	}

	/** Each channel sends through one provider account (the SMTP account, the SMS provider account). */
	public static String destinationOf(Channel channel) {
		return channel.id();
	}

	@Override
	public String destination() {
		return destinationOf(this.channel);
	}

	/** Leaves the decoded request out: it holds the message's recipients and body. */
	@Override
	public String toString() {
		return "MessageJob[" + lease() + ", " + channel() + ", retriesUsed=" + retriesUsed() + "]";
	}

}
