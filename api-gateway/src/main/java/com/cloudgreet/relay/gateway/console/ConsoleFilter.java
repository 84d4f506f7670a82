package com.cloudgreet.relay.gateway.console;


import com.cloudgreet.relay.common.web.ApplicationServerFilter;
import com.cloudgreet.relay.gateway.auth.AuthenticationFilter;
import org.springframework.core.Ordered;
import org.springframework.http.HttpCookie;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * The console's browser protections, on console paths only (every other request returns at the
 * first line, so the API's hot path does no work here): a strict CSP without inline script, no
 * sniffing, no Referer (a link's token must never leak through one), no caching, and CSRF checks.
 *
 * <p>CSRF is a double-submit cookie: every console page gets a random {@code relay_console_csrf}
 * cookie, its forms carry the same value, and a state-changing request must present both, equal.
 * Another site can make a browser send the cookie but can neither read nor set it, so it cannot
 * fill the field. SameSite=Strict alone would leave same-site subdomains and old browsers.
 */
@Component
public class ConsoleFilter extends ApplicationServerFilter implements Ordered {

	/** The CSRF token of this request, for the templates' forms. */
	public static final String CSRF_ATTRIBUTE = ConsoleFilter.class.getName() + ".csrf";

	static final String CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; style-src 'self'; "
			+ "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

	private final ConsoleCookies cookies;

	public ConsoleFilter(ConsoleCookies cookies) {
		this.cookies = cookies;
	}

	@Override
	public int getOrder() {
		// Before authentication, so even a refusal (the redirect to the expired page) carries the headers.
		return AuthenticationFilter.ORDER - 50;
	}

	@Override
	protected Mono<Void> filterApplication(ServerWebExchange exchange, WebFilterChain chain) {
		ServerHttpRequest request = exchange.getRequest();
		if (!ConsolePaths.isConsole(request.getPath().value())) {
			return chain.filter(exchange);
		}
		HttpHeaders headers = exchange.getResponse().getHeaders();
		headers.set("Content-Security-Policy", CONTENT_SECURITY_POLICY);
		headers.set("X-Content-Type-Options", "nosniff");
		headers.set("Referrer-Policy", "no-referrer");
		headers.set("X-Frame-Options", "DENY");
		headers.set(HttpHeaders.CACHE_CONTROL, "no-store");
		HttpCookie cookie = request.getCookies().getFirst(ConsolePaths.CSRF_COOKIE);
		String csrf = cookie == null || cookie.getValue().isBlank() ? null : cookie.getValue();
		if (HttpMethod.GET.equals(request.getMethod()) || HttpMethod.HEAD.equals(request.getMethod())) {
			if (csrf == null) {
				csrf = Tokens.random();
				exchange.getResponse().addCookie(this.cookies.csrf(exchange, csrf));
			}
			exchange.getAttributes().put(CSRF_ATTRIBUTE, csrf);
			return chain.filter(exchange);
		}
		String expected = csrf;
		return exchange.getFormData().flatMap((form) -> {
			if (!Tokens.same(expected, form.getFirst(ConsolePaths.CSRF_FIELD))) {
				exchange.getResponse().setStatusCode(HttpStatus.FORBIDDEN);
				return exchange.getResponse().setComplete();
			}
			exchange.getAttributes().put(CSRF_ATTRIBUTE, expected);
			return chain.filter(exchange);
		});
	}

}
