package com.cloudgreet.relay.gateway.idempotency;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.regex.Pattern;

import com.cloudgreet.relay.common.http.RelayHttpHeaders;
import com.cloudgreet.relay.common.json.RelayJson;
import com.cloudgreet.relay.common.problem.ProblemTypes;
import com.cloudgreet.relay.gateway.config.GatewayProperties;
import com.cloudgreet.relay.gateway.problem.ApiProblem;
import com.cloudgreet.relay.gateway.problem.ProblemExceptionHandler;
import com.cloudgreet.relay.gateway.web.Reply;
import org.springframework.core.io.ClassPathResource;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * {@code Idempotency-Key} for POSTs, in Redis. The first request with a key claims it with an
 * atomic {@code SET NX} (so of two concurrent duplicates exactly one runs), runs, and stores its
 * answer for the TTL. A repeat with the same body gets that answer again, marked
 * {@code Idempotency-Replay: true}, and nothing runs twice; a repeat with another body is
 * {@code 422}; a repeat while the first still runs is {@code 409} with {@code Retry-After}.
 *
 * <p>Answers that say "try again" (5xx) are not stored: the key is released so the client's retry
 * can succeed. Client errors (4xx) are stored, as Stripe does: the same request fails the same way.
 *
 * <p>What a keyed request creates is named from tenant, key and fingerprint
 * ({@link IdempotentRequest}), so a request that runs again because its stored answer was lost
 * (client gone, Redis store failed, marker expired) publishes the same id a second time, which
 * the consumers de-duplicate. Signing secrets in an answer are stored redacted ({@link SecretRedaction}).
 * A keyed request runs to its end even if its client leaves, so its answer is there for the retry.
 */
@Component
public class IdempotencyStore {

	private static final Pattern KEY = Pattern.compile("[\\x21-\\x7E]{1,255}");

	private static final String PREFIX = "relay:idem:";

	private static final String IN_FLIGHT = "P|";

	private static final String DONE = "D|";

	/** Built from the script's text, read once: a resource-backed script re-checks its file on every call. */
	private static final RedisScript<Long> RELEASE = script("scripts/idempotency_release.lua");

	private final ReactiveStringRedisTemplate redis;

	private final Duration ttl;

	private final Duration inFlightTtl;

	private final Duration unavailableRetryAfter;

	record Stored(String fingerprint, int status, Map<String, String> headers, String body) {
	}

	public IdempotencyStore(ReactiveStringRedisTemplate redis, GatewayProperties properties) {
		this.redis = redis;
		this.ttl = properties.gateway().idempotency().ttl();
		this.inFlightTtl = properties.gateway().idempotency().inFlightTtl();
		this.unavailableRetryAfter = properties.gateway().unavailableRetryAfter();
	}

	/**
	 * Runs {@code action} at most once per {@code (tenant, key)} within the TTL. Without a key the
	 * action simply runs.
	 */
	public Mono<Reply> execute(String tenantId, String key, String method, String path, byte[] body,
			Function<IdempotentRequest, Mono<Reply>> action) {
		if (key == null) {
			return Mono.defer(() -> action.apply(IdempotentRequest.UNKEYED));
		}
		if (!KEY.matcher(key).matches()) {
			return Mono.error(ApiProblem.badRequest("Idempotency-Key must be 1 to 255 visible ASCII characters."));
		}
		String keyHash = sha256Hex(key.getBytes(StandardCharsets.UTF_8));
		String redisKey = PREFIX + "{" + tenantId + "}:" + keyHash;
		String fingerprint = fingerprint(method, path, body);
		// The fingerprint is part of the name: a key reused for another request after the TTL
		// forgot it names a new message, not one the consumers would skip as already handled.
		IdempotentRequest request = new IdempotentRequest(tenantId + "\n" + keyHash + "\n" + fingerprint);
		String marker = IN_FLIGHT + fingerprint + "|" + UUID.randomUUID();
		return this.redis.opsForValue()
			.setIfAbsent(redisKey, marker, this.inFlightTtl)
			.onErrorMap((ex) -> !(ex instanceof ApiProblem), (ex) -> ApiProblem.unavailable(
					"Idempotency keys cannot be checked right now; retry shortly.", this.unavailableRetryAfter))
			.flatMap((claimed) -> claimed ? run(redisKey, marker, fingerprint, () -> action.apply(request))
					: existing(redisKey, fingerprint)
						// The record expired between SET NX and GET: claim it afresh.
						.switchIfEmpty(Mono.defer(() -> execute(tenantId, key, method, path, body, action))));
	}

