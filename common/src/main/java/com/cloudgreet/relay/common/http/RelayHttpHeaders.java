package com.cloudgreet.relay.common.http;

/** HTTP header names of the public API and of the internal calls between services. */
public final class RelayHttpHeaders {

	public static final String IDEMPOTENCY_KEY = "Idempotency-Key";

	public static final String IDEMPOTENCY_REPLAY = "Idempotency-Replay";

	public static final String RATE_LIMIT = "RateLimit";

	public static final String RATE_LIMIT_POLICY = "RateLimit-Policy";

	/** Set by the gateway after authentication; internal services trust it only with the internal token. */
	public static final String TENANT_ID = "X-Relay-Tenant-Id";

	/** Shared secret between the gateway and the internal services ({@code RELAY_INTERNAL_TOKEN}). */
	public static final String INTERNAL_TOKEN = "X-Relay-Internal-Token";

	private RelayHttpHeaders() {
	}

}
