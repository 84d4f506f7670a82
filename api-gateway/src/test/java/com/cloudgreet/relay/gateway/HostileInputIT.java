package com.cloudgreet.relay.gateway;

import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.BodyInserters;
import reactor.core.publisher.Flux;

import static org.junit.jupiter.params.provider.Arguments.arguments;

/** Hostile and malformed input: each case gets its status and a problem of the right type. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HostileInputIT extends GatewayIntegrationTest {

	private static final String P = "https://relay.cloudgreet.com/problems/";

	private static final String JSON = MediaType.APPLICATION_JSON_VALUE;

	private NewTenant tenant;

	@BeforeAll
	void tenant() {
		this.tenant = createTenant();
	}

	static Stream<Arguments> cases() {
		String big = "{\"to\":[\"a@example.com\"],\"subject\":\"s\",\"text\":\"" + "x".repeat(1_100_000) + "\"}";
		String deep = "{\"eventType\":\"a\",\"payload\":{\"x\":" + "[".repeat(3000) + "]".repeat(3000) + "}}";
		return Stream.of(
				arguments("malformed JSON", "POST", "/v1/messages/email", JSON, "{\"to\":", 400, "malformed-request"),
				arguments("empty body", "POST", "/v1/messages/email", JSON, "", 400, "malformed-request"),
				arguments("array instead of object", "POST", "/v1/messages/sms", JSON, "[]", 400, "malformed-request"),
				arguments("duplicate keys", "POST", "/v1/messages/sms", JSON,
						"{\"to\":\"+14155550123\",\"to\":\"+14155550124\",\"body\":\"x\"}", 400, "malformed-request"),
				arguments("trailing garbage", "POST", "/v1/messages/sms", JSON, sms("x") + " {}", 400, "malformed-request"),
				arguments("nesting bomb", "POST", "/v1/events", JSON, deep, 400, "malformed-request"),
				arguments("unknown field", "POST", "/v1/messages/sms", JSON,
						"{\"to\":\"+14155550123\",\"body\":\"x\",\"bogus\":1}", 422, "validation-failed"),
				arguments("wrong type", "POST", "/v1/messages/email", JSON,
						"{\"to\":\"a@example.com\",\"subject\":\"s\",\"text\":\"t\"}", 422, "validation-failed"),
				arguments("CRLF header injection in subject", "POST", "/v1/messages/email", JSON,
						"{\"to\":[\"a@example.com\"],\"subject\":\"hi\\r\\nBcc: victim@example.com\",\"text\":\"t\"}", 422,
						"validation-failed"),
				arguments("CRLF header injection in address", "POST", "/v1/messages/email", JSON,
						"{\"to\":[\"a@example.com\\r\\nBcc: victim@example.com\"],\"subject\":\"s\",\"text\":\"t\"}", 422,
						"validation-failed"),
				arguments("too many recipients", "POST", "/v1/messages/email", JSON,
						"{\"to\":[" + "\"a@example.com\",".repeat(200) + "\"b@example.com\"],\"subject\":\"s\",\"text\":\"t\"}",
						422, "validation-failed"),
				arguments("not an E.164 number", "POST", "/v1/messages/sms", JSON, "{\"to\":\"0155 5555\",\"body\":\"x\"}",
						422, "validation-failed"),
				arguments("SMS body too long", "POST", "/v1/messages/sms", JSON,
						"{\"to\":\"+14155550123\",\"body\":\"" + "x".repeat(2000) + "\"}", 422, "validation-failed"),
				arguments("control characters in SMS", "POST", "/v1/messages/sms", JSON,
						"{\"to\":\"+14155550123\",\"body\":\"a\\u0000b\"}", 422, "validation-failed"),
				arguments("body over 1 MB", "POST", "/v1/messages/email", JSON, big, 413, "payload-too-large"),
				arguments("text/plain", "POST", "/v1/messages/sms", "text/plain", sms("x"), 415, "unsupported-media-type"),
				arguments("form encoded", "POST", "/v1/messages/sms", "application/x-www-form-urlencoded", "to=1", 415,
						"unsupported-media-type"),
				arguments("JSON in Latin-1", "POST", "/v1/messages/sms", "application/json;charset=ISO-8859-1", sms("x"),
						415, "unsupported-media-type"),
				arguments("unknown channel", "POST", "/v1/messages/fax", JSON, sms("x"), 404, "not-found"),
				arguments("webhook is not a message channel", "POST", "/v1/messages/webhook", JSON, sms("x"), 404,
						"not-found"),
				arguments("unknown path", "GET", "/v1/nothing-here", JSON, null, 404, "not-found"),
				arguments("malformed message id", "GET", "/v1/messages/../../admin", JSON, null, 404, "not-found"),
				arguments("not a Relay id", "GET", "/v1/messages/ten_0192f0c0a1b27c3d8e4f5a6b7c8d9e0f", JSON, null, 404,
						"not-found"),
				arguments("wrong method", "PUT", "/v1/messages/email", JSON, null, 405, null));
	}

	@ParameterizedTest(name = "{0} -> {5}")
	@MethodSource("cases")
	void answersWithTheRightStatusAndProblemType(String name, String method, String path, String contentType,
			String body, int status, String type) {
		var request = this.web.method(HttpMethod.valueOf(method))
			.uri(path)
			.header("Authorization", "Bearer " + this.tenant.apiKey())
			.header("Content-Type", contentType);
		var response = (body == null ? request : request.bodyValue(body.getBytes(StandardCharsets.UTF_8))).exchange()
			.expectStatus()
			.isEqualTo(status)
			.expectHeader()
			.contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody();
		response.jsonPath("$.status").isEqualTo(status);
		if (type != null) {
			response.jsonPath("$.type").isEqualTo(P + type);
		}
	}

	@ParameterizedTest(name = "chunked body over the cap -> 413")
	@MethodSource("oneCase")
	void refusesChunkedBodiesOnceTheyCrossTheCap(String ignored) {
		Flux<DataBuffer> body = Flux.range(0, 20).map((i) -> DefaultDataBufferFactory.sharedInstance
			.wrap(new byte[64 * 1024]));
		this.web.post()
			.uri("/v1/messages/email")
			.header("Authorization", "Bearer " + this.tenant.apiKey())
			.contentType(MediaType.APPLICATION_JSON)
			.body(BodyInserters.fromPublisher(body, DataBuffer.class))
			.exchange()
			.expectStatus()
			.isEqualTo(413)
			.expectBody()
			.jsonPath("$.type")
			.isEqualTo(P + "payload-too-large");
	}

	static Stream<String> oneCase() {
		return Stream.of("chunked");
	}

}
