package com.cloudgreet.relay.notification.config;

import java.net.URI;
import java.time.Duration;
import java.util.List;

import com.cloudgreet.relay.common.privacy.RedactedToString;
import com.cloudgreet.relay.delivery.retention.RetentionSettings;
import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * Every setting of the notification service ({@code relay.*}); defaults and their reasons live in
 * {@code application.yml}. Kept apart from the beans that act on it so it can be rebound.
 */
@Validated
@ConfigurationProperties("relay")
public record NotificationProperties(@NotBlank String internalToken, @Valid @NotNull Email email,
		@Valid @NotNull Sms sms, @Valid @NotNull Delivery delivery, @Valid @NotNull Alerts alerts,
		@NotNull RetentionSettings retention, @Valid @NotNull Failover failover) {

	public enum EmailProvider {

		LOG, SMTP

	}

	public enum SmsProvider {

		LOG, TWILIO

	}

	/**
	 * {@code providers}: SMTP relays after the first (spring.mail.*), in failover order; empty for
	 * one relay. They share the first one's JavaMail properties (timeouts, TLS).
	 */
	public record Email(@NotNull EmailProvider provider, @NotEmpty List<@NotNull Duration> retryDelays,
			@NotBlank String defaultFrom, @Valid @NotNull Smtp smtp, List<@Valid @NotNull SmtpRelay> providers) {

		public Email {
			providers = (providers == null) ? List.of() : List.copyOf(providers);
		}

	}

	/** One more SMTP relay for failover; {@link #toString()} hides the password. */
	public record SmtpRelay(@NotBlank String name, @NotBlank String host, @Min(1) int port, String username,
			String password) {

		@Override
		public String toString() {
			return RedactedToString.of(this, "password");
		}

	}

	public record Smtp(@Min(1) int concurrency, @NotNull Duration connectTimeout, @NotNull Duration readTimeout,
			@NotNull Duration writeTimeout, @NotNull Duration maxIdleTime) {

		/** The longest one SMTP send can take before the I/O timeouts must have fired. */
		public Duration sendTimeout() {
			return this.connectTimeout.plus(this.readTimeout).plus(this.writeTimeout);
		}

	}

	/**
	 * {@code providers}: Twilio-compatible accounts after the first ({@code twilio}), in failover
	 * order; empty for one account.
	 */
	public record Sms(@NotNull SmsProvider provider, @NotEmpty List<@NotNull Duration> retryDelays,
			@Valid @NotNull Twilio twilio, @Valid @NotNull RateLimit rateLimit,
			List<@Valid @NotNull SmsAccount> providers) {

		public Sms {
			providers = (providers == null) ? List.of() : List.copyOf(providers);
		}

	}

	/**
	 * One more SMS account for failover, with its own outbound rate ({@code perSecond} and
	 * {@code burst}; relay.sms.rate-limit's when unset). Timeouts are relay.sms.twilio's.
	 * {@link #toString()} hides the token.
	 */
	public record SmsAccount(@NotBlank String name, @NotNull URI baseUrl, @NotBlank String accountSid,
			@NotBlank String authToken, @NotBlank String from, @DecimalMin("0.001") Double perSecond,
			@Min(1) Long burst) {

		@Override
		public String toString() {
			return RedactedToString.of(this, "authToken");
		}

	}

	/** Secrets here are never logged; {@link #toString()} hides the token. */
	public record Twilio(URI baseUrl, String accountSid, String authToken, String from, @NotNull Duration timeout,
			@NotNull Duration connectTimeout) {

		@Override
		public String toString() {
			return RedactedToString.of(this, "authToken");
		}

	}

	public record RateLimit(boolean enabled, @NotBlank String name, @DecimalMin("0.001") double perSecond,
			@Min(1) long burst) {
	}

	/** The delivery engine of both channels; see application.yml for what each setting does. */
	public record Delivery(@Min(1) int inProcessAttempts, @NotNull Duration initialBackoff,
			@DecimalMin("1.0") double backoffMultiplier, @NotNull Duration maxRetryAfterInProcess,
			@DecimalMin("0.0") double jitter, @NotNull Duration maxRetryAfter, @NotNull Duration lease,
			@NotNull Duration pollInterval, @Min(1) int batchSize, @Min(1) int maxInFlight, @NotNull Duration minPause,
			@NotNull Duration maxPause, @NotNull Duration drainTimeout, @NotNull Duration deadLetterGrace) {
	}

	/**
	 * Provider failover: the name of each channel's first provider (spring.mail.*,
	 * relay.sms.twilio.*) and the circuit breaker each provider of a channel with several has.
	 */
	public record Failover(@NotBlank String primaryName, @Valid @NotNull CircuitBreaker circuitBreaker) {
	}

	public record CircuitBreaker(@DecimalMin("1") @jakarta.validation.constraints.DecimalMax("100") float failureRateThreshold,
			@Min(1) int slidingWindowSize, @Min(1) int minimumNumberOfCalls, @NotNull Duration waitInOpenState,
			@Min(1) int permittedCallsInHalfOpenState) {
	}

	public record Alerts(String slackWebhookUrl, @NotNull Duration window) {

		@Override
		public String toString() {
			// The webhook URL embeds Slack's secret token.
			return RedactedToString.of(this, "slackWebhookUrl");
		}

	}

}
