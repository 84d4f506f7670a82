package com.cloudgreet.relay.gateway.openapi;

import java.util.Locale;

import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import org.springdoc.core.customizers.SpringDocCustomizers;
import org.springdoc.core.properties.SpringDocConfigProperties;
import org.springdoc.core.providers.SpringDocProviders;
import org.springdoc.core.service.AbstractRequestService;
import org.springdoc.core.service.GenericResponseService;
import org.springdoc.core.service.OpenAPIService;
import org.springdoc.core.service.OperationService;
import org.springframework.beans.factory.ObjectFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The OpenAPI document's frame ({@code /v3/api-docs}); operations come from the controllers'
 * annotations. Every API call takes a bearer API key; the admin API takes the admin token the
 * same way.
 */
@Configuration(proxyBeanMethods = false)
public class OpenApiConfiguration {

	public static final String API_KEY = "apiKey";

	public static final String ADMIN_TOKEN = "adminToken";

	/** The one locale the document is built for, whatever a request's Accept-Language says. */
	public static final Locale DOCUMENT_LOCALE = Locale.ENGLISH;

	@Bean
	OpenAPI relayOpenApi() {
		return new OpenAPI()
			.info(new Info().title("Relay API")
				.version("v1")
				.description("Email, SMS and webhook delivery. Requests are accepted (202) once durably queued in Kafka; "
						+ "errors are RFC 9457 problem details; every rate-limited answer carries the IETF "
						+ "RateLimit-Policy and RateLimit fields; POSTs honour Idempotency-Key for 24 h."))
			.components(new Components()
				.addSecuritySchemes(API_KEY,
						new SecurityScheme().type(SecurityScheme.Type.HTTP).scheme("bearer").description("A tenant's API key (rk_...)"))
				.addSecuritySchemes(ADMIN_TOKEN,
						new SecurityScheme().type(SecurityScheme.Type.HTTP).scheme("bearer").description("RELAY_ADMIN_TOKEN")))
			.addSecurityItem(new SecurityRequirement().addList(API_KEY));
	}

	/** Replaces springdoc's resource (which backs off when one exists) with one built at start-up. */
	@Bean
	PrebuiltOpenApiResource openApiResource(ObjectFactory<OpenAPIService> openApiBuilder,
			AbstractRequestService requestBuilder, GenericResponseService responseBuilder,
			OperationService operationParser, SpringDocConfigProperties properties, SpringDocProviders providers,
			SpringDocCustomizers customizers) {
		return new PrebuiltOpenApiResource(openApiBuilder, requestBuilder, responseBuilder, operationParser,
				properties, providers, customizers);
	}

}
