package com.cloudgreet.relay.common.web;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.config.WebFluxConfigurer;
import org.springframework.web.reactive.result.method.annotation.ArgumentResolverConfigurer;

/**
 * The guards of a consumer service's internal API, imported by notification-service and
 * webhook-service: canonical paths, the internal token on every request, and {@link InternalTenant}
 * parameters.
 */
@Configuration(proxyBeanMethods = false)
public class InternalApiConfiguration implements WebFluxConfigurer {

	@Bean
	CanonicalPathFilter canonicalPathFilter() {
		return new CanonicalPathFilter();
	}

	@Bean
	InternalCallerFilter internalCallerFilter(@Value("${relay.internal-token:}") String token) {
		return new InternalCallerFilter(token);
	}

	@Override
	public void configureArgumentResolvers(ArgumentResolverConfigurer configurer) {
		configurer.addCustomResolver(new InternalTenantArgumentResolver());
	}

}
