package com.cloudgreet.relay.gateway.ratelimit;

import java.time.Duration;
import java.util.stream.Collectors;

import com.cloudgreet.relay.common.http.RelayHttpHeaders;
import com.cloudgreet.relay.common.ratelimit.Decision;
import com.cloudgreet.relay.common.ratelimit.Limit;
import com.cloudgreet.relay.common.ratelimit.LimitState;
import com.cloudgreet.relay.gateway.problem.ApiProblem;
import org.springframework.http.HttpHeaders;

/**
 * The IETF RateLimit header fields (draft-ietf-httpapi-ratelimit-headers-09/-10): two
 * structured-field lists, one member per limit, named by a quoted policy id.
 *
 * <pre>
 * RateLimit-Policy: "tenant";q=200;w=2, "route-sms";q=20;w=2
 * RateLimit: "tenant";r=187;t=1, "route-sms";r=19;t=1
 * </pre>
 *
 * A token bucket has no fixed window; the policy states the burst as the quota {@code q} and the
 * time the bucket takes to refill from empty as the window {@code w}. {@code r} is what the
 * bucket would admit right now and {@code t} the seconds until it is full again.
 */
public final class RateLimitHeaders {

	private RateLimitHeaders() {
	}

	public static void write(HttpHeaders headers, Decision decision) {
		headers.set(RelayHttpHeaders.RATE_LIMIT_POLICY,
				decision.states().stream().map(RateLimitHeaders::policy).collect(Collectors.joining(", ")));
		headers.set(RelayHttpHeaders.RATE_LIMIT,
				decision.states().stream().map(RateLimitHeaders::state).collect(Collectors.joining(", ")));
		if (!decision.allowed()) {
			headers.set(HttpHeaders.RETRY_AFTER, Long.toString(ApiProblem.seconds(decision.retryAfter())));
		}
	}

	static String policy(LimitState state) {
		Limit limit = state.limit();
		long window = Math.max(1, (long) Math.ceil(limit.burst() / limit.ratePerSecond()));
		return "\"" + limit.name() + "\";q=" + limit.burst() + ";w=" + window;
	}

	static String state(LimitState state) {
		return "\"" + state.limit().name() + "\";r=" + state.remaining() + ";t=" + ceilSeconds(state.resetAfter());
	}

	private static long ceilSeconds(Duration duration) {
		long nanos = duration.toNanos();
		return nanos <= 0 ? 0 : (nanos + 999_999_999L) / 1_000_000_000L;
	}

}
