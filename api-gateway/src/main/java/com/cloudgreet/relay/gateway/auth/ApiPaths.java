package com.cloudgreet.relay.gateway.auth;

import org.springframework.http.server.PathContainer;
import org.springframework.web.util.pattern.PathPattern;
import org.springframework.web.util.pattern.PathPatternParser;

/**
 * The gateway's areas, matched the way the router matches: on the parsed path (each segment
 * decoded, matrix parameters dropped), never on the raw string. Together with the canonical-path
 * filter, which refuses every other spelling first, a path reaches the admin handlers only if it
 * is in the admin area here.
 */
public enum ApiPaths {

	/** {@code /v1/**}: needs a tenant's API key. */
	TENANT("/v1/**"),

	/** {@code /admin/**}: needs the admin token. */
	ADMIN("/admin/**"),

	/** The OpenAPI document: public. */
	PUBLIC("/v3/api-docs/**"),

	/** Everything else: no handler of ours lives there, so it is refused before routing. */
	NONE(null);

	private final PathPattern pattern;

	ApiPaths(String pattern) {
		this.pattern = pattern == null ? null : PathPatternParser.defaultInstance.parse(pattern);
	}

	public static ApiPaths of(PathContainer path) {
		for (ApiPaths area : values()) {
			if (area.pattern != null && area.pattern.matches(path)) {
				return area;
			}
		}
		return NONE;
	}

}
