package com.cloudgreet.relay.notification.sms;

import java.net.ConnectException;
import java.time.Duration;
import java.util.concurrent.TimeoutException;

import com.cloudgreet.relay.common.message.SmsMessage;
import com.cloudgreet.relay.notification.config.NotificationProperties;
import com.cloudgreet.relay.delivery.Outcome;
import com.cloudgreet.relay.delivery.RetryAfter;
import io.netty.channel.ChannelOption;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import tools.jackson.databind.JsonNode;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.util.LinkedMultiValueMap;
import org.springframework.util.MultiValueMap;
import org.springframework.web.reactive.function.BodyInserters;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.client.WebClientRequestException;

/**
 * Sends texts through Twilio's Messages API ({@code POST /2010-04-01/Accounts/{sid}/Messages.json},
 * form-encoded, HTTP Basic with the account SID and auth token). Any service speaking that API
 * works: the base URL is configurable.
 */
public class TwilioSmsSender implements SmsSender {

	private final WebClient client;

	private final NotificationProperties.Twilio settings;

	public TwilioSmsSender(WebClient.Builder builder, NotificationProperties.Twilio settings) {
		if (settings.baseUrl() == null || isBlank(settings.accountSid()) || isBlank(settings.authToken())
				|| isBlank(settings.from())) {
			throw new IllegalStateException("relay.sms.provider=twilio needs relay.sms.twilio.base-url, "
					+ "account-sid, auth-token and from");
		}
		this.settings = settings;
		HttpClient http = HttpClient.create()
			.option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) settings.connectTimeout().toMillis())
			.responseTimeout(settings.timeout());
		this.client = builder
			.baseUrl(settings.baseUrl().toString())
			.clientConnector(new ReactorClientHttpConnector(http))
			.defaultHeaders((headers) -> headers.setBasicAuth(settings.accountSid(), settings.authToken()))
			.build();
	}

	@Override
	public Mono<Outcome> send(String messageId, SmsMessage message) {
		MultiValueMap<String, String> form = new LinkedMultiValueMap<>();
		form.add("To", message.to());
		form.add("From", message.from() != null ? message.from() : this.settings.from());
		form.add("Body", message.body());
		return this.client.post()
			.uri("/2010-04-01/Accounts/{sid}/Messages.json", this.settings.accountSid())
			.contentType(MediaType.APPLICATION_FORM_URLENCODED)
			.accept(MediaType.APPLICATION_JSON)
			.body(BodyInserters.fromFormData(form))
			.exchangeToMono((response) -> response.bodyToMono(JsonNode.class)
				.map((body) -> classify(response.statusCode(), body, response.headers().asHttpHeaders()))
				.switchIfEmpty(Mono.fromSupplier(() -> classify(response.statusCode(), null,
						response.headers().asHttpHeaders())))
				.onErrorResume((unreadable) -> Mono.just(classify(response.statusCode(), null,
						response.headers().asHttpHeaders()))))
			// The response timeout covers waiting for headers; this one also covers a trickling body.
			.timeout(this.settings.timeout().plus(this.settings.connectTimeout()))
			.onErrorResume((ex) -> Mono.just(transportFailure(ex)));
	}

	/**
	 * 2xx: accepted. 408, 429 and 5xx: transient. 401/403/404 mean wrong credentials or account:
	 * the account's failure, not the message's, so the engine pauses the channel. Every other 4xx is
	 * permanent: 400 carries Twilio error codes for invalid or unreachable numbers (21211, 21614, 21610...).
	 */
	static Outcome classify(HttpStatusCode status, JsonNode body, HttpHeaders headers) {
		String code = errorCode(status, body);
		String detail = text(body, "message");
		if (status.is2xxSuccessful()) {
			return new Outcome.Delivered(Integer.toString(status.value()), text(body, "status"), text(body, "sid"));
		}
		int value = status.value();
		if (value == 408 || value == 429 || status.is5xxServerError()) {
			return new Outcome.Retryable(code, detail == null ? "HTTP " + value : detail, retryAfter(headers));
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
		if (ex instanceof WebClientRequestException request) {
			String kind = request.getCause() instanceof ConnectException ? "connect" : "io";
			return new Outcome.Retryable(kind, request.getMostSpecificCause().getClass().getSimpleName()
					+ ": " + request.getMostSpecificCause().getMessage(), null);
		}
		return new Outcome.Retryable("error", ex.getClass().getSimpleName() + ": " + ex.getMessage(), null);
	}

	private static String errorCode(HttpStatusCode status, JsonNode body) {
		String twilioCode = text(body, "code");
		return twilioCode == null ? Integer.toString(status.value()) : status.value() + "/" + twilioCode;
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
