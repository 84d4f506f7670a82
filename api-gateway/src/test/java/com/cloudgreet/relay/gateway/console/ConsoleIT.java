package com.cloudgreet.relay.gateway.console;

import java.time.Instant;
import java.util.List;

import com.cloudgreet.relay.gateway.GatewayIntegrationTest;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseCookie;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.util.LinkedMultiValueMap;
import org.springframework.util.MultiValueMap;
import org.springframework.web.reactive.function.BodyInserters;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Portal links and console sessions against the real gateway, Redis and PostgreSQL: the link is
 * single-use, the exchange needs the CSRF token, the session cookie is strict and opens only the
 * console, an API key never opens it, and an admin revokes everything of a tenant.
 */
class ConsoleIT extends GatewayIntegrationTest {

	@Test
	void linkIsExchangedOnceForAStrictSessionCookie() {
		NewTenant tenant = createTenant();
		String token = token(link(tenant, "{}"));
		String csrf = csrf();

		EntityExchangeResult<byte[]> first = exchange(token, csrf, csrf);
		assertThat(first.getStatus().value()).isEqualTo(303);
		assertThat(first.getResponseHeaders().getLocation()).hasToString(ConsolePaths.ENDPOINTS);
		ResponseCookie session = first.getResponseCookies().getFirst(ConsolePaths.SESSION_COOKIE);
		assertThat(session).isNotNull();
		assertThat(session.isHttpOnly()).isTrue();
		assertThat(session.isSecure()).isTrue();
		assertThat(session.getSameSite()).isEqualTo("Strict");
		assertThat(session.getPath()).isEqualTo("/console");
		assertThat(session.getMaxAge().toMinutes()).isBetween(59L, 60L);

		assertRefused(exchange(token, csrf, csrf));
	}

	@Test
	void exchangeWithoutTheCsrfTokenIsForbiddenAndLeavesTheLinkUsable() {
		NewTenant tenant = createTenant();
		String token = token(link(tenant, "{}"));
		String csrf = csrf();
		assertThat(exchange(token, csrf, null).getStatus().value()).isEqualTo(403);
		assertThat(exchange(token, csrf, "forged-" + csrf).getStatus().value()).isEqualTo(403);
		assertThat(exchange(token, null, csrf).getStatus().value()).isEqualTo(403);
		assertThat(exchange(token, csrf, csrf).getStatus().value()).isEqualTo(303);
	}

	@Test
	void consoleResponsesCarryTheBrowserProtections() {
		this.web.get().uri(ConsolePaths.LOGIN).exchange()
			.expectStatus().isOk()
			.expectHeader().valueEquals("Content-Security-Policy", "default-src 'self'; script-src 'self'; "
					+ "style-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")
			.expectHeader().valueEquals("X-Content-Type-Options", "nosniff")
			.expectHeader().valueEquals("Referrer-Policy", "no-referrer")
			.expectHeader().valueEquals("Cache-Control", "no-store");
		this.web.get().uri(ConsolePaths.ENDPOINTS).header("X-Forwarded-For", "198.51.100.71").exchange()
			.expectStatus().isSeeOther()
			.expectHeader().valueEquals("Location", ConsolePaths.EXPIRED)
			.expectHeader().valueEquals("Referrer-Policy", "no-referrer");
	}

	@Test
	void theApiIsUntouchedByTheConsoleFilter() {
		this.web.get().uri("/v3/api-docs").exchange()
			.expectHeader().doesNotExist("Content-Security-Policy");
	}

	@Test
	void aSessionCookieOpensNoApiAndAnApiKeyNoConsole() {
		NewTenant tenant = createTenant();
		String session = session(tenant, "{}");
		OWNER_ROUTES.put("GET /internal/v1/endpoints", (request) -> new mockwebserver3.MockResponse.Builder()
			.addHeader("Content-Type", "application/json").body("{\"data\":[],\"next\":null}").build());
		this.web.get().uri(ConsolePaths.ENDPOINTS).cookie(ConsolePaths.SESSION_COOKIE, session).exchange()
			.expectStatus().isOk();
		this.web.get().uri("/v1/endpoints").header("X-Forwarded-For", "198.51.100.72")
			.cookie(ConsolePaths.SESSION_COOKIE, session).exchange()
			.expectStatus().isUnauthorized();
		this.web.get().uri("/admin/v1/tenants/" + tenant.id()).header("X-Forwarded-For", "198.51.100.72")
			.cookie(ConsolePaths.SESSION_COOKIE, session).exchange()
			.expectStatus().isUnauthorized();
		this.web.get().uri(ConsolePaths.ENDPOINTS).header("X-Forwarded-For", "198.51.100.72")
			.header("Authorization", "Bearer " + tenant.apiKey()).exchange()
			.expectStatus().isSeeOther()
			.expectHeader().valueEquals("Location", ConsolePaths.EXPIRED);
	}

