package com.cloudgreet.relay.common.problem;

import java.net.URI;

/**
 * Stable RFC 9457 problem {@code type} URIs, one per kind of error a client can act on.
 */
public final class ProblemTypes {

	private static final String BASE = "https://relay.cloudgreet.com/problems/";

	public static final URI MALFORMED_REQUEST = of("malformed-request");

	public static final URI VALIDATION = of("validation-failed");

	public static final URI PAYLOAD_TOO_LARGE = of("payload-too-large");

	public static final URI UNAUTHORIZED = of("unauthorized");

	public static final URI FORBIDDEN = of("forbidden");

	public static final URI NOT_FOUND = of("not-found");

	public static final URI RATE_LIMITED = of("rate-limited");

	public static final URI IDEMPOTENCY_CONFLICT = of("idempotency-key-reused");

	public static final URI IDEMPOTENCY_IN_FLIGHT = of("idempotency-request-in-progress");

	public static final URI NOT_RETRYABLE = of("message-not-retryable");

	/** A cancel of a message whose sending has started or that has settled (409). */
	public static final URI NOT_CANCELABLE = of("message-not-cancelable");

	public static final URI UNSAFE_URL = of("unsafe-url");

	/** A retry or replay of a message whose sender its tenant does not allow (any more). */
	public static final URI SENDER_NOT_ALLOWED = of("sender-not-allowed");

	/** A tenant already has as many webhook endpoints as it may ({@code relay.webhooks.max-endpoints-per-tenant}). */
	public static final URI ENDPOINT_LIMIT = of("endpoint-limit-reached");

	public static final URI UNSUPPORTED_MEDIA_TYPE = of("unsupported-media-type");

	public static final URI SERVICE_UNAVAILABLE = of("service-unavailable");

	private ProblemTypes() {
	}

	private static URI of(String slug) {
		return URI.create(BASE + slug);
	}

}
