package com.cloudgreet.relay.notification.api;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.Map;

import com.cloudgreet.relay.common.http.RelayHttpHeaders;
import com.cloudgreet.relay.common.json.RelayJson;
import com.cloudgreet.relay.common.problem.ProblemTypes;
import com.cloudgreet.relay.notification.config.NotificationProperties;
import reactor.core.publisher.Mono;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

/**
 * Only the gateway may call {@code /internal/**}: it proves itself with the shared internal token.
 * The tenant header is trusted only behind this check.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
public class InternalTokenFilter implements WebFilter {

	private static final String INTERNAL = "/internal/";

	private final byte[] token;

	public InternalTokenFilter(NotificationProperties properties) {
		this.token = properties.internalToken().getBytes(StandardCharsets.UTF_8);
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
		if (!exchange.getRequest().getPath().pathWithinApplication().value().startsWith(INTERNAL)) {
			return chain.filter(exchange);
		}
		String presented = exchange.getRequest().getHeaders().getFirst(RelayHttpHeaders.INTERNAL_TOKEN);
		// Constant-time comparison: the token must not leak through response timing.
		if (presented == null || !MessageDigest.isEqual(this.token, presented.getBytes(StandardCharsets.UTF_8))) {
			return reject(exchange, HttpStatus.UNAUTHORIZED, ProblemTypes.UNAUTHORIZED,
					"Missing or wrong " + RelayHttpHeaders.INTERNAL_TOKEN);
		}
		String tenant = exchange.getRequest().getHeaders().getFirst(RelayHttpHeaders.TENANT_ID);
		if (tenant == null || tenant.isBlank()) {
			return reject(exchange, HttpStatus.BAD_REQUEST, ProblemTypes.MALFORMED_REQUEST,
					RelayHttpHeaders.TENANT_ID + " is required");
		}
		return chain.filter(exchange);
	}

	private static Mono<Void> reject(ServerWebExchange exchange, HttpStatus status, URI type, String detail) {
		// The same members, in the same order, as Spring renders ProblemDetail for controller errors.
		Map<String, Object> problem = new LinkedHashMap<>();
		problem.put("detail", detail);
		problem.put("instance", exchange.getRequest().getURI().getRawPath());
		problem.put("status", status.value());
		problem.put("title", status.getReasonPhrase());
		problem.put("type", type.toString());
		var response = exchange.getResponse();
		response.setStatusCode(status);
		response.getHeaders().setContentType(MediaType.APPLICATION_PROBLEM_JSON);
		return response.writeWith(Mono.fromSupplier(() -> response.bufferFactory().wrap(RelayJson.write(problem))));
	}

}
