package com.cloudgreet.relay.common.web;

import com.cloudgreet.relay.common.problem.ProblemTypes;
import org.springframework.core.Ordered;
import org.springframework.http.HttpStatus;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * Answers {@code 404} to any request whose path is not spelled canonically: percent-encoding,
 * matrix parameters ({@code ;}), backslashes, empty segments ({@code //}) or dot segments. The
 * router decodes {@code %xx} and drops matrix parameters before it matches, while a check on the
 * raw string does not; refusing the other spellings outright means every access decision and the
 * router see the same path. No Relay route needs any of them: ids and names are plain ASCII.
 */
public final class CanonicalPathFilter extends NamedWebFilter implements Ordered {

	public static final int ORDER = Ordered.HIGHEST_PRECEDENCE;

	@Override
	public int getOrder() {
		return ORDER;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
		if (isCanonical(exchange.getRequest().getPath().value())) {
			return chain.filter(exchange);
		}
		return ProblemResponses.write(exchange, HttpStatus.NOT_FOUND, ProblemTypes.NOT_FOUND,
				"No resource here: paths are spelled without percent-encoding, matrix parameters,"
						+ " empty or dot segments.");
	}

	/** Whether {@code rawPath} (still encoded) is a plain {@code /segment/segment} path. */
	public static boolean isCanonical(String rawPath) {
		if (rawPath.isEmpty() || rawPath.charAt(0) != '/') {
			return false;
		}
		int segmentStart = 1;
		for (int i = 1; i <= rawPath.length(); i++) {
			char c = i < rawPath.length() ? rawPath.charAt(i) : '/';
			if (c == '/') {
				String segment = rawPath.substring(segmentStart, i);
				boolean last = i == rawPath.length();
				if ((segment.isEmpty() && !(last && i == 1)) || segment.equals(".") || segment.equals("..")) {
					return false;
				}
				segmentStart = i + 1;
			}
			else if (c == '%' || c == ';' || c == '\\' || c <= ' ' || c >= 0x7f) {
				return false;
			}
		}
		return true;
	}

}
