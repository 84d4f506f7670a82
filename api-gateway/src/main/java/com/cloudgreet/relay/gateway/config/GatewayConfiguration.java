package com.cloudgreet.relay.gateway.config;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import com.cloudgreet.relay.common.kafka.DeclaredTopics;
import com.cloudgreet.relay.common.kafka.RelayKafkaSupport;
import com.cloudgreet.relay.common.kafka.Topics;
import com.cloudgreet.relay.common.ratelimit.RedisRateLimiter;
import com.cloudgreet.relay.common.web.CanonicalPathFilter;
import com.cloudgreet.relay.gateway.message.AcceptedMessages;
import com.cloudgreet.relay.gateway.ratelimit.LocalRateLimiter;
import com.cloudgreet.relay.gateway.ratelimit.RateLimitFilter;
import com.cloudgreet.relay.gateway.ratelimit.RateLimitPolicy;
import com.cloudgreet.relay.gateway.ratelimit.RateLimiterHealthIndicator;
import com.cloudgreet.relay.gateway.ratelimit.ResilientRateLimiter;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.metrics.CommandLatencyRecorder;
import io.lettuce.core.resource.Delay;
import io.micrometer.common.KeyValues;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.boot.data.redis.autoconfigure.ClientResourcesBuilderCustomizer;
import org.springframework.boot.data.redis.autoconfigure.LettuceClientOptionsBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.http.server.reactive.observation.DefaultServerRequestObservationConvention;
import org.springframework.http.server.reactive.observation.ServerRequestObservationContext;
import org.springframework.http.server.reactive.observation.ServerRequestObservationConvention;

/** Wiring of the beans that are not plain components. */
@Configuration(proxyBeanMethods = false)
@Import(RelayKafkaSupport.class)
public class GatewayConfiguration {

	/** The request topics it publishes to, created or checked against relay.kafka.topics.* at start-up. */
	@Bean
	DeclaredTopics requestTopics() {
		return DeclaredTopics.of(Topics.EMAIL, Topics.SMS, Topics.WEBHOOK);
	}

	@Bean
	ResilientRateLimiter rateLimiter(ReactiveStringRedisTemplate redis, GatewayProperties properties,
			MeterRegistry meters) {
		return new ResilientRateLimiter(new RedisRateLimiter(redis),
				new LocalRateLimiter(properties.gateway().rateLimit().expectedReplicas()), properties, meters);
	}

	@Bean
	RateLimitFilter rateLimitFilter(RateLimitPolicy policy, ResilientRateLimiter limiter,
			AcceptedMessages acceptedMessages, GatewayProperties properties) {
		// The accepted-message record of a request without Idempotency-Key rides on the limiter's call.
		return new RateLimitFilter(policy, limiter, acceptedMessages, properties);
	}

	/** Every other spelling of a path is refused before authentication looks at it. */
	@Bean
	CanonicalPathFilter canonicalPathFilter() {
		return new CanonicalPathFilter();
	}

	@Bean
	RateLimiterHealthIndicator rateLimiterHealthIndicator(ResilientRateLimiter limiter) {
		return new RateLimiterHealthIndicator(limiter);
	}

	/**
	 * While Redis is disconnected, fail commands at once instead of queueing them until the
	 * command timeout: the limiter's failure mode and the auth cache's database fallback then
	 * take effect immediately, and no request waits on a dead connection.
	 *
	 * <p>Replies are emitted on Lettuce's I/O thread (Lettuce's default), and the request code
	 * that waits on one moves itself to the request's own Netty event loop ({@code RequestLoop}):
	 * the limiter and authentication filters, the message controller. Left on the one I/O thread
	 * of the shared connection, every request's work ran single-file there (63 % of samples in a
	 * profile); through Lettuce's computation threads ({@code publishOnScheduler}) each request
	 * paid one more thread hop, since the body read and the response go back to the event loop.
	 */
	@Bean
	LettuceClientOptionsBuilderCustomizer lettuceOptions() {
		return (builder) -> builder.disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
			.publishOnScheduler(false);
	}

	/**
	 * {@code http.server.requests} with its low-cardinality tags only (method, uri pattern, status,
	 * outcome, exception: the metrics need nothing else). The default also puts the raw path
	 * ({@code http.url}) on every request's observation for the trace; here the uri pattern names
	 * the route in traces as well, and message ids stay out of span attributes.
	 */
	@Bean
	ServerRequestObservationConvention serverRequestObservationConvention() {
		return new DefaultServerRequestObservationConvention() {
			@Override
			public KeyValues getHighCardinalityKeyValues(ServerRequestObservationContext context) {
				return KeyValues.empty();
			}
		};
	}

	/**
	 * Reconnect within about a second of Redis coming back (Lettuce's default backoff grows to
	 * 30 s), so exact cluster-wide limits resume quickly after an outage. Lettuce's own command
	 * latency histograms are off: it fills them on every command (HdrHistogram is on the class
	 * path) and only publishes them as events nobody here reads; the {@code lettuce} observation's
	 * timer measures the same commands for Prometheus.
	 */
	@Bean
	ClientResourcesBuilderCustomizer reconnectQuickly() {
		return (builder) -> builder
			.reconnectDelay(Delay.fullJitter(Duration.ofMillis(50), Duration.ofSeconds(1), 100, TimeUnit.MILLISECONDS))
			.commandLatencyRecorder(CommandLatencyRecorder.disabled());
	}

}
