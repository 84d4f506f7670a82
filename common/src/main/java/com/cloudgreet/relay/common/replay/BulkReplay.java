package com.cloudgreet.relay.common.replay;

import java.time.Instant;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * An operator's bulk replay ({@code POST /admin/v1/replays} on the gateway, passed on to
 * {@code POST /internal/v1/admin/replays} of each owning service): failed or dead-lettered
 * deliveries created in {@code [from, to)}, optionally of one channel, tenant or webhook endpoint,
 * go out again at once on a fresh retry schedule. At most {@link #MAX_PER_CALL} per call; the
 * answer says how many match and were left for the next call.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record BulkReplay(String channel, String tenantId, String endpointId, Instant from, Instant to,
		List<String> statuses) {

	public static final String INTERNAL_PATH = "/internal/v1/admin/replays";

	/** Deliveries one call re-queues at most, so one request never rewrites an unbounded number of rows. */
	public static final int MAX_PER_CALL = 10_000;

	public static final List<String> REPLAYABLE = List.of("failed", "dead_lettered");

	public BulkReplay {
		if (from == null || to == null || !from.isBefore(to)) {
			throw new IllegalArgumentException("from and to are required, from before to");
		}
		if (channel != null && !Set.of("email", "sms", "webhook").contains(channel)) {
			throw new IllegalArgumentException("channel must be email, sms or webhook");
		}
		if (endpointId != null && channel != null && !channel.equals("webhook")) {
			throw new IllegalArgumentException("endpointId applies to the webhook channel only");
		}
		statuses = statuses == null || statuses.isEmpty() ? REPLAYABLE : List.copyOf(statuses);
		if (!REPLAYABLE.containsAll(statuses)) {
			throw new IllegalArgumentException("statuses may name failed and dead_lettered only");
		}
	}

	/**
	 * What one service re-queued, how many matching deliveries it left for the next call, and how many
	 * it refused and left as they are (email and SMS whose sender the tenant no longer allows).
	 * {@code refused} may be absent (a service from before it existed, webhook-service): read as 0.
	 */
	public record Result(long replayed, long remaining, Long refused) {

		public Result {
			refused = refused == null ? 0L : refused;
		}

		public Result(long replayed, long remaining) {
			this(replayed, remaining, 0L);
		}

	}

}
