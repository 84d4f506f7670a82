package com.cloudgreet.relay.gateway.openapi;

import java.util.List;
import java.util.Locale;

import com.cloudgreet.relay.gateway.GatewayIntegrationTest;
import org.junit.jupiter.api.Test;
import org.springdoc.core.service.OpenAPIService;
import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The OpenAPI document costs about a second of CPU to build (several seconds on a loaded machine):
 * springdoc builds it lazily on the event loop of the request that first asks, once per locale the
 * request's Accept-Language names, and keeps each. The gateway builds it once, before it is ready,
 * and serves every locale from that one.
 */
class OpenApiDocumentIT extends GatewayIntegrationTest {

	@Autowired
	OpenAPIService openApi;

	@Test
	void theDocumentIsBuiltBeforeTheGatewayIsReadyNotByTheFirstRequest() {
		assertThat(this.openApi.getCachedOpenAPI(OpenApiConfiguration.DOCUMENT_LOCALE)).isNotNull();
	}

	@Test
	void noAcceptLanguageMakesTheGatewayBuildOrKeepAnotherDocument() {
		List<String> languages = List.of("fr", "de-CH", "x-private", "zh-Hant-TW", "en-GB");
		for (String language : languages) {
			this.web.get()
				.uri("/v3/api-docs")
				.header("Accept-Language", language)
				.exchange()
				.expectStatus()
				.isOk()
				.expectBody()
				.jsonPath("$.info.title")
				.isEqualTo("Relay API");
		}
		for (String language : languages) {
			assertThat(this.openApi.getCachedOpenAPI(Locale.forLanguageTag(language))).as(language).isNull();
		}
	}

}
