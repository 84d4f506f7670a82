package com.cloudgreet.relay.common.alert;

import com.cloudgreet.relay.common.Channel;

/**
 * Raises an alert when a message is dead-lettered. Implementations must never block or throw, and
 * redact the reason ({@link com.cloudgreet.relay.common.privacy.Redaction}): it may echo a recipient.
 */
public interface DeadLetterAlerter {

	void deadLettered(Channel channel, String messageId, String tenantId, String reason);

}
