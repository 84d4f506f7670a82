package com.cloudgreet.relay.gateway.console.operator;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import com.cloudgreet.relay.common.kafka.Topics;
import com.cloudgreet.relay.gateway.GatewayIntegrationTest;
import com.cloudgreet.relay.gateway.console.ConsolePaths;
import mockwebserver3.MockResponse;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseCookie;
import org.springframework.kafka.test.utils.KafkaTestUtils;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.util.LinkedMultiValueMap;
import org.springframework.util.MultiValueMap;
import org.springframework.web.reactive.function.BodyInserters;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The operator console against the real gateway, Redis, PostgreSQL and embedded Kafka (the
 * services' operator APIs are a MockWebServer): the admin token is exchanged for a strict cookie
 * of its own, only with the CSRF token, wrong tokens are refused and limited per address, the
 * operator and tenant sessions open only their own pages, and what tenants or receivers wrote is
 * shown as text.
 */
class OperatorConsoleIT extends GatewayIntegrationTest {

	private static final AtomicInteger NEXT_ADDRESS = new AtomicInteger(1);

	@Test
	void theAdminTokenIsExchangedForAStrictOperatorCookie() {
		String csrf = csrf();
		EntityExchangeResult<byte[]> login = login(ADMIN_TOKEN, csrf, csrf, nextAddress());
		assertThat(login.getStatus().value()).isEqualTo(303);
		assertThat(login.getResponseHeaders().getLocation()).hasToString(OperatorPaths.TENANTS);
		ResponseCookie cookie = login.getResponseCookies().getFirst(OperatorPaths.SESSION_COOKIE);
		assertThat(cookie).isNotNull();
		assertThat(cookie.isHttpOnly()).isTrue();
		assertThat(cookie.isSecure()).isTrue();
		assertThat(cookie.getSameSite()).isEqualTo("Strict");
		assertThat(cookie.getPath()).isEqualTo("/console/operator");
		assertThat(cookie.getMaxAge()).isEqualTo(Duration.ofHours(8));
		assertThat(cookie.getValue()).isNotEqualTo(ADMIN_TOKEN).doesNotContain(ADMIN_TOKEN);

		NewTenant tenant = createTenant("{\"name\":\"Listed tenant\",\"rateLimit\":{\"requestsPerSecond\":7,\"burst\":9},"
				+ "\"senders\":{\"email\":[\"listed.example.com\"]}}");
		NewTenant plain = createTenant();
		String tenants = page(OperatorPaths.TENANTS, cookie.getValue());
		assertThat(tenants).contains(tenant.id(), plain.id(), "Listed tenant", "7 /s, burst 9", "default: 1000 /s, burst 1000", "listed.example.com");
	}

	@Test
	void aWrongTokenIsRefusedAndLoginsAreLimitedPerAddress() {
		String csrf = csrf();
		String address = nextAddress();
		EntityExchangeResult<byte[]> wrong = login(ADMIN_TOKEN + "x", csrf, csrf, address);
		assertThat(wrong.getStatus().value()).isEqualTo(401);
		assertThat(wrong.getResponseCookies().getFirst(OperatorPaths.SESSION_COOKIE)).isNull();
		assertThat(new String(wrong.getResponseBody())).contains("That is not the admin token.");

		int status = 401;
		for (int i = 0; i < 20 && status == 401; i++) {
			status = login("guess-" + i, csrf, csrf, address).getStatus().value();
		}
		assertThat(status).as("the address's attempts run out").isEqualTo(429);
		EntityExchangeResult<byte[]> right = login(ADMIN_TOKEN, csrf, csrf, address);
		assertThat(right.getStatus().value()).as("past the limit even the right token says nothing").isEqualTo(429);
		assertThat(right.getResponseHeaders().getFirst("Retry-After")).isNotBlank();
		assertThat(right.getResponseCookies().getFirst(OperatorPaths.SESSION_COOKIE)).isNull();

		assertThat(login(ADMIN_TOKEN, csrf, csrf, nextAddress()).getStatus().value()).isEqualTo(303);
	}

	@Test
	void loginWithoutTheCsrfTokenIsForbidden() {
		String csrf = csrf();
		assertThat(login(ADMIN_TOKEN, csrf, null, nextAddress()).getStatus().value()).isEqualTo(403);
		assertThat(login(ADMIN_TOKEN, csrf, "forged-" + csrf, nextAddress()).getStatus().value()).isEqualTo(403);
		assertThat(login(ADMIN_TOKEN, null, csrf, nextAddress()).getStatus().value()).isEqualTo(403);
	}

	@Test
	void eachSessionOpensOnlyItsOwnPages() {
		String operator = operatorSession();
		String tenantSession = tenantSession(createTenant());

		this.web.get().uri(OperatorPaths.TENANTS).header("X-Forwarded-For", nextAddress())
			.cookie(ConsolePaths.SESSION_COOKIE, tenantSession).exchange()
			.expectStatus().isSeeOther()
			.expectHeader().valueEquals("Location", OperatorPaths.LOGIN);
		this.web.get().uri(OperatorPaths.TENANTS).header("X-Forwarded-For", nextAddress())
			.header("Authorization", "Bearer " + ADMIN_TOKEN).exchange()
			.expectStatus().isSeeOther()
			.expectHeader().valueEquals("Location", OperatorPaths.LOGIN);
		this.web.get().uri(ConsolePaths.ENDPOINTS).header("X-Forwarded-For", nextAddress())
			.cookie(OperatorPaths.SESSION_COOKIE, operator).exchange()
			.expectStatus().isSeeOther()
			.expectHeader().valueEquals("Location", ConsolePaths.EXPIRED);
		this.web.get().uri("/admin/v1/tenants/ten_x").header("X-Forwarded-For", nextAddress())
			.cookie(OperatorPaths.SESSION_COOKIE, operator).exchange()
			.expectStatus().isUnauthorized();
		this.web.get().uri(OperatorPaths.TENANTS).cookie(OperatorPaths.SESSION_COOKIE, operator).exchange()
			.expectStatus().isOk();
	}

	@Test
	void logoutEndsTheSessionAndRevokingEndsEveryOne() {
		String first = operatorSession();
		String second = operatorSession();
		String csrf = csrf();
		MultiValueMap<String, String> form = new LinkedMultiValueMap<>();
		form.add(ConsolePaths.CSRF_FIELD, csrf);
		this.web.post().uri(OperatorPaths.LOGOUT).cookie(OperatorPaths.SESSION_COOKIE, first)
			.cookie(ConsolePaths.CSRF_COOKIE, csrf).body(BodyInserters.fromFormData(form)).exchange()
			.expectStatus().isSeeOther()
			.expectHeader().valueEquals("Location", OperatorPaths.LOGIN);
		this.web.get().uri(OperatorPaths.TENANTS).header("X-Forwarded-For", nextAddress())
			.cookie(OperatorPaths.SESSION_COOKIE, first).exchange()
			.expectStatus().isSeeOther();
		this.web.get().uri(OperatorPaths.TENANTS).cookie(OperatorPaths.SESSION_COOKIE, second).exchange()
			.expectStatus().isOk();

		this.web.post().uri(OperatorPaths.REVOKE).header("X-Forwarded-For", nextAddress()).exchange()
			.expectStatus().isUnauthorized();
		this.web.post().uri(OperatorPaths.REVOKE).header("Authorization", "Bearer " + ADMIN_TOKEN).exchange()
			.expectStatus().isOk();
		this.web.get().uri(OperatorPaths.TENANTS).header("X-Forwarded-For", nextAddress())
			.cookie(OperatorPaths.SESSION_COOKIE, second).exchange()
			.expectStatus().isSeeOther()
			.expectHeader().valueEquals("Location", OperatorPaths.LOGIN);
		assertThat(operatorSession()).as("a new login works after a revocation").isNotBlank();
	}

	@Test
	void whatTenantsAndReceiversWroteIsShownAsText() {
		String hostile = "<script>alert(1)</script>";
		NewTenant tenant = createTenant("{\"name\":\"" + hostile + "\"}");
		OWNER_ROUTES.put("GET /internal/v1/admin/dead-letters/counts", (request) -> json(
				"{\"since\":\"2026-01-01T00:00:00Z\",\"counts\":[{\"channel\":\"webhook\",\"cause\":\"exhausted\","
						+ "\"code\":\"HTTP 500\",\"count\":4}]}"));
		OWNER_ROUTES.put("GET /internal/v1/admin/dead-letters?channel=webhook", (request) -> json(
				"{\"data\":[{\"id\":\"dlv_hostile\",\"messageId\":\"evt_hostile\",\"tenantId\":\"" + tenant.id() + "\",\"channel\":\"webhook\","
						+ "\"cause\":\"exhausted\",\"code\":\"HTTP 500\",\"reason\":\"<img src=x onerror=alert(2)>\","
						+ "\"createdAt\":\"2026-01-01T00:00:00Z\",\"settledAt\":\"2026-01-01T00:01:00Z\"}],\"next\":null}"));
		String session = operatorSession();

		String tenants = page(OperatorPaths.TENANTS, session);
		assertThat(tenants).contains("&lt;script&gt;alert(1)&lt;/script&gt;").doesNotContain(hostile);
		String deadLetters = page(OperatorPaths.DEAD_LETTERS, session);
		assertThat(deadLetters).contains("evt_hostile", "dlv_hostile", "HTTP 500", ">4<", "&lt;img src=x onerror=alert(2)&gt;")
			.doesNotContain("<img src=x");
	}

	@Test
	void aServiceThatDoesNotAnswerIsShownAsUnavailable() {
		OWNER_ROUTES.remove("GET /internal/v1/admin/dead-letters/counts");
		OWNER_ROUTES.put("GET /internal/v1/admin/channels", (request) -> new MockResponse.Builder().code(503).build());
		String session = operatorSession();
		assertThat(page(OperatorPaths.CHANNELS, session)).contains("notification-service did not answer.");
	}

	@Test
	void theChannelsPageShowsAPausedChannel() {
		OWNER_ROUTES.put("GET /internal/v1/admin/channels", (request) -> json("[{\"channel\":\"sms\",\"paused\":true,"
				+ "\"providers\":[{\"name\":\"primary\",\"breaker\":\"OPEN\",\"paused\":true}]}]"));
		assertThat(page(OperatorPaths.CHANNELS, operatorSession())).contains("sms", "paused", "primary: breaker open, paused");
	}

	@Test
	void theReplayFormShowsRemainingAndOffersToContinue() {
		OWNER_ROUTES.put("POST /internal/v1/admin/replays", (request) -> {
			assertThat(request.getBody().utf8()).contains("\"channel\":\"email\"", "\"from\":\"2026-12-01T00:00:00Z\"");
			return new MockResponse.Builder().code(202).addHeader("Content-Type", "application/json")
				.body("{\"replayed\":10000,\"remaining\":3}").build();
		});
		String session = operatorSession();
		String csrf = csrf();
		MultiValueMap<String, String> form = new LinkedMultiValueMap<>();
		form.add(ConsolePaths.CSRF_FIELD, csrf);
		form.add("channel", "email");
		form.add("from", "2026-12-01T00:00");
		form.add("to", "2026-12-02T00:00");
		String page = this.web.post().uri(OperatorPaths.REPLAY).cookie(OperatorPaths.SESSION_COOKIE, session)
			.cookie(ConsolePaths.CSRF_COOKIE, csrf).body(BodyInserters.fromFormData(form)).exchange()
			.expectStatus().isOk()
			.expectBody(String.class).returnResult().getResponseBody();
		assertThat(page).contains("<strong id=\"remaining\">3</strong>", "Continue");

		form.set("to", "2026-11-01T00:00");
		this.web.post().uri(OperatorPaths.REPLAY).cookie(OperatorPaths.SESSION_COOKIE, session)
			.cookie(ConsolePaths.CSRF_COOKIE, csrf).body(BodyInserters.fromFormData(form)).exchange()
			.expectStatus().isBadRequest()
			.expectBody(String.class).value((body) -> assertThat(body).contains("from before to"));
	}

	@Test
	void theLagPageShowsAGroupBehindItsTopic() {
		NewTenant tenant = createTenant();
		this.web.post().uri("/v1/messages/sms").header("Authorization", "Bearer " + tenant.apiKey())
			.contentType(MediaType.APPLICATION_JSON).bodyValue(sms("lag")).exchange()
			.expectStatus().isAccepted();
		Map<String, Object> props = KafkaTestUtils.consumerProps(this.broker, "operator-lag-probe", false);
		try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
				new ByteArrayDeserializer())) {
			consumer.commitSync(Map.of(new TopicPartition(Topics.SMS, 0), new OffsetAndMetadata(0)));
		}
		String page = page(OperatorPaths.LAG, operatorSession());
		assertThat(page).contains("operator-lag-probe", Topics.SMS);
		assertThat(page).containsPattern("operator-lag-probe[\\s\\S]*?<span class=\"state retrying\">[1-9]\\d*</span>");
	}

	private static MockResponse json(String body) {
		return new MockResponse.Builder().addHeader("Content-Type", "application/json").body(body).build();
	}

	private String page(String path, String session) {
		return this.web.get().uri(path).cookie(OperatorPaths.SESSION_COOKIE, session).exchange()
			.expectStatus().isOk()
			.expectBody(String.class).returnResult().getResponseBody();
	}

	private String csrf() {
		return this.web.get().uri(OperatorPaths.LOGIN).exchange()
			.expectStatus().isOk()
			.returnResult(String.class).getResponseCookies().getFirst(ConsolePaths.CSRF_COOKIE).getValue();
	}

	private EntityExchangeResult<byte[]> login(String token, String cookie, String field, String address) {
		MultiValueMap<String, String> form = new LinkedMultiValueMap<>();
		form.add("token", token);
		if (field != null) {
			form.add(ConsolePaths.CSRF_FIELD, field);
		}
		var request = this.web.post().uri(OperatorPaths.LOGIN).header("X-Forwarded-For", address);
		if (cookie != null) {
			request.cookie(ConsolePaths.CSRF_COOKIE, cookie);
		}
		return request.body(BodyInserters.fromFormData(form)).exchange().expectBody().returnResult();
	}

	private String operatorSession() {
		String csrf = csrf();
		return login(ADMIN_TOKEN, csrf, csrf, nextAddress()).getResponseCookies()
			.getFirst(OperatorPaths.SESSION_COOKIE).getValue();
	}

	private String tenantSession(NewTenant tenant) {
		String url = this.web.post().uri("/v1/portal-links").header("Authorization", "Bearer " + tenant.apiKey())
			.contentType(MediaType.APPLICATION_JSON).bodyValue("{}").exchange()
			.expectStatus().isCreated()
			.expectBody(tools.jackson.databind.JsonNode.class).returnResult().getResponseBody().get("url").asString();
		String csrf = csrf();
		MultiValueMap<String, String> form = new LinkedMultiValueMap<>();
		form.add("token", url.substring(url.indexOf('#') + 1));
		form.add(ConsolePaths.CSRF_FIELD, csrf);
		return this.web.post().uri(ConsolePaths.LOGIN).cookie(ConsolePaths.CSRF_COOKIE, csrf)
			.body(BodyInserters.fromFormData(form)).exchange().expectBody().returnResult()
			.getResponseCookies().getFirst(ConsolePaths.SESSION_COOKIE).getValue();
	}

	private static String nextAddress() {
		int n = NEXT_ADDRESS.getAndIncrement();
		return "203.0." + (n / 250) + "." + (1 + n % 250);
	}

}