	@Test
	void revokingATenantEndsItsSessionsAndLinks() {
		NewTenant tenant = createTenant();
		NewTenant other = createTenant();
		String session = session(tenant, "{}");
		String otherSession = session(other, "{}");
		String unused = token(link(tenant, "{}"));
		OWNER_ROUTES.put("GET /internal/v1/endpoints", (request) -> new mockwebserver3.MockResponse.Builder()
			.addHeader("Content-Type", "application/json").body("{\"data\":[],\"next\":null}").build());

		this.web.post().uri("/admin/v1/tenants/" + tenant.id() + "/portal-links/revoke")
			.header("Authorization", "Bearer " + ADMIN_TOKEN).exchange()
			.expectStatus().isOk();

		this.web.get().uri(ConsolePaths.ENDPOINTS).cookie(ConsolePaths.SESSION_COOKIE, session).exchange()
			.expectStatus().isSeeOther();
		String csrf = csrf();
		assertRefused(exchange(unused, csrf, csrf));
		this.web.get().uri(ConsolePaths.ENDPOINTS).cookie(ConsolePaths.SESSION_COOKIE, otherSession).exchange()
			.expectStatus().isOk();
	}

	@Test
	void anExpiredLinkIsRefused() {
		NewTenant tenant = createTenant();
		JsonNode link = link(tenant, "{\"ttl\":\"PT1S\"}");
		Instant expiresAt = Instant.parse(link.get("expiresAt").asString());
		await().until(() -> Instant.now().isAfter(expiresAt));
		String csrf = csrf();
		assertRefused(exchange(token(link), csrf, csrf));
		this.web.get().uri(ConsolePaths.EXPIRED).exchange()
			.expectStatus().isEqualTo(410)
			.expectBody(String.class).value((page) -> assertThat(page).contains("This link has expired"));
	}

	@Test
	void linkRequestsOutsideTheRulesAreRefused() {
		NewTenant tenant = createTenant();
		for (String body : List.of("{\"ttl\":\"P8D\"}", "{\"ttl\":\"-PT1H\"}", "{\"scope\":\"admin\"}", "{\"other\":1}")) {
			this.web.post().uri("/v1/portal-links").header("Authorization", "Bearer " + tenant.apiKey())
				.contentType(MediaType.APPLICATION_JSON).bodyValue(body).exchange()
				.expectStatus().isEqualTo(422);
		}
		this.web.post().uri("/v1/portal-links").header("X-Forwarded-For", "198.51.100.73")
			.contentType(MediaType.APPLICATION_JSON).bodyValue("{}").exchange()
			.expectStatus().isUnauthorized();
	}

	@Test
	void logoutNeedsTheCsrfTokenAndEndsTheSession() {
		NewTenant tenant = createTenant();
		String session = session(tenant, "{}");
		String csrf = csrf();
		okEndpoints("{\"data\":[],\"next\":null}");
		MultiValueMap<String, String> form = new LinkedMultiValueMap<>();
		this.web.post().uri(ConsolePaths.LOGOUT).cookie(ConsolePaths.SESSION_COOKIE, session)
			.cookie(ConsolePaths.CSRF_COOKIE, csrf).body(BodyInserters.fromFormData(form)).exchange()
			.expectStatus().isForbidden();
		this.web.get().uri(ConsolePaths.ENDPOINTS).cookie(ConsolePaths.SESSION_COOKIE, session).exchange()
			.expectStatus().isOk();

		form.add(ConsolePaths.CSRF_FIELD, csrf);
		this.web.post().uri(ConsolePaths.LOGOUT).cookie(ConsolePaths.SESSION_COOKIE, session)
			.cookie(ConsolePaths.CSRF_COOKIE, csrf).body(BodyInserters.fromFormData(form)).exchange()
			.expectStatus().isSeeOther()
			.expectHeader().valueEquals("Location", ConsolePaths.EXPIRED);
		this.web.get().uri(ConsolePaths.ENDPOINTS).cookie(ConsolePaths.SESSION_COOKIE, session).exchange()
			.expectStatus().isSeeOther();
	}

