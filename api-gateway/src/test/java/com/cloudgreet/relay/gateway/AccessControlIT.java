package com.cloudgreet.relay.gateway;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import com.cloudgreet.relay.gateway.problem.ApiProblem;
import com.cloudgreet.relay.testsupport.PathSpellings;
import com.cloudgreet.relay.testsupport.RawHttp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.ApplicationContext;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;
import org.springframework.web.reactive.DispatcherHandler;
import org.springframework.web.reactive.result.method.RequestMappingInfo;
import org.springframework.web.reactive.result.method.annotation.RequestMappingHandlerMapping;
import reactor.core.publisher.Mono;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Access control against an attacker's spellings of every protected path, and handlers that
 * refuse on their own when no filter established their caller.
 */
class AccessControlIT extends GatewayIntegrationTest {

	private static final String TENANT_BODY = "{\"name\":\"intruder\"}";

	/** Each probe from its own address, so the per-IP budget for failed attempts never answers first. */
	private static final AtomicInteger NEXT_ADDRESS = new AtomicInteger(1);

	@Value("${local.server.port}")
	private int port;

	@Autowired
	private ApplicationContext context;

	static Stream<Arguments> spellings() {
		return spellingsOf(Map.of("/admin/v1/tenants", "POST", "/admin/v1/tenants/ten_x", "GET", "/v1/messages/sms",
				"POST", "/v1/messages/msg_0192f0c0a1b27c3d8e4f5a6b7c8d0000", "GET", "/v1/endpoints", "GET",
				"/v1/messages/evt_0192f0c0a1b27c3d8e4f5a6b7c8d0000", "DELETE"));
	}

	static Stream<Arguments> adminSpellings() {
		return spellingsOf(Map.of("/admin/v1/tenants", "POST", "/admin/v1/tenants/ten_x", "GET"));
	}

	private static Stream<Arguments> spellingsOf(Map<String, String> routes) {
		List<Arguments> cases = new ArrayList<>();
		routes.forEach((path, method) -> {
			cases.add(Arguments.of(method, path));
			PathSpellings.of(path).forEach((spelling) -> cases.add(Arguments.of(method, spelling)));
		});
		return cases.stream();
	}

	@ParameterizedTest(name = "{0} {1}")
	@MethodSource("spellings")
	void everySpellingWithoutCredentialsIsRefused(String method, String path) {
		int status = RawHttp.status(this.port, method, path, Map.of("X-Forwarded-For", nextAddress()),
				"POST".equals(method) ? TENANT_BODY : null);
		assertThat(status).as(method + " " + path).isIn(401, 403, 404);
	}

	static Stream<Arguments> consoleSpellings() {
		return spellingsOf(Map.of("/console/endpoints", "GET", "/console/messages/evt_x", "GET", "/console/messages",
				"GET", "/console/logout", "POST", "/console/operator/tenants", "GET", "/console/operator/dead-letters", "GET",
				"/console/operator/replay", "POST", "/console/operator/logout", "POST", "/console/operator", "GET"));
	}

	/**
	 * The console without a session, in any spelling and even with the admin token: refused, or sent
	 * to the expired-link page (the operator pages: to the operator login), never a tenant's data.
	 */
	@ParameterizedTest(name = "{0} {1}")
	@MethodSource("consoleSpellings")
	void everySpellingOfTheConsoleWithoutASessionIsRefused(String method, String path) {
		RawHttp.Answer answer = RawHttp.answer(this.port, method, path,
				Map.of("Authorization", "Bearer " + ADMIN_TOKEN, "X-Forwarded-For", nextAddress()),
				"POST".equals(method) ? TENANT_BODY : null);
		assertThat(answer.status()).as(method + " " + path).isIn(303, 401, 403, 404);
		if (answer.status() == 303) {
			assertThat(answer.location()).isIn("/console/expired", "/console/operator/login");
		}
	}

