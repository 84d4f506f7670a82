package com.cloudgreet.relay.gateway.console;

import java.time.Duration;

import org.springframework.http.ResponseCookie;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;

/**
 * The console's cookies: HttpOnly, SameSite=Strict, scoped to {@code /console}, and Secure unless
 * a plain-HTTP local run turned that off ({@code relay.console.secure-cookies=false}); a request
 * that came over HTTPS always gets Secure ones.
 */
@Component
public class ConsoleCookies {

	private final boolean secure;

	public ConsoleCookies(ConsoleProperties properties) {
		this.secure = properties.secureCookies();
	}

	ResponseCookie session(ServerWebExchange exchange, String id, Duration ttl) {
		return cookie(exchange, ConsolePaths.SESSION_COOKIE, id, ttl);
	}

	ResponseCookie endSession(ServerWebExchange exchange) {
		return cookie(exchange, ConsolePaths.SESSION_COOKIE, "", Duration.ZERO);
	}

	/** Lives as long as the browser session: a page's forms must keep working while it is open. */
	ResponseCookie csrf(ServerWebExchange exchange, String token) {
		return cookie(exchange, ConsolePaths.CSRF_COOKIE, token, null);
	}

	private ResponseCookie cookie(ServerWebExchange exchange, String name, String value, Duration maxAge) {
		return cookie(exchange, name, value, maxAge, ConsolePaths.ROOT);
	}

	/** A cookie of a narrower console area (the operator pages), with the same flags. */
	public ResponseCookie cookie(ServerWebExchange exchange, String name, String value, Duration maxAge, String path) {
		boolean https = "https".equalsIgnoreCase(exchange.getRequest().getURI().getScheme());
		ResponseCookie.ResponseCookieBuilder cookie = ResponseCookie.from(name, value)
			.httpOnly(true)
			.secure(this.secure || https)
			.sameSite("Strict")
			.path(path);
		if (maxAge != null) {
			cookie.maxAge(maxAge);
		}
		return cookie.build();
	}

}
