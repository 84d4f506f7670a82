package com.cloudgreet.relay.gateway.tenant;

import java.time.Instant;
import java.util.List;

import com.cloudgreet.relay.common.message.AllowedSenders;
import com.fasterxml.jackson.annotation.JsonInclude;

/** A tenant as the admin API shows it; keys appear only by id and hint, never in full. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Tenant(String id, String name, TenantRequests.RateLimit rateLimit, AllowedSenders senders,
		Instant createdAt, List<Key> keys) {

	Tenant withKeys(List<Key> keys) {
		return new Tenant(this.id, this.name, this.rateLimit, this.senders, this.createdAt, keys);
	}

	@JsonInclude(JsonInclude.Include.NON_NULL)
	public record Key(String id, String hint, Instant createdAt, Instant revokedAt) {
	}

}