	private Mono<Reply> existing(String redisKey, String fingerprint) {
		return this.redis.opsForValue().get(redisKey).flatMap((value) -> {
			if (value.startsWith(IN_FLIGHT)) {
				String theirs = value.substring(IN_FLIGHT.length(), value.indexOf('|', IN_FLIGHT.length()));
				if (!theirs.equals(fingerprint)) {
					return Mono.error(conflict());
				}
				return Mono.error(new ApiProblem(HttpStatus.CONFLICT, ProblemTypes.IDEMPOTENCY_IN_FLIGHT,
						"Request in progress",
						"A request with this Idempotency-Key is still being processed; retry after the time in Retry-After.",
						List.of(), ApiProblem.retryAfter(Duration.ofSeconds(1))));
			}
			Stored stored = RelayJson.mapper().readValue(value.substring(DONE.length()), Stored.class);
			if (!stored.fingerprint().equals(fingerprint)) {
				return Mono.error(conflict());
			}
			Reply reply = new Reply(stored.status(), stored.headers(), stored.body().getBytes(StandardCharsets.UTF_8));
			return Mono.just(reply.withHeader(RelayHttpHeaders.IDEMPOTENCY_REPLAY, "true"));
		}).onErrorMap((ex) -> !(ex instanceof ApiProblem), (ex) -> ApiProblem.unavailable(
				"Idempotency keys cannot be checked right now; retry shortly.", this.unavailableRetryAfter));
	}

	private Mono<Reply> run(String redisKey, String marker, String fingerprint,
			java.util.function.Supplier<Mono<Reply>> action) {
		Mono<Reply> outcome = Mono.defer(action)
			.flatMap((reply) -> reply.status() >= 500 ? release(redisKey, marker).thenReturn(reply)
					: store(redisKey, marker, fingerprint, reply).thenReturn(reply))
			.onErrorResume((ex) -> {
				ApiProblem problem = ProblemExceptionHandler.toProblem(ex);
				if (problem.status().is4xxClientError()) {
					Reply reply = new Reply(problem.status().value(), problemHeaders(problem),
							RelayJson.write(ProblemExceptionHandler.body(problem, null)));
					return store(redisKey, marker, fingerprint, reply).then(Mono.error(ex));
				}
				return release(redisKey, marker).then(Mono.error(ex));
			});
		// A client that goes away (its timeout, a dropped connection) does not stop a keyed request
		// half way: it runs to its end and its answer is stored, so the client's retry gets the replay.
		// Cancelled with the client, the owner may already have acted (an endpoint created, which has
		// no id derived from the key) with nothing stored, and the retry would act again once the
		// in-flight marker lapsed.
		return Mono.deferContextual((context) -> Mono.fromFuture(outcome.contextWrite(context).toFuture(), true));
	}

	private static Map<String, String> problemHeaders(ApiProblem problem) {
		Map<String, String> headers = new java.util.LinkedHashMap<>();
		headers.put(HttpHeaders.CONTENT_TYPE, MediaType.APPLICATION_PROBLEM_JSON_VALUE);
		problem.headers().forEach((name, values) -> {
			if (Reply.KEPT_HEADERS.stream().anyMatch(name::equalsIgnoreCase) && !values.isEmpty()) {
				headers.put(name, values.get(0));
			}
		});
		return headers;
	}

	private Mono<Void> store(String redisKey, String marker, String fingerprint, Reply reply) {
		byte[] body = SecretRedaction.redact(reply.body()).orElse(null);
		if (body == null) {
			// A secret we cannot cut out is never stored; the client's retry runs again instead.
			return release(redisKey, marker);
		}
		Stored stored = new Stored(fingerprint, reply.status(), reply.headers(), new String(body, StandardCharsets.UTF_8));
		String value = DONE + new String(RelayJson.write(stored), StandardCharsets.UTF_8);
		// A failure to store must not turn an accepted request into an error: the message is in
		// Kafka already. The in-flight marker then expires and a retry publishes again, under the
		// same derived id (IdempotentRequest), so the consumers' de-duplication by id drops it.
		return this.redis.opsForValue().set(redisKey, value, this.ttl).onErrorReturn(false).then();
	}

	private Mono<Void> release(String redisKey, String marker) {
		return this.redis.execute(RELEASE, List.of(redisKey), List.of(marker)).onErrorResume((ex) -> Mono.empty()).then();
	}

	private static ApiProblem conflict() {
		return new ApiProblem(HttpStatus.UNPROCESSABLE_CONTENT, ProblemTypes.IDEMPOTENCY_CONFLICT,
				"Idempotency key reused",
				"This Idempotency-Key was used with a different request; use a new key for a new request.");
	}

	private static RedisScript<Long> script(String path) {
		try {
			return RedisScript.of(new ClassPathResource(path).getContentAsString(StandardCharsets.UTF_8), Long.class);
		}
		catch (java.io.IOException ex) {
			throw new java.io.UncheckedIOException(ex);
		}
	}

	static String fingerprint(String method, String path, byte[] body) {
		try {
			MessageDigest digest = MessageDigest.getInstance("SHA-256");
			digest.update((method + " " + path + "\n").getBytes(StandardCharsets.UTF_8));
			digest.update(body);
			return Base64.getUrlEncoder().withoutPadding().encodeToString(digest.digest());
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static String sha256Hex(byte[] bytes) {
		try {
			return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
