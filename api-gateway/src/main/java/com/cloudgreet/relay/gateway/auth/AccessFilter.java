package com.cloudgreet.relay.gateway.auth;

import com.cloudgreet.relay.gateway.problem.ApiProblem;
import com.cloudgreet.relay.gateway.ratelimit.RateLimitFilter;
import org.springframework.core.Ordered;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * Refuses {@code /v1/**} requests without a tenant and {@code /admin/**} requests without the
 * admin token. Runs after rate limiting, so failed attempts have already been counted per IP.
 */
@Component
public class AccessFilter implements WebFilter, Ordered {

	@Override
	public int getOrder() {
		return RateLimitFilter.ORDER + 100;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
		String path = exchange.getRequest().getPath().pathWithinApplication().value();
		Caller caller = exchange.getAttribute(Caller.ATTRIBUTE);
		if (caller == null) {
			return chain.filter(exchange);
		}
		// Java 17: no pattern switch yet; Caller is sealed, so these are all the cases.
		boolean allowed = (caller instanceof Caller.Tenant && path.startsWith("/v1/"))
				|| (caller instanceof Caller.Admin && path.startsWith("/admin/"));
		if (allowed) {
			return chain.filter(exchange);
		}
		String reason = caller instanceof Caller.Anonymous anonymous ? anonymous.reason() : "Not allowed here.";
		return Mono.error(ApiProblem.unauthorized(reason));
	}

}