	@Test
	void aLinkLimitedToSomeEndpointsShowsOnlyThose() {
		NewTenant tenant = createTenant();
		String session = session(tenant, "{\"endpointIds\":[\"ep_allowed\"]}");
		okEndpoints("{\"data\":[" + endpoint("ep_allowed", "https://allowed.example.com/h") + ","
				+ endpoint("ep_other", "https://other.example.com/h") + "],\"next\":null}");
		OWNER_ROUTES.put("GET /internal/v1/messages?endpointId=ep_allowed", (request) -> {
			assertThat(request.getHeaders().get("X-Relay-Tenant-Id")).isEqualTo(tenant.id());
			return new mockwebserver3.MockResponse.Builder().addHeader("Content-Type", "application/json")
				.body("{\"data\":[{\"id\":\"evt_listed\",\"channel\":\"webhook\",\"status\":\"failed\","
						+ "\"eventType\":\"a.b\",\"createdAt\":\"2026-01-01T00:00:00Z\"}],\"next\":null}")
				.build();
		});

		String endpoints = page(ConsolePaths.ENDPOINTS, session);
		assertThat(endpoints).contains("https://allowed.example.com/h").doesNotContain("other.example.com");
		assertThat(page(ConsolePaths.MESSAGES, session)).contains("evt_listed", "failed");
	}

	private String page(String path, String session) {
		return this.web.get().uri(path).cookie(ConsolePaths.SESSION_COOKIE, session).exchange()
			.expectStatus().isOk()
			.expectBody(String.class).returnResult().getResponseBody();
	}

	private static String endpoint(String id, String url) {
		return "{\"id\":\"" + id + "\",\"url\":\"" + url + "\",\"eventTypes\":[\"a.b\"],\"enabled\":true,"
				+ "\"createdAt\":\"2026-01-01T00:00:00Z\"}";
	}

	private static void okEndpoints(String body) {
		OWNER_ROUTES.put("GET /internal/v1/endpoints", (request) -> new mockwebserver3.MockResponse.Builder()
			.addHeader("Content-Type", "application/json").body(body).build());
	}

	private static void assertRefused(EntityExchangeResult<byte[]> exchange) {
		assertThat(exchange.getStatus().value()).isEqualTo(303);
		assertThat(exchange.getResponseHeaders().getLocation()).hasToString(ConsolePaths.EXPIRED);
		assertThat(exchange.getResponseCookies().getFirst(ConsolePaths.SESSION_COOKIE)).isNull();
	}

	private JsonNode link(NewTenant tenant, String body) {
		JsonNode link = this.web.post().uri("/v1/portal-links").header("Authorization", "Bearer " + tenant.apiKey())
			.contentType(MediaType.APPLICATION_JSON).bodyValue(body).exchange()
			.expectStatus().isCreated()
			.expectBody(JsonNode.class).returnResult().getResponseBody();
		assertThat(link.get("url").asString()).matches("http://localhost:\\d+/console/login#[A-Za-z0-9_-]{43}");
		return link;
	}

	private static String token(JsonNode link) {
		String url = link.get("url").asString();
		return url.substring(url.indexOf('#') + 1);
	}

	private String csrf() {
		return this.web.get().uri(ConsolePaths.LOGIN).exchange()
			.expectStatus().isOk()
			.returnResult(String.class).getResponseCookies().getFirst(ConsolePaths.CSRF_COOKIE).getValue();
	}

	private EntityExchangeResult<byte[]> exchange(String token, String cookie, String field) {
		MultiValueMap<String, String> form = new LinkedMultiValueMap<>();
		form.add("token", token);
		if (field != null) {
			form.add(ConsolePaths.CSRF_FIELD, field);
		}
		var request = this.web.post().uri(ConsolePaths.LOGIN);
		if (cookie != null) {
			request.cookie(ConsolePaths.CSRF_COOKIE, cookie);
		}
		return request.body(BodyInserters.fromFormData(form)).exchange().expectBody().returnResult();
	}

	String session(NewTenant tenant, String body) {
		String csrf = csrf();
		return exchange(token(link(tenant, body)), csrf, csrf).getResponseCookies()
			.getFirst(ConsolePaths.SESSION_COOKIE).getValue();
	}

}
