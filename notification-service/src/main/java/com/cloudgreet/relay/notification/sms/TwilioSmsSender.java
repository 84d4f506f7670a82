package com.cloudgreet.relay.notification.sms;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.TimeoutException;

import com.cloudgreet.relay.common.json.RelayJson;
import com.cloudgreet.relay.common.message.SmsMessage;
import com.cloudgreet.relay.delivery.Outcome;
import com.cloudgreet.relay.delivery.RetryAfter;
import com.cloudgreet.relay.notification.config.NotificationProperties;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelOption;
import io.netty.handler.codec.http.HttpHeaderNames;
import reactor.core.publisher.Mono;
import reactor.netty.ByteBufFlux;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.HttpClientResponse;
import tools.jackson.databind.JsonNode;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.web.util.UriUtils;

/**
 * Sends texts through Twilio's Messages API ({@code POST /2010-04-01/Accounts/{sid}/Messages.json},
 * form-encoded, HTTP Basic with the account SID and auth token). Any service speaking that API
 * works: the base URL is configurable.
 *
 * <p>Straight on reactor-netty's {@link HttpClient}, not WebClient: the form is encoded here once,
 * the answer is read into at most {@value #MAX_RESPONSE_BYTES} bytes and parsed with the shared
 * mapper. WebClient's body inserters and codec layer cost about a tenth of the service's CPU per
 * text in the benchmark, for the same request and the same answer.
 */
public class TwilioSmsSender implements SmsSender {

	/** The most of an answer read (Twilio's are well under 2 KB); a longer one is classified by its status alone. */
	static final int MAX_RESPONSE_BYTES = 64 * 1024;

	private final HttpClient client;

	private final String path;

	private final NotificationProperties.Twilio settings;

