package com.cloudgreet.relay.notification.email;

import com.cloudgreet.relay.common.message.EmailMessage;
import com.cloudgreet.relay.delivery.Outcome;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/** For local runs: logs that a message would be sent. Never logs addresses or bodies (personal data). */
public class LogEmailSender implements EmailSender {

	private static final Logger log = LoggerFactory.getLogger(LogEmailSender.class);

	@Override
	public Mono<Outcome> send(String messageId, EmailMessage message) {
		int recipients = message.to().size() + message.cc().size() + message.bcc().size();
		log.info("[log provider] email {} to {} recipient(s)", messageId, recipients);
		return Mono.just(new Outcome.Delivered("log", "logged, not sent", null));
	}

}
