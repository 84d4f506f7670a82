package com.cloudgreet.relay.gateway.auth;

import java.net.URI;

import com.cloudgreet.relay.common.web.ApplicationServerFilter;
import com.cloudgreet.relay.gateway.console.ConsolePaths;
import com.cloudgreet.relay.gateway.console.operator.OperatorPaths;
import com.cloudgreet.relay.gateway.problem.ApiProblem;
import com.cloudgreet.relay.gateway.ratelimit.RateLimitFilter;
import org.springframework.core.Ordered;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * Admits a request only with the caller its area needs ({@link ApiPaths}), and refuses paths outside
 * every area. Runs after rate limiting, so failed attempts have already been counted per IP.
 */
@Component
public class AccessFilter extends ApplicationServerFilter implements Ordered {

	@Override
	public int getOrder() {
		return RateLimitFilter.ORDER + 100;
	}

	@Override
	protected Mono<Void> filterApplication(ServerWebExchange exchange, WebFilterChain chain) {
		ApiPaths area = ApiPaths.of(exchange.getRequest().getPath().pathWithinApplication());
		Caller caller = Caller.of(exchange);
		// Closed by default: each area names the one caller it admits; a path outside every area
		// has no handler of ours and is refused before it can reach one.
		boolean allowed = switch (area) {
			case TENANT -> caller instanceof Caller.Tenant;
			case ADMIN -> caller instanceof Caller.Admin;
			case CONSOLE -> caller instanceof Caller.Console;
			case OPERATOR -> caller instanceof Caller.Operator;
			case PUBLIC, CONSOLE_PUBLIC, OPERATOR_PUBLIC -> true;
			case NONE -> false;
		};
		if (allowed) {
			return chain.filter(exchange);
		}
		if (area == ApiPaths.CONSOLE) {
			// A browser without a live session (used, expired or revoked link) is shown why, never data.
			exchange.getResponse().setStatusCode(HttpStatus.SEE_OTHER);
			exchange.getResponse().getHeaders().setLocation(URI.create(ConsolePaths.EXPIRED));
			return exchange.getResponse().setComplete();
		}
		if (area == ApiPaths.OPERATOR) {
			// An operator page without an operator session is sent to the operator login, never shown.
			exchange.getResponse().setStatusCode(HttpStatus.SEE_OTHER);
			exchange.getResponse().getHeaders().setLocation(URI.create(OperatorPaths.LOGIN));
			return exchange.getResponse().setComplete();
		}
		if (area == ApiPaths.NONE) {
			return Mono.error(ApiProblem.notFound("No resource here."));
		}
		String reason = caller instanceof Caller.Anonymous anonymous ? anonymous.reason() : "Not allowed here.";
		return Mono.error(ApiProblem.unauthorized(reason));
	}

}
