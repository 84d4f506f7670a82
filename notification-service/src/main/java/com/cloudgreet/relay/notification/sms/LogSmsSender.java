package com.cloudgreet.relay.notification.sms;

import com.cloudgreet.relay.common.message.SmsMessage;
import com.cloudgreet.relay.delivery.Outcome;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/** For local runs: logs that a text would be sent. Never logs the number or the body (personal data). */
public class LogSmsSender implements SmsSender {

	private static final Logger log = LoggerFactory.getLogger(LogSmsSender.class);

	@Override
	public Mono<Outcome> send(String messageId, SmsMessage message) {
		log.info("[log provider] sms {} to 1 recipient", messageId);
		return Mono.just(new Outcome.Delivered("log", "logged, not sent", null));
	}

}
