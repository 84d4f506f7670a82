package com.cloudgreet.relay.gateway.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

import com.cloudgreet.relay.common.web.ApplicationServerFilter;
import com.cloudgreet.relay.gateway.config.GatewayProperties;
import com.cloudgreet.relay.gateway.tenant.ApiKeyAuthenticator;
import com.cloudgreet.relay.gateway.web.RequestLoop;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * Establishes the {@link Caller} of every request to the tenant and admin areas ({@link ApiPaths}).
 * It never refuses anything itself: rate limiting must see failed attempts first (they are limited per
 * client IP), and only then does {@link AccessFilter} answer {@code 401}.
 */
@Component
public class AuthenticationFilter extends ApplicationServerFilter implements Ordered {

	public static final int ORDER = Ordered.HIGHEST_PRECEDENCE + 100;

	private static final String BEARER = "Bearer ";

	private final ApiKeyAuthenticator keys;

	private final byte[] adminToken;

	public AuthenticationFilter(ApiKeyAuthenticator keys, GatewayProperties properties) {
		this.keys = keys;
		String token = properties.adminToken();
		this.adminToken = token == null || token.isBlank() ? null : token.getBytes(StandardCharsets.UTF_8);
	}

	@Override
	public int getOrder() {
		return ORDER;
	}

	@Override
	protected Mono<Void> filterApplication(ServerWebExchange exchange, WebFilterChain chain) {
		Mono<Caller> caller = switch (ApiPaths.of(exchange.getRequest().getPath().pathWithinApplication())) {
			case TENANT -> tenant(exchange);
			case ADMIN -> Mono.just(admin(exchange));
			case PUBLIC, NONE -> null;
		};
		if (caller == null) {
			return chain.filter(exchange);
		}
		// A key the in-process cache knows answers at once; one looked up in Redis or PostgreSQL
		// continues on the request's event loop, not on the client library's thread (RequestLoop).
		return RequestLoop.resume(caller, exchange).flatMap((who) -> {
			exchange.getAttributes().put(Caller.ATTRIBUTE, who);
			return chain.filter(exchange);
		});
	}

	private Mono<Caller> tenant(ServerWebExchange exchange) {
		String credentials = bearer(exchange);
		if (credentials == null) {
			return Mono.just(new Caller.Anonymous("An API key is required: Authorization: Bearer <key>."));
		}
		// A well-formed key is always checked, even from an address whose anonymous budget is spent:
		// that address is often an ingress proxy shared with everyone else.
		return this.keys.authenticate(credentials)
			.<Caller>map(Caller.Tenant::new)
			.defaultIfEmpty(new Caller.Anonymous("The API key is not valid."));
	}

	private Caller admin(ServerWebExchange exchange) {
		if (this.adminToken == null) {
			return new Caller.Anonymous("The admin API is disabled: no admin token is configured.");
		}
		String credentials = bearer(exchange);
		// Constant-time comparison, so response timing does not reveal how much of a guess was right.
		if (credentials != null
				&& MessageDigest.isEqual(this.adminToken, credentials.getBytes(StandardCharsets.UTF_8))) {
			return new Caller.Admin();
		}
		return new Caller.Anonymous("The admin token is missing or wrong.");
	}

	private static String bearer(ServerWebExchange exchange) {
		String header = exchange.getRequest().getHeaders().getFirst(HttpHeaders.AUTHORIZATION);
		if (header == null || header.length() <= BEARER.length()
				|| !header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
			return null;
		}
		return header.substring(BEARER.length()).trim();
	}

}
