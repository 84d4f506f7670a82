package com.cloudgreet.relay.common.alert;

import com.cloudgreet.relay.common.Channel;
import com.cloudgreet.relay.common.privacy.Redaction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Used when no alert webhook is configured: the dead letter still shows, as a WARN log line, with
 * recipients masked in the reason.
 */
public final class LoggingDeadLetterAlerter implements DeadLetterAlerter {

	private static final Logger logger = LoggerFactory.getLogger(LoggingDeadLetterAlerter.class);

	@Override
	public void deadLettered(Channel channel, String messageId, String tenantId, String reason) {
		logger.warn("Dead-lettered {} message {} of tenant {}: {}", channel.id(), messageId, tenantId,
				Redaction.redact(reason));
	}

}
