package com.cloudgreet.relay.gateway.openapi;

import org.springdoc.core.customizers.SpringDocCustomizers;
import org.springdoc.core.properties.SpringDocConfigProperties;
import org.springdoc.core.providers.SpringDocProviders;
import org.springdoc.core.service.AbstractRequestService;
import org.springdoc.core.service.GenericResponseService;
import org.springdoc.core.service.OpenAPIService;
import org.springdoc.core.service.OperationService;
import org.springdoc.webflux.api.OpenApiWebfluxResource;
import org.springframework.beans.factory.ObjectFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;

/**
 * springdoc's {@code /v3/api-docs} resource, whose document is built once while the gateway starts
 * instead of by the first request. springdoc builds it lazily inside the request's handler, which
 * runs on a Netty event loop: about a second of CPU on a quiet machine and over five on a loaded
 * one, during which every other connection of that loop waits (the "first request hangs" seen in
 * CI). Built from an {@link ApplicationReadyEvent} listener, on the main thread and before the
 * readiness state turns to accepting traffic, every request is served from the cached document.
 */
class PrebuiltOpenApiResource extends OpenApiWebfluxResource {

	PrebuiltOpenApiResource(ObjectFactory<OpenAPIService> openApiBuilder, AbstractRequestService requestBuilder,
			GenericResponseService responseBuilder, OperationService operationParser,
			SpringDocConfigProperties properties, SpringDocProviders providers, SpringDocCustomizers customizers) {
		super(openApiBuilder, requestBuilder, responseBuilder, operationParser, properties, providers, customizers);
	}

	@EventListener(ApplicationReadyEvent.class)
	void build() {
		getOpenApi(OpenApiConfiguration.DOCUMENT_LOCALE);
	}

}
