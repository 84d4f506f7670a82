package com.cloudgreet.relay.webhook.delivery;

import java.util.Map;

import com.cloudgreet.relay.common.Channel;
import com.cloudgreet.relay.common.kafka.RelayKafkaHeaders;
import com.cloudgreet.relay.common.kafka.Topics;
import com.cloudgreet.relay.common.ratelimit.Limit;
import com.cloudgreet.relay.delivery.DeadLetterPublisher;
import com.cloudgreet.relay.delivery.DeliveryChannel;
import com.cloudgreet.relay.delivery.DestinationThrottle;
import com.cloudgreet.relay.delivery.Outcome;
import reactor.core.publisher.Mono;

/**
 * Webhooks as the engine sees them: a signed POST (after the endpoint's rate, if it has one),
 * classified by {@link WebhookSender}; the event's CloudEvent as the dead letter, one record per
 * delivery; the endpoint's health after each outcome.
 */
public class WebhookChannel implements DeliveryChannel<WebhookJob> {

	static final String DEAD_LETTER_TOPIC = Topics.deadLetter(Topics.WEBHOOK);

	/** The limiter's name of an endpoint's rate (its Redis key part). */
	static final String RATE_LIMIT_NAME = "endpoint";

	private final WebhookSender sender;

	private final DestinationThrottle throttle;

	private final DeliveryStore store;

	private final DeadLetterPublisher deadLetters;

	private final EndpointHealth health;

	public WebhookChannel(WebhookSender sender, DestinationThrottle throttle, DeliveryStore store,
			DeadLetterPublisher deadLetters, EndpointHealth health) {
		this.sender = sender;
		this.throttle = throttle;
		this.store = store;
		this.deadLetters = deadLetters;
		this.health = health;
	}

	@Override
	public String name() {
		return Channel.WEBHOOK.id();
	}

	/** Waits for the endpoint's rate, if it has one (never fails); the lease is renewed meanwhile. */
	@Override
	public Mono<Void> permit(WebhookJob job) {
		return (job.rateLimit() == null) ? Mono.empty() : this.throttle.acquire(rate(job));
	}

	@Override
	public Mono<Outcome> send(WebhookJob job) {
		return this.sender.send(job);
	}

	/** A bucket as deep as one second of the rate (at least 1), so a rate of 5 allows 5 at once, then 5 per second. */
	static Limit rate(WebhookJob job) {
		double perSecond = job.rateLimit();
		return new Limit(RATE_LIMIT_NAME, job.endpointId(), perSecond, Math.max(1, (long) Math.ceil(perSecond)));
	}

	@Override
	public Mono<Void> deadLetter(WebhookJob job, String reason) {
		// The original CloudEvent, one record per delivery, with the delivery and endpoint in headers
		// so DLT tooling can tell the deliveries of one event apart.
		return this.store.cloudEvent(job.tenantId(), job.eventId())
			.flatMap((cloudEvent) -> this.deadLetters.publish(DEAD_LETTER_TOPIC, job.eventId(), cloudEvent, reason,
					job.tenantId(), Map.of(RelayKafkaHeaders.CONTENT_TYPE, RelayKafkaHeaders.CLOUDEVENTS_JSON,
							RelayKafkaHeaders.DELIVERY_ID, job.id(), RelayKafkaHeaders.ENDPOINT_ID, job.endpointId())));
	}

	@Override
	public Mono<Void> afterOutcome(WebhookJob job, Outcome outcome) {
		return this.health.afterOutcome(job, outcome);
	}

}
