package com.cloudgreet.relay.gateway.auth;

import com.cloudgreet.relay.gateway.console.PortalGrant;
import com.cloudgreet.relay.gateway.problem.ApiProblem;
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

	/**
	 * A console request with a live session cookie; only the console area establishes one, so a
	 * cookie never authorizes the API and an API key never the console.
	 */
	record Console(PortalGrant grant) implements Caller {

		public String tenantId() {
			return this.grant.tenantId();
		}

	}

	/**
	 * An operator console request with a live operator session cookie (the admin token exchanged
	 * at the operator login); it opens the operator pages only, never the admin API or a tenant's console.
	 */
	record Operator() implements Caller {
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

	/**
	 * The tenant a handler acts for. A handler reached without one (a filter bypassed, a route
	 * outside the tenant area) refuses with {@code 401}: it never proceeds and never fails with 500.
	 */
	static Tenant tenant(ServerWebExchange exchange) {
		if (of(exchange) instanceof Tenant tenant) {
			return tenant;
		}
		throw ApiProblem.unauthorized("An API key is required: Authorization: Bearer <key>.");
	}

	/** The console session a console handler acts for; see {@link #tenant}. */
	static Console console(ServerWebExchange exchange) {
		if (of(exchange) instanceof Console console) {
			return console;
		}
		throw ApiProblem.unauthorized("A console session is required.");
	}

	/** The operator session an operator page acts for; see {@link #tenant}. */
	static Operator operator(ServerWebExchange exchange) {
		if (of(exchange) instanceof Operator operator) {
			return operator;
		}
		throw ApiProblem.unauthorized("An operator session is required.");
	}

	/** Refuses with {@code 401} unless the request carries the admin token; see {@link #tenant}. */
	static Admin admin(ServerWebExchange exchange) {
		if (of(exchange) instanceof Admin admin) {
			return admin;
		}
		throw ApiProblem.unauthorized("The admin token is missing or wrong.");
	}

}
