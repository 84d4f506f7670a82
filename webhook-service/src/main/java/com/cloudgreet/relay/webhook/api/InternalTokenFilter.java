package com.cloudgreet.relay.webhook.api;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;

import com.cloudgreet.relay.common.http.RelayHttpHeaders;
import com.cloudgreet.relay.common.json.RelayJson;
import com.cloudgreet.relay.common.problem.ProblemTypes;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * Admits {@code /internal/**} calls only with the gateway's shared token. The tenant header is
 * trusted only behind this check, which is why it runs first.
 */
@Order(Ordered.HIGHEST_PRECEDENCE)
public final class InternalTokenFilter implements WebFilter {

	private static final String INTERNAL_PREFIX = "/internal/";

	private final byte[] token;

	public InternalTokenFilter(String token) {
		this.token = token.getBytes(StandardCharsets.UTF_8);
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
		String path = exchange.getRequest().getPath().pathWithinApplication().value();
		if (!path.startsWith(INTERNAL_PREFIX)) {
			return chain.filter(exchange);
		}
		String presented = exchange.getRequest().getHeaders().getFirst(RelayHttpHeaders.INTERNAL_TOKEN);
		// Constant-time comparison: the token must not leak through response timing.
		if (presented == null || !MessageDigest.isEqual(this.token, presented.getBytes(StandardCharsets.UTF_8))) {
			return problem(exchange, HttpStatus.UNAUTHORIZED, ProblemTypes.UNAUTHORIZED.toString(), "Unauthorized",
					"missing or wrong " + RelayHttpHeaders.INTERNAL_TOKEN, path);
		}
		String tenant = exchange.getRequest().getHeaders().getFirst(RelayHttpHeaders.TENANT_ID);
		if (tenant == null || tenant.isBlank()) {
			// Every internal lookup is tenant-scoped; without a tenant there is nothing to scope by.
			return problem(exchange, HttpStatus.BAD_REQUEST, ProblemTypes.MALFORMED_REQUEST.toString(),
					"Malformed request", RelayHttpHeaders.TENANT_ID + " is required", path);
		}
		return chain.filter(exchange);
	}

	private static Mono<Void> problem(ServerWebExchange exchange, HttpStatus status, String type, String title,
			String detail, String path) {
		var problem = Map.of("type", type, "title", title, "status", status.value(), "detail", detail, "instance", path);
		var response = exchange.getResponse();
		response.setStatusCode(status);
		response.getHeaders().setContentType(MediaType.APPLICATION_PROBLEM_JSON);
		byte[] body = RelayJson.write(problem);
		return response.writeWith(Mono.just(response.bufferFactory().wrap(body)));
	}

}
