package com.cloudgreet.relay.gateway.openapi;

import java.util.List;

/** Shapes of answers, for the OpenAPI document only (handlers write these as JSON bytes). */
public final class ApiSchemas {

	private ApiSchemas() {
	}

	/** The 202 answer to a message or event. */
	public record Accepted(String id, String status, String channel) {
	}

	/** An RFC 9457 problem, with {@code errors} for validation failures. */
	public record Problem(String type, String title, int status, String detail, String instance, List<Error> errors) {

		public record Error(String pointer, String detail) {
		}

	}

}
