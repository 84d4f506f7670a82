package com.cloudgreet.relay.notification.sms;

import com.cloudgreet.relay.common.message.SmsMessage;
import com.cloudgreet.relay.delivery.Outcome;
import reactor.core.publisher.Mono;

/** Hands one text message to a provider. Never errors: every failure is a classified {@link Outcome}. */
public interface SmsSender {

	Mono<Outcome> send(String messageId, SmsMessage message);

}
