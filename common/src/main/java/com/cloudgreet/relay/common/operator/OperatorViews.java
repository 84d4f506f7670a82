package com.cloudgreet.relay.common.operator;

import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * What the services' operator area ({@code /internal/v1/admin/**}) answers for the gateway's
 * operator console, across tenants. Unknown fields are ignored so either side may add some.
 */
public final class OperatorViews {

	/** Paths of the operator reads, named once for the services and the gateway. */
	public static final String DEAD_LETTERS_PATH = "/internal/v1/admin/dead-letters";

	public static final String DEAD_LETTER_COUNTS_PATH = DEAD_LETTERS_PATH + "/counts";

	public static final String CHANNELS_PATH = "/internal/v1/admin/channels";

	public static final String DISABLED_ENDPOINTS_PATH = "/internal/v1/admin/endpoints/disabled";

	/** Rows one list call answers at most. */
	public static final int MAX_PAGE = 100;

	private OperatorViews() {
	}

	/**
	 * How many messages of a channel ended {@code failed} or {@code dead_lettered} for one cause:
	 * {@code cause} is {@code exhausted} (every retry spent: dead_lettered) or {@code rejected} (a
	 * permanent failure: failed), {@code code} the last answer (provider code or HTTP status), if any.
	 */
	@JsonIgnoreProperties(ignoreUnknown = true)
	public record DeadLetterCount(String channel, String cause, String code, long count) {
	}

	@JsonIgnoreProperties(ignoreUnknown = true)
	public record DeadLetterCounts(Instant since, List<DeadLetterCount> counts) {
	}

	/**
	 * One failed or dead-lettered delivery: {@code id} is the delivery's (the list's keyset),
	 * {@code messageId} the id the status API knows (an email or SMS is its own delivery; a webhook
	 * event has one per endpoint); {@code reason} is the last error, written by a provider or receiver.
	 */
	@JsonIgnoreProperties(ignoreUnknown = true)
	public record DeadLetter(String id, String messageId, String tenantId, String channel, String cause, String code,
			String reason, Instant createdAt, Instant settledAt) {
	}

	/** A page, newest first; {@code next} is the {@code before} of the following page, null on the last. */
	@JsonIgnoreProperties(ignoreUnknown = true)
	public record DeadLetterPage(List<DeadLetter> data, String next) {
	}

	/** A channel and whether it is paused (account-level failure), with each provider's state. */
	@JsonIgnoreProperties(ignoreUnknown = true)
	public record ChannelState(String channel, boolean paused, List<ProviderState> providers) {
	}

	@JsonIgnoreProperties(ignoreUnknown = true)
	public record ProviderState(String name, String breaker, boolean paused) {
	}

	@JsonIgnoreProperties(ignoreUnknown = true)
	public record DisabledEndpoint(String id, String tenantId, String url, String disabledReason, Instant disabledAt) {
	}

	/** Disabled endpoints by id; {@code next} is the {@code after} of the following page. */
	@JsonIgnoreProperties(ignoreUnknown = true)
	public record DisabledEndpointPage(List<DisabledEndpoint> data, String next) {
	}

}
