package com.cloudgreet.relay.common.web;

import com.cloudgreet.relay.common.problem.ProblemTypes;
import org.springframework.core.MethodParameter;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;
import org.springframework.web.reactive.BindingContext;
import org.springframework.web.reactive.result.method.HandlerMethodArgumentResolver;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/** Resolves {@link InternalTenant} parameters from what {@link InternalCallerFilter} verified. */
final class InternalTenantArgumentResolver implements HandlerMethodArgumentResolver {

	@Override
	public boolean supportsParameter(MethodParameter parameter) {
		return parameter.hasParameterAnnotation(InternalTenant.class);
	}

	@Override
	public Mono<Object> resolveArgument(MethodParameter parameter, BindingContext context,
			ServerWebExchange exchange) {
		Object tenant = exchange.getAttribute(InternalCallerFilter.TENANT_ATTRIBUTE);
		if (tenant != null) {
			return Mono.just(tenant);
		}
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.UNAUTHORIZED,
				"This operation needs a verified internal caller.");
		problem.setType(ProblemTypes.UNAUTHORIZED);
		return Mono.error(new ErrorResponseException(HttpStatus.UNAUTHORIZED, problem, null));
	}

}
