package com.cloudgreet.relay.common.web;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

import com.cloudgreet.relay.common.http.RelayHttpHeaders;
import com.cloudgreet.relay.common.problem.ProblemTypes;
import org.springframework.core.Ordered;
import org.springframework.http.HttpStatus;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * The door of a consumer service's HTTP port, which serves nothing but the internal API: every
 * request, whatever its path, must carry the gateway's shared token and the tenant it acts for.
 * Closed by default, so a path spelled in a way no prefix check foresaw still meets the token.
 * The verified tenant is handed to handlers through {@link InternalTenant}; the tenant header is
 * never read anywhere else.
 */
public final class InternalCallerFilter extends ApplicationServerFilter implements Ordered {

	public static final int ORDER = CanonicalPathFilter.ORDER + 10;

	/** Exchange attribute holding the tenant id of a verified internal call. */
	static final String TENANT_ATTRIBUTE = InternalCallerFilter.class.getName() + ".tenant";

	private final byte[] token;

	public InternalCallerFilter(String token) {
		if (token == null || token.isBlank()) {
			throw new IllegalArgumentException("relay.internal-token must be set");
		}
		this.token = token.getBytes(StandardCharsets.UTF_8);
	}

	@Override
	public int getOrder() {
		return ORDER;
	}

	@Override
	protected Mono<Void> filterApplication(ServerWebExchange exchange, WebFilterChain chain) {
		String presented = exchange.getRequest().getHeaders().getFirst(RelayHttpHeaders.INTERNAL_TOKEN);
		// Constant-time comparison: the token must not leak through response timing.
		if (presented == null || !MessageDigest.isEqual(this.token, presented.getBytes(StandardCharsets.UTF_8))) {
			return ProblemResponses.write(exchange, HttpStatus.UNAUTHORIZED, ProblemTypes.UNAUTHORIZED,
					"Missing or wrong " + RelayHttpHeaders.INTERNAL_TOKEN + ".");
		}
		String tenant = exchange.getRequest().getHeaders().getFirst(RelayHttpHeaders.TENANT_ID);
		if (tenant == null || tenant.isBlank()) {
			// Every internal operation is tenant-scoped; without a tenant there is nothing to scope by.
			return ProblemResponses.write(exchange, HttpStatus.BAD_REQUEST, ProblemTypes.MALFORMED_REQUEST,
					RelayHttpHeaders.TENANT_ID + " is required.");
		}
		exchange.getAttributes().put(TENANT_ATTRIBUTE, tenant);
		return chain.filter(exchange);
	}

}
