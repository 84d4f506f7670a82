package com.cloudgreet.relay.gateway.ratelimit;

import com.cloudgreet.relay.common.ratelimit.RedisRateLimiter;
import com.cloudgreet.relay.gateway.auth.Caller;
import org.springframework.web.server.ServerWebExchange;

/**
 * What an admitted request must leave in Redis, handed to the limiter so that its one script call
 * decides the limits and writes it: one round trip per request instead of two.
 */
public interface AdmissionRecords {

	/** Records nothing: the filter decides limits only. */
	AdmissionRecords NONE = new AdmissionRecords() {
		@Override
		public RedisRateLimiter.OnAdmit recordFor(ServerWebExchange exchange, String scope, Caller caller) {
			return null;
		}

		@Override
		public void recorded(ServerWebExchange exchange) {
		}
	};

	/**
	 * The record to write if this request is admitted, or {@code null} for none. Its key must carry
	 * {@code scope} as hash tag.
	 */
	RedisRateLimiter.OnAdmit recordFor(ServerWebExchange exchange, String scope, Caller caller);

	/** Redis admitted the request and wrote the record {@link #recordFor} gave for it. */
	void recorded(ServerWebExchange exchange);

}