	public TwilioSmsSender(NotificationProperties.Twilio settings) {
		if (settings.baseUrl() == null || isBlank(settings.accountSid()) || isBlank(settings.authToken())
				|| isBlank(settings.from())) {
			throw new IllegalStateException("relay.sms.provider=twilio needs relay.sms.twilio.base-url, "
					+ "account-sid, auth-token and from");
		}
		this.settings = settings;
		String base = settings.baseUrl().toString();
		this.path = (base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + "/2010-04-01/Accounts/"
				+ UriUtils.encodePathSegment(settings.accountSid(), StandardCharsets.UTF_8) + "/Messages.json";
		String basic = "Basic " + Base64.getEncoder()
			.encodeToString((settings.accountSid() + ":" + settings.authToken()).getBytes(StandardCharsets.UTF_8));
		this.client = HttpClient.create()
			.option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) settings.connectTimeout().toMillis())
			.responseTimeout(settings.timeout())
			.headers((headers) -> headers.set(HttpHeaderNames.AUTHORIZATION, basic)
				.set(HttpHeaderNames.CONTENT_TYPE, MediaType.APPLICATION_FORM_URLENCODED_VALUE)
				.set(HttpHeaderNames.ACCEPT, MediaType.APPLICATION_JSON_VALUE));
	}

	@Override
	public Mono<Outcome> send(String messageId, SmsMessage message) {
		String from = message.from() != null ? message.from() : this.settings.from();
		byte[] form = ("To=" + formEncode(message.to()) + "&From=" + formEncode(from) + "&Body="
				+ formEncode(message.body())).getBytes(StandardCharsets.UTF_8);
		return this.client.post()
			.uri(this.path)
			.send(Mono.fromSupplier(() -> Unpooled.wrappedBuffer(form)))
			.response((response, body) -> readBounded(body)
				.map((bytes) -> classify(response.status().code(), parse(bytes), retryAfter(response)))
				.onErrorResume((unreadable) -> Mono.just(classify(response.status().code(), null, retryAfter(response)))))
			// single, not next: next cancels the exchange after its one answer, which closes the
			// connection instead of returning it to the pool (as WebhookSender).
			.single()
			// The response timeout covers waiting for headers; this one also covers a trickling body.
			.timeout(this.settings.timeout().plus(this.settings.connectTimeout()))
			.onErrorResume((ex) -> Mono.just(transportFailure(ex)));
	}

	/** The answer's bytes, or an error once it passes {@link #MAX_RESPONSE_BYTES} (the connection is then dropped). */
	private static Mono<byte[]> readBounded(ByteBufFlux body) {
		return Mono.defer(() -> {
			ByteArrayOutputStream out = new ByteArrayOutputStream(512);
			return body.asByteArray().doOnNext((chunk) -> {
				if (out.size() + chunk.length > MAX_RESPONSE_BYTES) {
					throw new IllegalStateException("answer longer than " + MAX_RESPONSE_BYTES + " bytes");
				}
				out.write(chunk, 0, chunk.length);
			}).then(Mono.fromSupplier(out::toByteArray));
		});
	}

	/** The answer as JSON, or {@code null} (empty or not JSON): classified by its status then. */
	private static JsonNode parse(byte[] bytes) {
		if (bytes.length == 0) {
			return null;
		}
		try {
			JsonNode node = RelayJson.mapper().readTree(bytes);
			return (node == null || node.isMissingNode()) ? null : node;
		}
		catch (RuntimeException ex) {
			return null;
		}
	}

	private static String retryAfter(HttpClientResponse response) {
		return response.responseHeaders().get(HttpHeaderNames.RETRY_AFTER);
	}

	private static String formEncode(String value) {
		return URLEncoder.encode(value, StandardCharsets.UTF_8);
	}

	/** As {@link #classify(int, JsonNode, String)}; the API tests speak Spring's types. */
	static Outcome classify(HttpStatusCode status, JsonNode body, HttpHeaders headers) {
		return classify(status.value(), body, headers.getFirst(HttpHeaders.RETRY_AFTER));
	}

	/**
	 * 2xx: accepted. 408, 429 and 5xx: transient. 401/403/404 mean wrong credentials or account:
	 * the account's failure, not the message's, so the engine pauses the channel. Every other 4xx is
	 * permanent: 400 carries Twilio error codes for invalid or unreachable numbers (21211, 21614, 21610...).
	 */
	static Outcome classify(int value, JsonNode body, String retryAfter) {
		String code = errorCode(value, body);
		String detail = text(body, "message");
		if (value >= 200 && value < 300) {
			return new Outcome.Delivered(Integer.toString(value), text(body, "status"), text(body, "sid"));
		}
		if (value == 408 || value == 429 || (value >= 500 && value < 600)) {
			return new Outcome.Retryable(code, detail == null ? "HTTP " + value : detail, RetryAfter.parse(retryAfter));
		}
		if (value == 401 || value == 403 || value == 404) {
			return new Outcome.AccountFailure(code, detail == null ? "HTTP " + value : detail);
		}
		return new Outcome.Permanent(code, detail == null ? "HTTP " + value : detail);
	}

	private static Outcome transportFailure(Throwable ex) {
		if (ex instanceof TimeoutException || ex.getCause() instanceof io.netty.handler.timeout.ReadTimeoutException
				|| ex instanceof io.netty.handler.timeout.ReadTimeoutException) {
			return new Outcome.Retryable("timeout", "SMS API did not answer in time", null);
		}
		if (ex instanceof ConnectException || ex.getCause() instanceof ConnectException) {
			Throwable cause = (ex instanceof ConnectException) ? ex : ex.getCause();
			return new Outcome.Retryable("connect", cause.getClass().getSimpleName() + ": " + cause.getMessage(), null);
		}
		if (ex instanceof IOException || ex.getCause() instanceof IOException) {
			Throwable cause = (ex instanceof IOException) ? ex : ex.getCause();
			return new Outcome.Retryable("io", cause.getClass().getSimpleName() + ": " + cause.getMessage(), null);
		}
		return new Outcome.Retryable("error", ex.getClass().getSimpleName() + ": " + ex.getMessage(), null);
	}

	private static String errorCode(int status, JsonNode body) {
		String twilioCode = text(body, "code");
		return twilioCode == null ? Integer.toString(status) : status + "/" + twilioCode;
	}

	/** Retry-After is either delta-seconds or an HTTP-date (RFC 9110): the engine's one parser. */
	static Duration retryAfter(HttpHeaders headers) {
		return RetryAfter.parse(headers.getFirst(HttpHeaders.RETRY_AFTER));
	}

	private static String text(JsonNode body, String field) {
		if (body == null || !body.has(field) || body.get(field).isNull()) {
			return null;
		}
		String value = body.get(field).asString();
		return value.length() <= 300 ? value : value.substring(0, 300) + "…";
	}

	private static boolean isBlank(String value) {
		return value == null || value.isBlank();
	}

}
