package com.cloudgreet.relay.notification.email;

import com.cloudgreet.relay.common.message.EmailMessage;
import com.cloudgreet.relay.notification.delivery.SendOutcome;
import reactor.core.publisher.Mono;

/** Hands one email to a provider. Never errors: every failure is a classified {@link SendOutcome}. */
public interface EmailSender {

	Mono<SendOutcome> send(String messageId, EmailMessage message);

}
