package com.cloudgreet.relay.gateway.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

import com.cloudgreet.relay.common.web.ApplicationServerFilter;
import com.cloudgreet.relay.gateway.config.GatewayProperties;
import com.cloudgreet.relay.gateway.console.ConsolePaths;
import com.cloudgreet.relay.gateway.console.PortalGrants;
import com.cloudgreet.relay.gateway.console.operator.OperatorPaths;
import com.cloudgreet.relay.gateway.console.operator.OperatorSessions;
import com.cloudgreet.relay.gateway.ratelimit.KeyLookupBudget;
import com.cloudgreet.relay.gateway.tenant.ApiKeyAuthenticator;
import com.cloudgreet.relay.gateway.web.ClientIpResolver;
import com.cloudgreet.relay.gateway.web.RequestLoop;
import org.springframework.core.Ordered;
import org.springframework.core.env.Environment;
import org.springframework.core.env.Profiles;
import org.springframework.http.HttpCookie;
import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * Establishes the {@link Caller} of every request to the tenant and admin areas ({@link ApiPaths}).
 * It never refuses anything itself: rate limiting must see failed attempts first (they are limited per
 * client IP), and only then does {@link AccessFilter} answer {@code 401}. The one exception: a key
 * that no cache knows is looked up in the database only within its address's {@link KeyLookupBudget},
 * and past it the request is refused with {@code 429} here.
 */
@Component
public class AuthenticationFilter extends ApplicationServerFilter implements Ordered {

	public static final int ORDER = Ordered.HIGHEST_PRECEDENCE + 100;

	private static final String BEARER = "Bearer ";

	/** 32 characters: 192 bits or more of a random token's usual alphabets, beyond any guessing. */
	static final int MIN_ADMIN_TOKEN_LENGTH = 32;

	private final ApiKeyAuthenticator keys;

	private final KeyLookupBudget lookups;

	private final ClientIpResolver clientIps;

	private final byte[] adminToken;

	private final PortalGrants consoleSessions;

	private final OperatorSessions operatorSessions;

	public AuthenticationFilter(ApiKeyAuthenticator keys, KeyLookupBudget lookups, ClientIpResolver clientIps,
			GatewayProperties properties, Environment environment, PortalGrants consoleSessions,
			OperatorSessions operatorSessions) {
		this.keys = keys;
		this.operatorSessions = operatorSessions;
		this.consoleSessions = consoleSessions;
		this.lookups = lookups;
		this.clientIps = clientIps;
		String token = properties.adminToken();
		this.adminToken = token == null || token.isBlank() ? null : token.getBytes(StandardCharsets.UTF_8);
		requireStrongAdminToken(token, environment);
	}

	/**
	 * The per-IP limit slows guessing but does not stop it, so a short admin token stops start-up.
	 * Only a developer's machine (profile {@code dev}, which {@code ./dev/up} and the k8s dev
	 * overlay set) may keep an easy one. Blank is fine: it disables the admin API.
	 */
	private static void requireStrongAdminToken(String token, Environment environment) {
		if (token != null && !token.isBlank() && token.length() < MIN_ADMIN_TOKEN_LENGTH
				&& !environment.acceptsProfiles(Profiles.of("dev"))) {
			throw new IllegalStateException("relay.admin-token (RELAY_ADMIN_TOKEN) must be at least "
					+ MIN_ADMIN_TOKEN_LENGTH + " characters outside the dev profile, e.g. openssl rand -hex 32");
		}
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
			case CONSOLE -> console(exchange);
			case OPERATOR -> operator(exchange);
			case PUBLIC, CONSOLE_PUBLIC, OPERATOR_PUBLIC, NONE -> null;
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
		Mono<Void> lookupAllowance = Mono.defer(() -> this.lookups.spend(this.clientIps.resolve(exchange.getRequest())));
		return this.keys.authenticate(credentials, lookupAllowance)
			.<Caller>map(Caller.Tenant::new)
			.defaultIfEmpty(new Caller.Anonymous("The API key is not valid."));
	}

	/** Only the session cookie counts here; an Authorization header is ignored (API keys never open the console). */
	private Mono<Caller> console(ServerWebExchange exchange) {
		HttpCookie cookie = exchange.getRequest().getCookies().getFirst(ConsolePaths.SESSION_COOKIE);
		if (cookie == null || cookie.getValue().isBlank()) {
			return Mono.just(new Caller.Anonymous("A console session is required."));
		}
		return this.consoleSessions.session(cookie.getValue())
			.<Caller>map(Caller.Console::new)
			.defaultIfEmpty(new Caller.Anonymous("The console session has expired."));
	}

	/** Only the operator session cookie counts here: neither a tenant's session nor the admin token in a header. */
	private Mono<Caller> operator(ServerWebExchange exchange) {
		HttpCookie cookie = exchange.getRequest().getCookies().getFirst(OperatorPaths.SESSION_COOKIE);
		if (cookie == null || cookie.getValue().isBlank()) {
			return Mono.just(new Caller.Anonymous("An operator session is required."));
		}
		return this.operatorSessions.isLive(cookie.getValue())
			.map((live) -> live ? new Caller.Operator() : new Caller.Anonymous("The operator session has expired."));
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
