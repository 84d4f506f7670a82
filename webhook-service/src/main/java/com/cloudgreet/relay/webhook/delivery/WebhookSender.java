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
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.HttpClientResponse;

/**
 * Makes one signed HTTP attempt and classifies the answer into the engine's {@link Outcome}:
 * 2xx delivered; 410 permanent (the receiver asks us to stop); an address the SSRF policy refuses
 * permanent; anything else retryable, with the receiver's {@code Retry-After} on 429 and 503.
 * Never errors. The HTTP status is the outcome's provider code, the response excerpt its
 * {@link Outcome#response() response}. The {@link HttpClient} it is given follows no redirects and
 * resolves hosts only through the SSRF-vetting resolver ({@link WebhookHttpClient}).
 */
public class WebhookSender {

	private static final int GONE = 410;

	private static final String GONE_CODE = Integer.toString(GONE);

	private final HttpClient client;

	private final Duration timeout;

	private final int excerptBytes;

	private final Clock clock;

	public WebhookSender(HttpClient client, Duration timeout, int excerptBytes, Clock clock) {
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
				.send((request, outbound) -> {
					request.requestHeaders()
						.set(WebhookSigner.ID_HEADER, task.id())
						.set(WebhookSigner.TIMESTAMP_HEADER, Long.toString(now.getEpochSecond()))
						.set(WebhookSigner.SIGNATURE_HEADER, signature);
					// One Mono of the whole body: sent with a Content-Length, not chunked.
					return outbound.sendByteArray(Mono.just(task.body()));
				})
				.response((response, body) -> excerpt(body).map((text) -> classify(response, text)))
				// single, not next: next would cancel the exchange after its one answer.
				.single()
				// The total limit covers connect, send, response headers and the excerpt.
				.timeout(this.timeout)
				.onErrorResume((ex) -> Mono.just(failure(ex)));
		});
	}

	/**
	 * At most {@code excerptBytes} of the body: reading stops once they are in, and the rest is
	 * never read (cancelling the body closes the connection instead of returning it to the pool).
	 * Each buffer is copied while it is delivered; Reactor Netty releases it afterwards.
	 */
	private Mono<String> excerpt(Flux<ByteBuf> body) {
		return Mono.defer(() -> {
			Excerpt excerpt = new Excerpt(this.excerptBytes);
			return body.takeUntil(excerpt::append).then(Mono.fromSupplier(excerpt::text));
		});
	}

	private Outcome classify(HttpClientResponse response, String excerpt) {
		int code = response.status().code();
		String providerCode = Integer.toString(code);
		if (code >= 200 && code < 300) {
			return new Outcome.Delivered(providerCode, null, null, excerpt);
		}
		if (code == GONE) {
			return new Outcome.Permanent(providerCode, "receiver answered 410 Gone", excerpt);
		}
		HttpHeaders headers = response.responseHeaders();
		Duration retryAfter = (code == 429 || code == 503) ? RetryAfter.parse(headers.get(HttpHeaderNames.RETRY_AFTER))
				: null;
		String error = (code >= 300 && code < 400) ? "redirects are not followed (HTTP " + code + ")" : "HTTP " + code;
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
		// The total limit (TimeoutException), or the client's own response timeout (Netty's).
		if (causeOf(ex, TimeoutException.class) != null
				|| causeOf(ex, io.netty.handler.timeout.TimeoutException.class) != null) {
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

	/** The first bytes of a response body, up to a limit; the array is allocated only if a body arrives. */
	private static final class Excerpt {

		private final int limit;

		private byte[] bytes;

		private int size;

		Excerpt(int limit) {
			this.limit = limit;
		}

		/** Copies what still fits; true once the limit is reached (stop reading). */
		boolean append(ByteBuf buffer) {
			if (this.bytes == null) {
				this.bytes = new byte[this.limit];
			}
			int n = Math.min(buffer.readableBytes(), this.limit - this.size);
			buffer.getBytes(buffer.readerIndex(), this.bytes, this.size, n);
			this.size += n;
			return this.size >= this.limit;
		}

		String text() {
			return (this.size == 0) ? "" : new String(this.bytes, 0, this.size, StandardCharsets.UTF_8);
		}

	}

}
