package com.cloudgreet.relay.gateway.console.operator;

import java.util.List;

import com.cloudgreet.relay.common.ratelimit.Decision;
import com.cloudgreet.relay.common.ratelimit.Limit;
import com.cloudgreet.relay.gateway.ratelimit.ResilientRateLimiter;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * How many operator logins one client address may try ({@code relay.console.operator.login-attempts}),
 * in the gateway's Redis limiter. Every attempt is counted before the token is compared, so past
 * the limit even the right token is refused: the login page answers nothing about a guess.
 */
@Component
class LoginAttempts {

	private static final String NAME = "operator-login";

	private final ResilientRateLimiter limiter;

	private final OperatorProperties properties;

	LoginAttempts(ResilientRateLimiter limiter, OperatorProperties properties) {
		this.limiter = limiter;
		this.properties = properties;
	}

	Mono<Decision> spend(String clientIp) {
		Limit limit = new Limit(NAME, clientIp, this.properties.loginAttempts().requestsPerSecond(),
				this.properties.loginAttempts().burst());
		// The scope of the per-IP limit: its keys share a Redis Cluster slot with this one.
		return this.limiter.check("ip:" + clientIp, List.of(limit), 1);
	}

}
