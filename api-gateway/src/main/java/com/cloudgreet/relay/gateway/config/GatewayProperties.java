package com.cloudgreet.relay.gateway.config;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.cloudgreet.relay.common.ratelimit.Limit;
import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.Name;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * Every setting of the gateway, bound from {@code relay.*}. Defaults live in
 * {@code application.yml}, each with a comment; nothing here has behaviour.
 *
 * @param adminToken bearer token of the admin API ({@code RELAY_ADMIN_TOKEN}); blank disables it
 * @param internalToken shared secret sent to the internal APIs of the other services
 * @param gateway the gateway's own settings
 */
@Validated
@ConfigurationProperties("relay")
public record GatewayProperties(String adminToken, @NotEmpty String internalToken, @Valid @NotNull Gateway gateway) {

	/** Shown instead of a secret: configuration is printed in logs, failure analyses and debuggers. */
	static final String REDACTED = "<redacted>";

	@Override
	public String toString() {
		return "GatewayProperties[adminToken=" + redacted(this.adminToken) + ", internalToken="
				+ redacted(this.internalToken) + ", gateway=" + this.gateway + "]";
	}

	/** Whether a secret is set, never what it is. */
	static String redacted(String secret) {
		return (secret == null || secret.isEmpty()) ? "<none>" : REDACTED;
	}

	/**
	 * @param services where the owning services' internal APIs live
	 * @param rateLimit who is limited and how much
	 * @param idempotency how long {@code Idempotency-Key}s are remembered
	 * @param maxBodySize largest request body accepted; larger is {@code 413}
	 * @param acceptedTtl how long the gateway remembers ids it accepted, to answer {@code queued}
	 * before the owning service has seen them
	 * @param apiKeyCacheTtl how long a key lookup is cached in Redis
	 * @param apiKeyLocalCacheTtl how long a key lookup is also cached in process (zero: not at all);
	 * bounds how long a revoked key may still pass on another gateway if the eviction message is lost
	 * @param unavailableRetryAfter the {@code Retry-After} sent with {@code 503} when Kafka or Redis is down
	 * @param trustedProxies addresses or CIDR ranges of reverse proxies whose {@code X-Forwarded-For} is believed
	 * @param senderCacheTtl how long a tenant's sender allowlist is cached in process; bounds how long
	 * another gateway still applies the old list after an admin change
	 * @param keyCacheSecret key of the MAC on API key entries cached in Redis; blank: derived from the admin token
	 */
	public record Gateway(@Valid @NotNull Services services, @Valid @NotNull RateLimit rateLimit,
			@Valid @NotNull Idempotency idempotency, @NotNull DataSize maxBodySize, @NotNull Duration acceptedTtl,
			@NotNull Duration apiKeyCacheTtl, @NotNull Duration apiKeyLocalCacheTtl, @NotNull Duration unavailableRetryAfter, List<String> trustedProxies,
			@NotNull Duration senderCacheTtl, String keyCacheSecret) {

		public Gateway {
			trustedProxies = trustedProxies == null ? List.of() : List.copyOf(trustedProxies);
		}

		@Override
		public String toString() {
			return "Gateway[services=" + this.services + ", rateLimit=" + this.rateLimit + ", idempotency="
					+ this.idempotency + ", maxBodySize=" + this.maxBodySize + ", acceptedTtl=" + this.acceptedTtl
					+ ", apiKeyCacheTtl=" + this.apiKeyCacheTtl + ", apiKeyLocalCacheTtl=" + this.apiKeyLocalCacheTtl
					+ ", unavailableRetryAfter=" + this.unavailableRetryAfter + ", trustedProxies=" + this.trustedProxies
					+ ", senderCacheTtl=" + this.senderCacheTtl + ", keyCacheSecret=" + redacted(this.keyCacheSecret) + "]";
		}

	}

	/**
	 * @param notificationUrl base URL of notification-service (email and SMS)
	 * @param webhookUrl base URL of webhook-service (events and endpoints)
	 * @param timeout time limit of one internal call
	 */
	public record Services(@NotNull URI notificationUrl, @NotNull URI webhookUrl, @NotNull Duration timeout) {
	}

	/**
	 * @param enabled whether requests are limited at all
	 * @param defaultRate limit of a tenant created without its own
	 * @param ip limit per client IP for unauthenticated and failed-auth requests
	 * @param routes optional extra limits per route, per tenant, keyed by a short name
	 * @param redisFailureMode what to do while Redis cannot decide
	 * @param expectedReplicas how many gateways share the traffic; the local fallback admits this share
	 * @param redisProbeInterval while degraded, how often one request tries Redis again
	 * @param redisTimeout how long a decision may take; a slower one is an unknown outcome: that
	 * request gets {@code 503}, and the limiter does not degrade
	 * @param keyLookup per client IP, database lookups of API keys that no cache knows
	 */
	public record RateLimit(boolean enabled, @Name("default") @Valid @NotNull Rate defaultRate,
			@Valid @NotNull Rate ip, Map<String, @Valid RouteLimit> routes, @NotNull FailureMode redisFailureMode,
			@Min(1) int expectedReplicas, @NotNull Duration redisProbeInterval, @NotNull Duration redisTimeout,
			@Valid @NotNull Rate keyLookup) {

		public RateLimit {
			routes = routes == null ? Map.of() : Map.copyOf(routes);
		}

	}

	/**
	 * A token bucket: {@code burst} requests at once, refilled at {@code requestsPerSecond}. The
	 * bounds keep the limiter script's arithmetic exact (see {@link Limit}).
	 */
	public record Rate(@DecimalMin(Limit.MIN_RATE_TEXT) @DecimalMax(Limit.MAX_RATE_TEXT) double requestsPerSecond,
			@Min(1) @Max(Limit.MAX_BURST) long burst) {
	}

	/**
	 * @param path path pattern of the route (e.g. {@code /v1/messages/sms})
	 * @param method HTTP method, or empty for any
	 */
	public record RouteLimit(@NotEmpty String path, String method,
			@DecimalMin(Limit.MIN_RATE_TEXT) @DecimalMax(Limit.MAX_RATE_TEXT) double requestsPerSecond,
			@Min(1) @Max(Limit.MAX_BURST) long burst) {
	}

	public enum FailureMode {

		/** Keep serving, limited by a per-instance limiter (limit / expected replicas). */
		FAIL_OPEN,
		/** Refuse with {@code 503} until Redis answers again. */
		FAIL_CLOSED

	}

	/**
	 * @param ttl how long a key and its first response are kept
	 * @param inFlightTtl how long a key stays locked by a request that never finished (crashed gateway)
	 */
	public record Idempotency(@NotNull Duration ttl, @NotNull Duration inFlightTtl) {
	}

}
