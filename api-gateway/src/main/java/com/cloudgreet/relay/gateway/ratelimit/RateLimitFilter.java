package com.cloudgreet.relay.gateway.ratelimit;

import java.util.List;

import com.cloudgreet.relay.common.problem.ProblemTypes;
import com.cloudgreet.relay.common.ratelimit.Decision;
import com.cloudgreet.relay.common.ratelimit.RateLimiter;
import com.cloudgreet.relay.common.web.NamedWebFilter;
import com.cloudgreet.relay.gateway.auth.AuthenticationFilter;
import com.cloudgreet.relay.gateway.auth.Caller;
import com.cloudgreet.relay.gateway.config.GatewayProperties;
import com.cloudgreet.relay.gateway.problem.ApiProblem;
import com.cloudgreet.relay.gateway.web.RequestLoop;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * The HTTP side of rate limiting only: asks {@link RateLimitPolicy} who and what, asks the
 * {@link RateLimiter} once (which also writes what {@link AdmissionRecords} gives for an admitted
 * request, in the same Redis call), writes the RateLimit headers and refuses with {@code 429}.
 */
public class RateLimitFilter extends NamedWebFilter implements Ordered {

	public static final int ORDER = AuthenticationFilter.ORDER + 100;

	private final RateLimitPolicy policy;

	private final ResilientRateLimiter limiter;

	private final AdmissionRecords records;

	private final boolean enabled;

	public RateLimitFilter(RateLimitPolicy policy, ResilientRateLimiter limiter, AdmissionRecords records,
			GatewayProperties properties) {
		this.policy = policy;
		this.limiter = limiter;
		this.records = records;
		this.enabled = properties.gateway().rateLimit().enabled();
	}

	@Override
	public int getOrder() {
		return ORDER;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
		Caller caller = exchange.getAttribute(Caller.ATTRIBUTE);
		// The admin API's callers are operators holding the admin token, and so are the operator
		// console's (a session the token was exchanged for); only their failed attempts (Anonymous)
		// are limited, per IP, like any other failed authentication.
		if (!this.enabled || caller == null || caller instanceof Caller.Admin || caller instanceof Caller.Operator) {
			return chain.filter(exchange);
		}
		RateLimitPolicy.Subject subject = this.policy.subject(exchange, caller);
		var record = this.records.recordFor(exchange, subject.scope(), caller);
		// Lettuce answers on its I/O thread; the request continues on its own event loop (RequestLoop).
		return RequestLoop.resume(this.limiter.admit(subject.scope(), subject.limits(), 1, record), exchange)
			.flatMap((admission) -> {
				Decision decision = admission.decision();
				if (admission.recorded()) {
					this.records.recorded(exchange);
				}
				HttpHeaders headers = exchange.getResponse().getHeaders();
				RateLimitHeaders.write(headers, decision);
				if (decision.allowed()) {
					return chain.filter(exchange);
				}
				return Mono.error(refusal(decision));
			});
	}

	/** The {@code 429} of a refused decision, carrying its RateLimit fields and {@code Retry-After}. */
	static ApiProblem refusal(Decision decision) {
		HttpHeaders problemHeaders = new HttpHeaders();
		RateLimitHeaders.write(problemHeaders, decision);
		return new ApiProblem(HttpStatus.TOO_MANY_REQUESTS, ProblemTypes.RATE_LIMITED, "Too many requests",
				"The " + decision.tightest().limit().name()
						+ " rate limit is exhausted; retry after the time in Retry-After.",
				List.of(), problemHeaders);
	}

}
