package com.cloudgreet.relay.notification.delivery;

import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

/** The status JSON of {@code GET /internal/v1/messages/{id}} (contract in DESIGN.md). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record MessageView(String id, String channel, String status, String providerMessageId, Instant createdAt,
		Instant updatedAt, List<Attempt> attempts) {

	public MessageView withAttempts(List<Attempt> attempts) {
		return new MessageView(this.id, this.channel, this.status, this.providerMessageId, this.createdAt,
				this.updatedAt, attempts);
	}

	@JsonInclude(JsonInclude.Include.ALWAYS)
	public record Attempt(int number, Instant at, String outcome, String providerCode, String detail,
			long latencyMs) {
	}

}
