package com.cloudgreet.relay.gateway.console;

import java.time.Instant;
import java.util.List;

/**
 * What a portal link grants, and then the session it is exchanged for: one tenant, a scope, and
 * optionally only some endpoints (empty: all of them). {@code epoch} is the tenant's revocation
 * epoch when the link was made; a revocation moves the epoch on, so every older grant is void.
 */
public record PortalGrant(String tenantId, Scope scope, List<String> endpointIds, Instant expiresAt, long epoch) {

	public enum Scope {

		READ, MANAGE

	}

	public PortalGrant {
		if (tenantId == null || tenantId.isBlank() || scope == null || expiresAt == null) {
			throw new IllegalArgumentException("A grant names its tenant, scope and expiry");
		}
		endpointIds = endpointIds == null ? List.of() : List.copyOf(endpointIds);
	}

	/** Whether the grant covers this endpoint. */
	public boolean allows(String endpointId) {
		return this.endpointIds.isEmpty() || this.endpointIds.contains(endpointId);
	}

}
