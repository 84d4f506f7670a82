package com.cloudgreet.relay.gateway.auth;

import com.cloudgreet.relay.gateway.tenant.TenantKey;
import org.springframework.web.server.ServerWebExchange;

/**
 * Who made a request, as {@link AuthenticationFilter} established it. Rate limiting reads it to
 * pick the budget; {@link AccessFilter} refuses what is not allowed.
 */
public sealed interface Caller {

	String ATTRIBUTE = Caller.class.getName();

	/** A request carrying a live API key. */
	record Tenant(TenantKey key) implements Caller {

		public String tenantId() {
			return this.key.tenantId();
		}

	}

	/** A request carrying the admin token. */
	record Admin() implements Caller {
	}

	/** No credentials, or credentials that did not check out; {@code reason} is safe to show the client. */
	record Anonymous(String reason) implements Caller {
	}

	static Caller of(ServerWebExchange exchange) {
		Caller caller = exchange.getAttribute(ATTRIBUTE);
		return caller == null ? new Anonymous("Authentication is required.") : caller;
	}

	static Tenant tenant(ServerWebExchange exchange) {
		if (of(exchange) instanceof Tenant tenant) {
			return tenant;
		}
		throw new IllegalStateException("handler reached without an authenticated tenant");
	}

}
