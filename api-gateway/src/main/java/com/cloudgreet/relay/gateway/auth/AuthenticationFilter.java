package com.cloudgreet.relay.gateway.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

import com.cloudgreet.relay.gateway.config.GatewayProperties;
import com.cloudgreet.relay.gateway.ratelimit.RefusedClients;
import com.cloudgreet.relay.gateway.tenant.ApiKeyAuthenticator;
import com.cloudgreet.relay.gateway.web.ClientIpResolver;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * Establishes the {@link Caller} of every {@code /v1/**} and {@code /admin/**} request. It never
 * refuses anything itself: rate limiting must see failed attempts first (they are limited per
 * client IP), and only then does {@link AccessFilter} answer {@code 401}.
 */
@Component
public class AuthenticationFilter implements WebFilter, Ordered {

	public static final int ORDER = Ordered.HIGHEST_PRECEDENCE + 100;

	private static final String BEARER = "Bearer ";

	private final ApiKeyAuthenticator keys;

	private final byte[] adminToken;

	private final ClientIpResolver clientIps;

	private final RefusedClients refused;

	public AuthenticationFilter(ApiKeyAuthenticator keys, ClientIpResolver clientIps, RefusedClients refused,
			GatewayProperties properties) {
		this.keys = keys;
		this.clientIps = clientIps;
		this.refused = refused;
		String token = properties.adminToken();
		this.adminToken = token == null || token.isBlank() ? null : token.getBytes(StandardCharsets.UTF_8);
	}

	@Override
	public int getOrder() {
		return ORDER;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
		String path = exchange.getRequest().getPath().pathWithinApplication().value();
		Mono<Caller> caller;
		if (path.startsWith("/v1/")) {
			caller = tenant(exchange);
		}
		else if (path.startsWith("/admin/")) {
			caller = Mono.just(admin(exchange));
		}
		else {
			return chain.filter(exchange);
		}
		return caller.flatMap((who) -> {
			exchange.getAttributes().put(Caller.ATTRIBUTE, who);
			return chain.filter(exchange);
		});
	}

	private Mono<Caller> tenant(ServerWebExchange exchange) {
		String credentials = bearer(exchange);
		if (credentials == null) {
			return Mono.just(new Caller.Anonymous("An API key is required: Authorization: Bearer <key>."));
		}
		// A client already refused for failed attempts gets no database lookups until its
		// Retry-After: random-key floods must not turn into a PostgreSQL query per request.
		boolean mayQueryDatabase = !this.refused.isRefused(this.clientIps.resolve(exchange.getRequest()));
		return this.keys.authenticate(credentials, mayQueryDatabase)
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
