package com.cloudgreet.relay.gateway.ratelimit;

import java.util.ArrayList;
import java.util.List;

import com.cloudgreet.relay.common.ratelimit.Limit;
import com.cloudgreet.relay.gateway.auth.Caller;
import com.cloudgreet.relay.gateway.config.GatewayProperties;
import com.cloudgreet.relay.gateway.tenant.TenantKey;
import com.cloudgreet.relay.gateway.web.ClientIpResolver;
import org.springframework.http.server.PathContainer;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.util.pattern.PathPattern;
import org.springframework.web.util.pattern.PathPatternParser;

/**
 * Decides who a request is counted against and which limits apply (the gateway's
 * {@code KeyResolver}): an authenticated tenant's key is limited per tenant, plus any route limit
 * that matches; everything else (no key, a wrong key, a wrong admin token, the admin API) is
 * limited per client IP.
 */
@Component
public class RateLimitPolicy {

	/** What one decision covers: a scope (the Redis hash tag) and its limits. */
	public record Subject(String scope, List<Limit> limits) {
	}

	private record Route(String name, PathPattern pattern, String method, GatewayProperties.RouteLimit limit) {
	}

	private final GatewayProperties.RateLimit properties;

	private final ClientIpResolver clientIps;

	private final List<Route> routes;

	public RateLimitPolicy(GatewayProperties properties, ClientIpResolver clientIps) {
		this.properties = properties.gateway().rateLimit();
		this.clientIps = clientIps;
		List<Route> routes = new ArrayList<>();
		this.properties.routes().forEach((name, limit) -> routes.add(new Route("route-" + name,
				PathPatternParser.defaultInstance.parse(limit.path()), limit.method(), limit)));
		this.routes = List.copyOf(routes);
	}

	public Subject subject(ServerWebExchange exchange, Caller caller) {
		if (caller instanceof Caller.Tenant tenant) {
			TenantKey key = tenant.key();
			String id = key.tenantId();
			List<Limit> limits = new ArrayList<>(2);
			limits.add(key.hasOwnLimit() ? new Limit("tenant", id, key.requestsPerSecond(), key.burst())
					: new Limit("tenant", id, this.properties.defaultRate().requestsPerSecond(),
							this.properties.defaultRate().burst()));
			PathContainer path = exchange.getRequest().getPath().pathWithinApplication();
			String method = exchange.getRequest().getMethod().name();
			for (Route route : this.routes) {
				if ((route.method() == null || route.method().isBlank() || route.method().equalsIgnoreCase(method))
						&& route.pattern().matches(path)) {
					limits.add(new Limit(route.name(), id, route.limit().requestsPerSecond(), route.limit().burst()));
				}
			}
			return new Subject(id, limits);
		}
		if (caller instanceof Caller.Console console) {
			// A console session spends its own budget of the tenant's default size, apart from the API's.
			String id = console.tenantId();
			return new Subject(id, List.of(new Limit("console", id, this.properties.defaultRate().requestsPerSecond(),
					this.properties.defaultRate().burst())));
		}
		String ip = this.clientIps.resolve(exchange.getRequest());
		return new Subject("ip:" + ip, List.of(new Limit("ip", ip, this.properties.ip().requestsPerSecond(),
				this.properties.ip().burst())));
	}

}
