package com.cloudgreet.relay.webhook.delivery;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeoutException;

import com.cloudgreet.relay.webhook.delivery.AttemptOutcome.Delivered;
import com.cloudgreet.relay.webhook.delivery.AttemptOutcome.PermanentFailure;
import com.cloudgreet.relay.webhook.delivery.AttemptOutcome.RetryableFailure;
import com.cloudgreet.relay.webhook.signing.WebhookSigner;
import com.cloudgreet.relay.webhook.ssrf.UnsafeUrlException;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.BodyExtractors;
import org.springframework.web.reactive.function.client.ClientResponse;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Mono;

/**
 * Makes one signed HTTP attempt and classifies the answer. Never errors: every failure becomes an
 * {@link AttemptOutcome}. The {@link WebClient} it is given follows no redirects and resolves
 * hosts only through the SSRF-vetting resolver (see {@code DeliveryConfiguration}).
 */
public class WebhookSender {

	static final String USER_AGENT = "CloudGreet-Relay-Webhooks/1.0";

	private final WebClient client;

	private final Duration timeout;

	private final int excerptBytes;

	private final Clock clock;

	public WebhookSender(WebClient client, Duration timeout, int excerptBytes, Clock clock) {
		this.client = client;
		this.timeout = timeout;
		this.excerptBytes = excerptBytes;
		this.clock = clock;
	}

	public Mono<AttemptOutcome> send(DeliveryTask task) {
		if (task.signingSecrets().isEmpty()) {
			// Never send unsigned: the receiver could not tell it from a forgery.
			return Mono.just(new RetryableFailure(null, Duration.ZERO, null,
					"the endpoint's signing secret cannot be decrypted; is its key missing from relay.webhooks.secret-keys?",
					null));
		}
		return Mono.defer(() -> {
			long started = System.nanoTime();
			Instant now = this.clock.instant();
			String signature = WebhookSigner.signature(task.signingSecrets(), task.deliveryId(), now, task.body());
			return this.client.post()
				.uri(URI.create(task.url()))
				.contentType(MediaType.APPLICATION_JSON)
				.header(HttpHeaders.USER_AGENT, USER_AGENT)
				.header(WebhookSigner.ID_HEADER, task.deliveryId())
				.header(WebhookSigner.TIMESTAMP_HEADER, Long.toString(now.getEpochSecond()))
				.header(WebhookSigner.SIGNATURE_HEADER, signature)
				.bodyValue(task.body())
				.exchangeToMono((response) -> excerpt(response)
					.map((text) -> classify(response, text, elapsed(started))))
				// The total limit covers connect, send, response headers and the excerpt.
				.timeout(this.timeout)
				.onErrorResume((ex) -> Mono.just(failure(ex, elapsed(started))));
		});
	}

	/** At most {@code excerptBytes} of the body; the rest is never read (the connection is then closed). */
	private Mono<String> excerpt(ClientResponse response) {
		var body = response.body(BodyExtractors.toDataBuffers());
		return DataBufferUtils.join(DataBufferUtils.takeUntilByteCount(body, this.excerptBytes)).map((buffer) -> {
			try {
				return buffer.toString(StandardCharsets.UTF_8);
			}
			finally {
				DataBufferUtils.release(buffer);
			}
		}).defaultIfEmpty("");
	}

	private AttemptOutcome classify(ClientResponse response, String excerpt, Duration latency) {
		HttpStatusCode status = response.statusCode();
		int code = status.value();
		if (status.is2xxSuccessful()) {
			return new Delivered(code, latency, excerpt);
		}
		if (code == 410) {
			return new PermanentFailure(code, latency, excerpt, "receiver answered 410 Gone", true);
		}
		Duration retryAfter = (code == 429 || code == 503)
				? retryAfter(response.headers().asHttpHeaders().getFirst(HttpHeaders.RETRY_AFTER)) : null;
		String error = status.is3xxRedirection() ? "redirects are not followed (HTTP " + code + ")" : "HTTP " + code;
		return new RetryableFailure(code, latency, excerpt, error, retryAfter);
	}

	private AttemptOutcome failure(Throwable ex, Duration latency) {
		UnsafeUrlException unsafe = causeOf(ex, UnsafeUrlException.class);
		if (unsafe != null) {
			return new PermanentFailure(null, latency, null, "refused: " + unsafe.getMessage(), false);
		}
		if (causeOf(ex, TimeoutException.class) != null) {
			return new RetryableFailure(null, latency, null, "timed out after " + this.timeout, null);
		}
		Throwable root = ex;
		while (root.getCause() != null && root.getCause() != root) {
			root = root.getCause();
		}
		String message = root.getMessage() == null ? root.getClass().getSimpleName()
				: root.getClass().getSimpleName() + ": " + root.getMessage();
		return new RetryableFailure(null, latency, null, message, null);
	}

	/** {@code Retry-After} as delay-seconds or an HTTP-date; garbage is ignored (the engine's one parser). */
	static Duration retryAfter(String value) {
		return com.cloudgreet.relay.delivery.RetryAfter.parse(value);
	}

	private static <T extends Throwable> T causeOf(Throwable ex, Class<T> type) {
		for (Throwable t = ex; t != null; t = t.getCause() == t ? null : t.getCause()) {
			if (type.isInstance(t)) {
				return type.cast(t);
			}
		}
		return null;
	}

	private static Duration elapsed(long startedNanos) {
		return Duration.ofNanos(System.nanoTime() - startedNanos);
	}

}
