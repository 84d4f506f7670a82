package com.cloudgreet.relay.webhook.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.cloudgreet.relay.common.message.Limits;
import com.cloudgreet.relay.common.privacy.RedactedToString;
import com.cloudgreet.relay.delivery.retention.RetentionSettings;
import jakarta.validation.Valid;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * Every setting of the webhook service, bound from {@code relay.*}. Defaults live in
 * {@code application.yml}, each with a comment.
 */
@Validated
@ConfigurationProperties("relay")
public record WebhookServiceProperties(@NotBlank String internalToken, @Valid @NotNull Webhooks webhooks,
		@Valid @NotNull Alerts alerts, @NotNull RetentionSettings retention) {

	/**
	 * {@code secretKeys}: key id to base64 256-bit AES key, every key a stored secret may be
	 * under; {@code secretKeyId}: the one new secrets are encrypted with. Both required, no default.
	 */
	public record Webhooks(@NotNull Duration timeout, @NotNull Duration connectTimeout, boolean allowPrivateNetworks,
			@NotNull List<Duration> retryDelays, @DecimalMin("0.0") @DecimalMax("1.0") double jitter,
			@NotNull Duration maxRetryAfter, @Min(1) int perEndpointConcurrency, @Min(1) int maxInFlight,
			@Min(1) int maxInFlightPerTenant, @NotNull DataSize inFlightMemory, @Min(1) int maxEndpointsPerTenant,
			@NotNull DataSize responseExcerpt,
			@NotNull Duration secretRotationGrace, @NotNull Duration secretPurgeInterval,
			@NotEmpty(message = "relay.webhooks.secret-keys is required: signing secrets are encrypted at rest "
					+ "(a key is the base64 of 32 random bytes: openssl rand -base64 32)") Map<String, String> secretKeys,
			@NotBlank(message = "relay.webhooks.secret-key-id is required: the id in relay.webhooks.secret-keys "
					+ "of the key new secrets are encrypted with") String secretKeyId,
			@Valid @NotNull Dns dns, @Valid @NotNull AutoDisable autoDisable, @Valid @NotNull Dispatcher dispatcher) {

		@AssertTrue(message = "relay.webhooks.dispatcher.lease must exceed relay.webhooks.timeout")
		public boolean isLeaseLongerThanTimeout() {
			return this.dispatcher == null || this.timeout == null || this.dispatcher.lease().compareTo(this.timeout) > 0;
		}

		/**
		 * What one delivery in flight holds at most: its body (the payload, capped by the shared
		 * validation, plus the envelope around it) and the excerpt of the answer.
		 */
		public DataSize deliveryMemory() {
			return DataSize.ofBytes(Limits.WEBHOOK_PAYLOAD_BYTES + ENVELOPE_BYTES + this.responseExcerpt.toBytes());
		}

		/** type, timestamp and eventId around the payload: at most 128 + 40 + 128 characters and the punctuation. */
		private static final int ENVELOPE_BYTES = 1024;

		@AssertTrue(message = "relay.webhooks.max-in-flight deliveries of the largest body do not fit in "
				+ "relay.webhooks.in-flight-memory: raise it (and the heap) or lower max-in-flight")
		public boolean isInFlightMemoryEnough() {
			return this.inFlightMemory == null || this.responseExcerpt == null
					|| (long) this.maxInFlight * deliveryMemory().toBytes() <= this.inFlightMemory.toBytes();
		}

		@Override
		public String toString() {
			return RedactedToString.of(this, "secretKeys");
		}

	}

	/** Name resolution of endpoint hosts: {@code servers} as host:port, empty = the system's (/etc/resolv.conf). */
	public record Dns(@NotNull Duration timeout, @NotNull List<String> servers) {
	}

	/** Disable an endpoint after this many consecutive failed attempts spanning at least this long. */
	public record AutoDisable(boolean enabled, @Min(1) int consecutiveFailures, @NotNull Duration failingFor) {
	}

	public record Dispatcher(@NotNull Duration pollInterval, @Min(1) int batchSize, @NotNull Duration lease,
			@NotNull Duration deadLetterGrace) {
	}

	public record Alerts(String slackWebhookUrl, @NotNull Duration window) {

		/** A Slack incoming-webhook URL is its own credential. */
		@Override
		public String toString() {
			return RedactedToString.of(this, "slackWebhookUrl");
		}

	}

	@Override
	public String toString() {
		return RedactedToString.of(this, "internalToken");
	}

	/** A negative delay is a typo, never a schedule: fail at startup rather than retry in a busy loop. */
	@AssertTrue(message = "relay.webhooks.retry-delays must not contain negative durations")
	public boolean isScheduleValid() {
		return this.webhooks == null || this.webhooks.retryDelays() == null
				|| this.webhooks.retryDelays().stream().noneMatch(Duration::isNegative);
	}

}
