package com.cloudgreet.relay.notification.sms;

import com.cloudgreet.relay.common.message.SmsMessage;
import com.cloudgreet.relay.notification.delivery.SendOutcome;
import reactor.core.publisher.Mono;

/** Hands one text message to a provider. Never errors: every failure is a classified {@link SendOutcome}. */
public interface SmsSender {

	Mono<SendOutcome> send(String messageId, SmsMessage message);

}
