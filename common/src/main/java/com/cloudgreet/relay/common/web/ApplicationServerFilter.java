package com.cloudgreet.relay.common.web;

import org.springframework.context.ApplicationContext;
import org.springframework.context.ApplicationContextAware;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * A filter for the application's own HTTP server only. Spring applies the application's filters
 * to the management server too (a child context on its own port), where probes and scrapes carry
 * no credentials; requests there pass untouched, recognised by the context that serves them.
 */
public abstract class ApplicationServerFilter extends NamedWebFilter implements ApplicationContextAware {

	private ApplicationContext context;

	@Override
	public void setApplicationContext(ApplicationContext context) {
		this.context = context;
	}

	@Override
	public final Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
		if (this.context != null && exchange.getApplicationContext() != this.context) {
			return chain.filter(exchange);
		}
		return filterApplication(exchange, chain);
	}

	protected abstract Mono<Void> filterApplication(ServerWebExchange exchange, WebFilterChain chain);

}
