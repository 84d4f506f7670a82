package com.cloudgreet.relay.notification.sms;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import com.cloudgreet.relay.common.ratelimit.RedisRateLimiter;
import com.cloudgreet.relay.notification.config.NotificationProperties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/** Two throttles stand for two replicas: together they never exceed the one shared rate. */
class SmsThrottleIT {

	private static LettuceConnectionFactory redis;

	@BeforeAll
	static void connect() {
		redis = new LettuceConnectionFactory("127.0.0.1", 6379);
		redis.afterPropertiesSet();
		redis.start();
	}

	@AfterAll
	static void disconnect() {
		redis.destroy();
	}

	@Test
	void holdsOneRateAcrossReplicasAndWaitsInsteadOfFailing() {
		// A fresh account id per run: its own Redis bucket, untouched by anyone else.
		NotificationProperties.Sms settings = settings("AC" + UUID.randomUUID().toString().replace("-", ""), 10, 2);
		SmsThrottle replicaA = new SmsThrottle(new RedisRateLimiter(new ReactiveStringRedisTemplate(redis)), settings);
		SmsThrottle replicaB = new SmsThrottle(new RedisRateLimiter(new ReactiveStringRedisTemplate(redis)), settings);

		long started = System.nanoTime();
		Long granted = Flux.range(0, 22)
			.flatMap((i) -> (i % 2 == 0 ? replicaA : replicaB).acquire().thenReturn(i), 22)
			.count()
			.block(Duration.ofSeconds(10));
		Duration took = Duration.ofNanos(System.nanoTime() - started);

		assertThat(granted).isEqualTo(22);
		// Burst 2, then 10 per second: the other 20 need at least about 2 s, whichever replica asks.
		assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis(1_850)).isLessThan(Duration.ofSeconds(4));
	}

	@Test
	void sharesOneDefaultBudgetWhenNoAccountIsConfigured() {
		SmsThrottle throttle = new SmsThrottle(new RedisRateLimiter(new ReactiveStringRedisTemplate(redis)),
				settings("", 1000, 1000));
		throttle.acquire().block(Duration.ofSeconds(5));
	}

	@Test
	void passesAtOnceWhenDisabled() {
		NotificationProperties.Sms settings = new NotificationProperties.Sms(NotificationProperties.SmsProvider.LOG,
				List.of(Duration.ofSeconds(1)), twilio("ACoff"),
				new NotificationProperties.RateLimit(false, "sms-provider", 0.001, 1), List.of());
		SmsThrottle throttle = new SmsThrottle((scope, limits, cost) -> {
			throw new AssertionError("must not be asked");
		}, settings);
		long started = System.nanoTime();
		Flux.range(0, 100).flatMap((i) -> throttle.acquire()).blockLast(Duration.ofSeconds(1));
		assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofMillis(500));
	}

	private static NotificationProperties.Sms settings(String account, double perSecond, long burst) {
		return new NotificationProperties.Sms(NotificationProperties.SmsProvider.TWILIO, List.of(Duration.ofSeconds(1)),
				twilio(account), new NotificationProperties.RateLimit(true, "sms-provider", perSecond, burst),
				List.of());
	}

	private static NotificationProperties.Twilio twilio(String account) {
		return new NotificationProperties.Twilio(URI.create("http://127.0.0.1:1"), account, "token", "+4930123456789",
				Duration.ofSeconds(1), Duration.ofSeconds(1));
	}

}
