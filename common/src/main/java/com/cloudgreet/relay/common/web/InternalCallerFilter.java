package com.cloudgreet.relay.common.web;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

import com.cloudgreet.relay.common.http.RelayHttpHeaders;
import com.cloudgreet.relay.common.problem.ProblemTypes;
import org.springframework.core.Ordered;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;
import org.springframework.web.util.pattern.PathPattern;
import org.springframework.web.util.pattern.PathPatternParser;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * The door of a consumer service's HTTP port, which serves nothing but the internal API: every
 * request, whatever its path, must carry the gateway's shared token and the tenant it acts for;
 * only the operator area {@code /internal/v1/admin/**} takes the token without a tenant.
 * Closed by default, so a path spelled in a way no prefix check foresaw still meets the token.
 * The verified tenant is handed to handlers through {@link InternalTenant}; the tenant header is
 * never read anywhere else.
 */
public final class InternalCallerFilter extends ApplicationServerFilter implements Ordered {

	public static final int ORDER = CanonicalPathFilter.ORDER + 10;

	/** Exchange attribute holding the tenant id of a verified internal call. */
	static final String TENANT_ATTRIBUTE = InternalCallerFilter.class.getName() + ".tenant";

	/** Exchange attribute set on a verified call to the operator area. */
	static final String ADMIN_ATTRIBUTE = InternalCallerFilter.class.getName() + ".admin";

	/**
	 * Operator operations across tenants (bulk replay): the token is required, a tenant is not,
	 * because there is none to act for. Matched on the parsed path, after CanonicalPathFilter has
	 * refused every other spelling; handlers there demand {@link #requireAdmin} as well.
	 */
	private static final PathPattern ADMIN_AREA = PathPatternParser.defaultInstance.parse("/internal/v1/admin/**");

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
		if (ADMIN_AREA.matches(exchange.getRequest().getPath().pathWithinApplication())) {
			exchange.getAttributes().put(ADMIN_ATTRIBUTE, Boolean.TRUE);
			return chain.filter(exchange);
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

	/**
	 * For the handlers of {@code /internal/v1/admin/**}: refuses (401) a call this filter did not
	 * verify as one to the operator area, e.g. a handler mapped elsewhere by mistake.
	 */
	public static void requireAdmin(ServerWebExchange exchange) {
		if (!Boolean.TRUE.equals(exchange.getAttribute(ADMIN_ATTRIBUTE))) {
			ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.UNAUTHORIZED,
					"This operation needs a verified internal operator call.");
			problem.setType(ProblemTypes.UNAUTHORIZED);
			throw new ErrorResponseException(HttpStatus.UNAUTHORIZED, problem, null);
		}
	}

}
