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

	/** The operator console's way in (the admin-token login): public, rate-limited per client IP by its handler. */
	OPERATOR_PUBLIC("/console/operator/login"),

	/** The operator console: needs an operator session (its own cookie); never a tenant's session or an API key. */
	OPERATOR("/console/operator", "/console/operator/**"),

	/** The console's way in (the link exchange, the expired page) and its static assets: public. */
	CONSOLE_PUBLIC("/console/{page:login|expired}", "/console/assets/**"),

	/** The rest of the console: needs a console session (a cookie); never an API key. */
	CONSOLE("/console/**"),

	/** Everything else: no handler of ours lives there, so it is refused before routing. */
	NONE((String[]) null);

	private final java.util.List<PathPattern> patterns;

	ApiPaths(String... patterns) {
		this.patterns = patterns == null ? java.util.List.of()
				: java.util.Arrays.stream(patterns).map(PathPatternParser.defaultInstance::parse).toList();
	}

	/** The first area that matches, in declaration order (the operator pages and the console's public pages before the console). */
	public static ApiPaths of(PathContainer path) {
		for (ApiPaths area : values()) {
			for (PathPattern pattern : area.patterns) {
				if (pattern.matches(path)) {
					return area;
				}
			}
		}
		return NONE;
	}

}
