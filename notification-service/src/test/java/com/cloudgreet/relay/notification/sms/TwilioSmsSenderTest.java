package com.cloudgreet.relay.notification.sms;

import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;

import com.cloudgreet.relay.common.json.RelayJson;
import com.cloudgreet.relay.delivery.Outcome;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;

import static org.assertj.core.api.Assertions.assertThat;

class TwilioSmsSenderTest {

	@ParameterizedTest(name = "HTTP {0} is {1}")
	@CsvSource({ "200, delivered", "201, delivered", "400, permanent_failure", "401, account_failure",
			"403, account_failure", "404, account_failure", "408, retryable_failure", "422, permanent_failure",
			"429, retryable_failure", "500, retryable_failure", "502, retryable_failure", "503, retryable_failure" })
	void classifiesStatusCodes(int status, String outcome) {
		Outcome result = TwilioSmsSender.classify(HttpStatusCode.valueOf(status), null, new HttpHeaders());
		assertThat(result.outcomeName()).isEqualTo(outcome);
	}

	@Test
	void keepsTwilioErrorCodeAndMessage() {
		var body = RelayJson.mapper().readTree("{\"code\":21211,\"message\":\"The 'To' number is not valid.\",\"status\":400}");
		Outcome result = TwilioSmsSender.classify(HttpStatusCode.valueOf(400), body, new HttpHeaders());
		assertThat(result).isEqualTo(new Outcome.Permanent("400/21211", "The 'To' number is not valid."));
	}

	@Test
	void keepsMessageSidOfAcceptedMessage() {
		var body = RelayJson.mapper().readTree("{\"sid\":\"SM123\",\"status\":\"queued\"}");
		Outcome result = TwilioSmsSender.classify(HttpStatusCode.valueOf(201), body, new HttpHeaders());
		assertThat(result).isEqualTo(new Outcome.Delivered("201", "queued", "SM123"));
	}

	@Test
	void readsRetryAfterInSeconds() {
		HttpHeaders headers = new HttpHeaders();
		headers.set(HttpHeaders.RETRY_AFTER, "7");
		var result = (Outcome.Retryable) TwilioSmsSender.classify(HttpStatusCode.valueOf(429), null, headers);
		assertThat(result.retryAfter()).isEqualTo(Duration.ofSeconds(7));
	}

	@Test
	void readsRetryAfterAsHttpDate() {
		HttpHeaders headers = new HttpHeaders();
		headers.set(HttpHeaders.RETRY_AFTER,
				DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(java.time.ZoneOffset.UTC).plusSeconds(30)));
		assertThat(TwilioSmsSender.retryAfter(headers)).isBetween(Duration.ofSeconds(28), Duration.ofSeconds(31));
	}

	@Test
	void ignoresUnreadableRetryAfter() {
		HttpHeaders headers = new HttpHeaders();
		headers.set(HttpHeaders.RETRY_AFTER, "soon");
		assertThat(TwilioSmsSender.retryAfter(headers)).isNull();
	}

}