	@ParameterizedTest(name = "{0} {1}")
	@MethodSource("adminSpellings")
	void aTenantKeyOpensNoSpellingOfTheAdminApi(String method, String path) {
		int status = RawHttp.status(this.port, method, path,
				Map.of("Authorization", "Bearer " + tenantOnce().apiKey(), "X-Forwarded-For", nextAddress()),
				"POST".equals(method) ? TENANT_BODY : null);
		assertThat(status).as(method + " " + path).isIn(401, 403, 404);
	}

	@Test
	void canonicalPathsStillWorkWithCredentials() {
		NewTenant tenant = createTenant();
		assertThat(RawHttp.status(this.port, "POST", "/v1/messages/sms",
				Map.of("Authorization", "Bearer " + tenant.apiKey()), sms("hello"))).isEqualTo(202);
		assertThat(RawHttp.status(this.port, "GET", "/admin/v1/tenants/" + tenant.id(),
				Map.of("Authorization", "Bearer " + ADMIN_TOKEN), null)).isEqualTo(200);
	}

	/**
	 * Every handler, dispatched directly (no filter ran, so no caller was established), refuses
	 * with 401 or 404: a new route outside the areas the filters know still cannot be reached.
	 */
	@Test
	void everyHandlerRefusesWithoutItsCaller() {
		DispatcherHandler dispatcher = this.context.getBean(DispatcherHandler.class);
		RequestMappingHandlerMapping mapping = this.context.getBean(RequestMappingHandlerMapping.class);
		List<String> checked = new ArrayList<>();
		for (RequestMappingInfo info : mapping.getHandlerMethods().keySet()) {
			for (String pattern : patterns(info)) {
				if (pattern.startsWith("/v3/api-docs") || pattern.startsWith("/console/login")
						|| pattern.startsWith("/console/expired") || pattern.startsWith("/console/operator/login")) {
					continue; // the public OpenAPI document, and the console's way in (public by design)
				}
				String path = pattern.replaceAll("\\{[^}]+}", "x").replace("/**", "/x");
				for (var method : info.getMethodsCondition().getMethods()) {
					MockServerWebExchange exchange = MockServerWebExchange.from(MockServerHttpRequest
						.method(HttpMethod.valueOf(method.name()), path)
						.header("Content-Type", "application/json")
						.body(TENANT_BODY));
					dispatcher.handle(exchange).onErrorResume(ApiProblem.class, (ex) -> {
						exchange.getResponse().setStatusCode(ex.status());
						return Mono.empty();
					}).block(Duration.ofSeconds(10));
					assertThat(exchange.getResponse().getStatusCode())
						.as(method + " " + path)
						.isIn(HttpStatus.UNAUTHORIZED, HttpStatus.NOT_FOUND);
					checked.add(method + " " + path);
				}
			}
		}
		assertThat(checked).contains("POST /admin/v1/tenants", "POST /v1/messages/sms", "GET /v1/endpoints",
				"POST /v1/portal-links", "POST /admin/v1/tenants/x/portal-links/revoke", "GET /console/endpoints",
				"GET /console/messages/x", "POST /console/logout", "GET /console", "GET /console/operator/tenants",
				"GET /console/operator/dead-letters", "POST /console/operator/replay", "POST /console/operator/logout",
				"POST /admin/v1/operator-sessions/revoke");
	}

	private static List<String> patterns(RequestMappingInfo info) {
		return info.getPatternsCondition().getPatterns().stream().map(Object::toString).toList();
	}

	/** One tenant for the whole table: JUnit makes a new test instance per case. */
	private static NewTenant tenant;

	private NewTenant tenantOnce() {
		if (tenant == null) {
			tenant = createTenant();
		}
		return tenant;
	}

	private static String nextAddress() {
		int n = NEXT_ADDRESS.getAndIncrement();
		return "198.51." + (n / 250) + "." + (1 + n % 250);
	}

}
