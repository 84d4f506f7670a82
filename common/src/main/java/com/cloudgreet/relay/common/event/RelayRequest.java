package com.cloudgreet.relay.common.event;

import com.cloudgreet.relay.common.message.EmailMessage;
import com.cloudgreet.relay.common.message.SmsMessage;
import com.cloudgreet.relay.common.message.WebhookEvent;

/** A decoded, validated request: its envelope and its typed payload. */
public record RelayRequest(CloudEvent event, Object payload) {

	public String id() {
		return this.event.id();
	}

	public String tenantId() {
		return this.event.tenantid();
	}

	public EmailMessage email() {
		return (EmailMessage) this.payload;
	}

	public SmsMessage sms() {
		return (SmsMessage) this.payload;
	}

	public WebhookEvent webhook() {
		return (WebhookEvent) this.payload;
	}

}
