package com.cloudgreet.relay.common.web;

import org.springframework.web.server.WebFilter;

/**
 * A {@link WebFilter} with a fixed name. Spring's filter chain names every filter on every request
 * ({@code checkpoint(filter.toString())}), and {@link Object#toString()} would build a new string
 * with the identity hash each time.
 */
public abstract class NamedWebFilter implements WebFilter {

	private final String name = getClass().getName();

	@Override
	public String toString() {
		return this.name;
	}

}
