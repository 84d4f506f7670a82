package com.cloudgreet.relay.gateway;

import java.time.Duration;
import java.util.List;

import com.cloudgreet.relay.common.ratelimit.Decision;
import com.cloudgreet.relay.common.ratelimit.Limit;
import com.cloudgreet.relay.common.ratelimit.LimitState;
import com.cloudgreet.relay.gateway.ratelimit.RateLimitHeaders;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;

import static org.assertj.core.api.Assertions.assertThat;

class RateLimitHeadersTest {

	@Test
	void writesOneStructuredListMemberPerLimitAndRetryAfterOnlyWhenRefused() {
		Limit tenant = new Limit("tenant", "ten_1", 100, 200);
		Limit route = new Limit("route-sms", "ten_1", 0.5, 3);
		HttpHeaders headers = new HttpHeaders();
		RateLimitHeaders.write(headers, new Decision(true, Duration.ZERO,
				List.of(new LimitState(tenant, 150, Duration.ofMillis(500)), new LimitState(route, 2, Duration.ofMillis(2001)))));
		assertThat(headers.getFirst("RateLimit-Policy")).isEqualTo("\"tenant\";q=200;w=2, \"route-sms\";q=3;w=6");
		assertThat(headers.getFirst("RateLimit")).isEqualTo("\"tenant\";r=150;t=1, \"route-sms\";r=2;t=3");
		assertThat(headers.getFirst("Retry-After")).isNull();
	}

	@Test
	void retryAfterIsWholeSecondsRoundedUpAndNeverZero() {
		Limit ip = new Limit("ip", "1.2.3.4", 20, 40);
		HttpHeaders headers = new HttpHeaders();
		RateLimitHeaders.write(headers,
				new Decision(false, Duration.ofMillis(50), List.of(new LimitState(ip, 0, Duration.ofSeconds(2)))));
		assertThat(headers.getFirst("Retry-After")).isEqualTo("1");
		assertThat(headers.getFirst("RateLimit")).isEqualTo("\"ip\";r=0;t=2");
	}

}
