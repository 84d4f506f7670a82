package com.cloudgreet.relay.webhook.delivery;

import java.time.Clock;
import java.time.Instant;

import com.cloudgreet.relay.common.Channel;
import com.cloudgreet.relay.common.alert.DeadLetterAlerter;
import com.cloudgreet.relay.common.metrics.RelayMetrics;
import com.cloudgreet.relay.common.privacy.Redaction;
import com.cloudgreet.relay.delivery.Outcome;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * What an attempt's outcome does to its endpoint: a failure lengthens the failure streak and may
 * disable the endpoint ({@link AutoDisableRule}); a 410 Gone disables it at once; an endpoint
 * switched off alerts like a dead letter. A success ends the streak in the statement that records
 * it (see {@link DeliveryStore#queue()}), so it costs no extra round trip here.
 */
public class EndpointHealth {

	private static final Logger log = LoggerFactory.getLogger(EndpointHealth.class);

	private final DeliveryStore store;

	private final AutoDisableRule rule;

	private final DeadLetterAlerter alerter;

	private final Counter endpointsDisabled;

	private final Clock clock;

	public EndpointHealth(DeliveryStore store, AutoDisableRule rule, DeadLetterAlerter alerter, MeterRegistry meters,
			Clock clock) {
		this.store = store;
		this.rule = rule;
		this.alerter = alerter;
		// Registered up front, so the dashboard shows 0 rather than no data before the first one.
		this.endpointsDisabled = meters.counter(RelayMetrics.ENDPOINTS_DISABLED);
		this.clock = clock;
	}

	public Mono<Void> afterOutcome(WebhookJob job, Outcome outcome) {
		return outcome.match((delivered) -> Mono.<Void>empty(), (retryable) -> failureStreak(job),
				(permanent) -> WebhookSender.isGone(permanent) ? disable(job, "receiver answered 410 Gone")
						: failureStreak(job),
				(account) -> Mono.<Void>empty());
	}

	private Mono<Void> failureStreak(WebhookJob job) {
		Instant now = this.clock.instant();
		return this.store.endpointFailed(job.endpointId(), now)
			.filter((streak) -> streak.enabled() && this.rule.shouldDisable(streak.failures(), streak.failingSince(), now))
			.flatMap((streak) -> disable(job, this.rule.reason(streak.failures(), streak.failingSince())));
	}

	private Mono<Void> disable(WebhookJob job, String reason) {
		return this.store.disableEndpoint(job.endpointId(), reason).filter(Boolean::booleanValue).doOnNext((switched) -> {
			log.warn("Endpoint {} of tenant {} disabled: {}", job.endpointId(), job.tenantId(), reason);
			this.endpointsDisabled.increment();
			// As actionable as a dead letter, so it alerts the same way.
			this.alerter.deadLettered(Channel.WEBHOOK, job.endpointId(), job.tenantId(),
					"endpoint disabled: " + Redaction.redact(reason));
		}).then();
	}

}
