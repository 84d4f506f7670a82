package com.cloudgreet.relay.notification.email;

import com.cloudgreet.relay.common.message.EmailMessage;
import com.cloudgreet.relay.delivery.Outcome;
import reactor.core.publisher.Mono;

/** Hands one email to a provider. Never errors: every failure is a classified {@link Outcome}. */
public interface EmailSender {

	Mono<Outcome> send(String messageId, EmailMessage message);

}
