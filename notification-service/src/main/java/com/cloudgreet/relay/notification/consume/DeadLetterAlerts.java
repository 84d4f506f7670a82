package com.cloudgreet.relay.notification.consume;

import com.cloudgreet.relay.common.Channel;

/**
 * Where dead-letter alerts go. Stands in for common's {@code DeadLetterAlerter} until it lands;
 * the default implementation only logs.
 */
public interface DeadLetterAlerts {

	void deadLettered(Channel channel, String messageId, String tenantId, String reason);

}
