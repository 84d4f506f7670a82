package com.cloudgreet.relay.gateway;

import java.util.List;

import com.cloudgreet.relay.common.ratelimit.Decision;
import com.cloudgreet.relay.common.ratelimit.Limit;
import com.cloudgreet.relay.gateway.ratelimit.LocalRateLimiter;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class LocalRateLimiterTest {

	@Test
	void admitsItsShareOfTheBurstPerExpectedReplica() {
		LocalRateLimiter limiter = new LocalRateLimiter(4);
		List<Limit> limits = List.of(new Limit("tenant", "ten_1", 0.01, 40));
		int admitted = 0;
		for (int i = 0; i < 20; i++) {
			Decision decision = limiter.check("ten_1", limits).block();
			admitted += decision.allowed() ? 1 : 0;
		}
		assertThat(admitted).isEqualTo(10);
	}

	@Test
	void refusalNamesTheLocalShareAndAWait() {
		LocalRateLimiter limiter = new LocalRateLimiter(2);
		List<Limit> limits = List.of(new Limit("ip", "1.2.3.4", 1, 2));
		limiter.check("ip:1.2.3.4", limits).block();
		Decision refused = limiter.check("ip:1.2.3.4", limits).block();
		assertThat(refused.allowed()).isFalse();
		assertThat(refused.retryAfter()).isPositive();
		assertThat(refused.states().get(0).limit().burst()).isEqualTo(1);
		assertThat(refused.states().get(0).limit().ratePerSecond()).isEqualTo(0.5);
	}

	@Test
	void budgetsAreSeparatePerScope() {
		LocalRateLimiter limiter = new LocalRateLimiter(1);
		assertThat(limiter.check("a", List.of(new Limit("tenant", "a", 0.01, 1))).block().allowed()).isTrue();
		assertThat(limiter.check("b", List.of(new Limit("tenant", "b", 0.01, 1))).block().allowed()).isTrue();
		assertThat(limiter.check("a", List.of(new Limit("tenant", "a", 0.01, 1))).block().allowed()).isFalse();
	}

}
