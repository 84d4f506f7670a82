package com.cloudgreet.relay.common.kafka;

import com.cloudgreet.relay.common.event.CloudEvent;

/**
 * The record key of a request, chosen per channel.
 *
 * <ul>
 * <li>SMS: tenant and recipient number, so texts to one phone (an OTP, then its follow-up) keep
 * their order on the first attempt, while different recipients spread across partitions.</li>
 * <li>Email and webhooks: the message id. Mail gives no ordering guarantee anyway, and webhook
 * receivers must not rely on order (retries reorder, as with Svix); keying by id spreads even one
 * hot tenant over every partition.</li>
 * </ul>
 */
public final class RecordKeys {

	private RecordKeys() {
	}

	public static String forSms(String tenantId, String to) {
		return tenantId + "/" + to;
	}

	public static String forEvent(CloudEvent event) {
		return event.id();
	}

}
