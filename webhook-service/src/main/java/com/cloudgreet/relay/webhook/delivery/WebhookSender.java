package com.cloudgreet.relay.webhook.delivery;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeoutException;

import com.cloudgreet.relay.delivery.Outcome;
import com.cloudgreet.relay.delivery.RetryAfter;
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
 * Makes one signed HTTP attempt and classifies the answer into the engine's {@link Outcome}:
 * 2xx delivered; 410 permanent (the receiver asks us to stop); an address the SSRF policy refuses
 * permanent; anything else retryable, with the receiver's {@code Retry-After} on 429 and 503.
 * Never errors. The HTTP status is the outcome's provider code, the response excerpt its
 * {@link Outcome#response() response}. The {@link WebClient} it is given follows no redirects and resolves
 * hosts only through the SSRF-vetting resolver (see {@code DeliveryConfiguration}).
 */
public class WebhookSender {

	static final String USER_AGENT = "CloudGreet-Relay-Webhooks/1.0";

	private static final int GONE = 410;

	private static final String GONE_CODE = Integer.toString(GONE);

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

	public Mono<Outcome> send(WebhookJob task) {
		if (task.signingSecrets().isEmpty()) {
			// Never send unsigned: the receiver could not tell it from a forgery.
			return Mono.just(new Outcome.Retryable(null,
					"the endpoint's signing secret cannot be decrypted; is its key missing from relay.webhooks.secret-keys?",
					null));
		}
		return Mono.defer(() -> {
			Instant now = this.clock.instant();
			String signature = WebhookSigner.signature(task.signingSecrets(), task.id(), now, task.body());
			return this.client.post()
				.uri(URI.create(task.url()))
				.contentType(MediaType.APPLICATION_JSON)
				.header(HttpHeaders.USER_AGENT, USER_AGENT)
				.header(WebhookSigner.ID_HEADER, task.id())
				.header(WebhookSigner.TIMESTAMP_HEADER, Long.toString(now.getEpochSecond()))
				.header(WebhookSigner.SIGNATURE_HEADER, signature)
				.bodyValue(task.body())
				.exchangeToMono((response) -> excerpt(response).map((text) -> classify(response, text)))
				// The total limit covers connect, send, response headers and the excerpt.
				.timeout(this.timeout)
				.onErrorResume((ex) -> Mono.just(failure(ex)));
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

	private Outcome classify(ClientResponse response, String excerpt) {
		HttpStatusCode status = response.statusCode();
		int code = status.value();
		String providerCode = Integer.toString(code);
		if (status.is2xxSuccessful()) {
			return new Outcome.Delivered(providerCode, null, null, excerpt);
		}
		if (code == GONE) {
			return new Outcome.Permanent(providerCode, "receiver answered 410 Gone", excerpt);
		}
		Duration retryAfter = (code == 429 || code == 503)
				? RetryAfter.parse(response.headers().asHttpHeaders().getFirst(HttpHeaders.RETRY_AFTER)) : null;
		String error = status.is3xxRedirection() ? "redirects are not followed (HTTP " + code + ")" : "HTTP " + code;
		return new Outcome.Retryable(providerCode, error, retryAfter, excerpt);
	}

	/** Whether a permanent failure is the receiver's 410 Gone, which disables its endpoint. */
	static boolean isGone(Outcome.Permanent failure) {
		return GONE_CODE.equals(failure.providerCode());
	}

	private Outcome failure(Throwable ex) {
		UnsafeUrlException unsafe = causeOf(ex, UnsafeUrlException.class);
		if (unsafe != null) {
			return new Outcome.Permanent(null, "refused: " + unsafe.getMessage());
		}
		if (causeOf(ex, TimeoutException.class) != null) {
			return new Outcome.Retryable(null, "timed out after " + this.timeout, null);
		}
		Throwable root = ex;
		while (root.getCause() != null && root.getCause() != root) {
			root = root.getCause();
		}
		String message = root.getMessage() == null ? root.getClass().getSimpleName()
				: root.getClass().getSimpleName() + ": " + root.getMessage();
		return new Outcome.Retryable(null, message, null);
	}

	private static <T extends Throwable> T causeOf(Throwable ex, Class<T> type) {
		for (Throwable t = ex; t != null; t = t.getCause() == t ? null : t.getCause()) {
			if (type.isInstance(t)) {
				return type.cast(t);
			}
		}
		return null;
	}

}
