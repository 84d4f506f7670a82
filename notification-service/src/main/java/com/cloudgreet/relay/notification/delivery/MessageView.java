package com.cloudgreet.relay.notification.delivery;

import java.time.Instant;
import java.util.List;

import com.cloudgreet.relay.common.status.StatusPage;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The status JSON of {@code GET /internal/v1/messages/{id}} (contract in DESIGN.md): one page of
 * attempts, oldest first, and {@code next} (null on the last page) with the cursor for the rest.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record MessageView(String id, String channel, String status, String providerMessageId, Instant createdAt,
		Instant updatedAt, List<Attempt> attempts, @JsonInclude(JsonInclude.Include.ALWAYS) StatusPage next) {

	public MessageView withAttempts(List<Attempt> attempts, StatusPage next) {
		return new MessageView(this.id, this.channel, this.status, this.providerMessageId, this.createdAt,
				this.updatedAt, attempts, next);
	}

	/**
	 * {@code recipients} is each recipient's answer, for an email the server answered per
	 * recipient; absent for SMS (one destination) and attempts recorded before it was kept.
	 * {@code provider} names the provider that answered (failover: relay.email.providers,
	 * relay.sms.providers); null when none was called or the attempt predates it.
	 */
	@JsonInclude(JsonInclude.Include.ALWAYS)
	public record Attempt(int number, Instant at, String outcome, String provider, String providerCode, String detail,
			long latencyMs, @JsonInclude(JsonInclude.Include.NON_EMPTY) List<Recipient> recipients) {

		public Attempt(int number, Instant at, String outcome, String providerCode, String detail, long latencyMs) {
			this(number, at, outcome, null, providerCode, detail, latencyMs, null);
		}

	}

	/** One recipient's answer: {@code accepted}, or {@code refused} with the server's reply code and text. */
	@JsonInclude(JsonInclude.Include.ALWAYS)
	public record Recipient(String address, String outcome, String code, String detail) {
	}

}
