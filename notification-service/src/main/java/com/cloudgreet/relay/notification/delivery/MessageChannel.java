package com.cloudgreet.relay.notification.delivery;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import com.cloudgreet.relay.common.Channel;
import com.cloudgreet.relay.common.event.CloudEventCodec;
import com.cloudgreet.relay.common.event.RelayRequest;
import com.cloudgreet.relay.common.kafka.RecordKeys;
import com.cloudgreet.relay.common.kafka.RelayKafkaHeaders;
import com.cloudgreet.relay.common.kafka.Topics;
import com.cloudgreet.relay.common.message.Violation;
import com.cloudgreet.relay.delivery.DeadLetterPublisher;
import com.cloudgreet.relay.delivery.DeliveryChannel;
import com.cloudgreet.relay.delivery.Outcome;
import com.cloudgreet.relay.delivery.ProviderOutcome;
import com.cloudgreet.relay.delivery.failover.Failover;
import com.cloudgreet.relay.notification.sender.SenderCheck;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

/**
 * Email or SMS as the engine sees it: decode the stored CloudEvent, check its senders against the
 * tenant's allowlist, send it through the channel's providers in failover order ({@link Failover};
 * each SMS account waits for its own shared outbound rate first), and dead-letter the CloudEvent
 * as it was accepted, keyed as the gateway keys it. The attempt names the provider that answered.
 */
public class MessageChannel implements DeliveryChannel<MessageJob> {

	private static final Logger log = LoggerFactory.getLogger(MessageChannel.class);

	private static final Duration FIRST_BACKOFF = Duration.ofMillis(50);

	/**
	 * A database error while checking senders is our outage, not the message's attempt: it is waited
	 * out in place (the lease is renewed meanwhile, and the attempts waiting fill the engine's slots,
	 * so it claims nothing more), as the engine waits out its own writes.
	 */
	private static final Retry UNTIL_CHECKED = Retry.backoff(Long.MAX_VALUE, FIRST_BACKOFF)
		.maxBackoff(Duration.ofSeconds(1))
		.doBeforeRetry((signal) -> {
			if (signal.totalRetries() % 20 == 0) {
				log.warn("Checking a message's senders failed (try {}); retrying in place: {}",
						signal.totalRetries() + 1, signal.failure().toString());
			}
		});

	private final Channel channel;

	private final Function<RelayRequest, Mono<ProviderOutcome>> sender;

	private final Mono<Void> permit;

	private final DeadLetterPublisher deadLetters;

	private final DecodedRequests decoded;

	private final SenderCheck senders;

	public MessageChannel(Channel channel, Function<RelayRequest, Mono<Outcome>> sender, Mono<Void> permit,
			DeadLetterPublisher deadLetters, SenderCheck senders) {
		this(channel, sender, permit, deadLetters, new DecodedRequests(), senders);
	}

	public MessageChannel(Channel channel, Function<RelayRequest, Mono<Outcome>> sender, Mono<Void> permit,
			DeadLetterPublisher deadLetters, DecodedRequests decoded, SenderCheck senders) {
		this(channel, deadLetters, decoded, senders, permit,
				(request) -> sender.apply(request).map(ProviderOutcome::unnamed));
	}

	/**
	 * Sends through the channel's providers in failover order; each provider waits for its own
	 * rate, so the channel itself has no {@code permit}.
	 */
	public static MessageChannel through(Channel channel, Failover<RelayRequest> providers,
			DeadLetterPublisher deadLetters, DecodedRequests decoded, SenderCheck senders) {
		return new MessageChannel(channel, deadLetters, decoded, senders, Mono.empty(),
				(request) -> providers.send(request.id(), request));
	}

	private MessageChannel(Channel channel, DeadLetterPublisher deadLetters, DecodedRequests decoded,
			SenderCheck senders, Mono<Void> permit, Function<RelayRequest, Mono<ProviderOutcome>> sender) {
		this.channel = channel;
		this.sender = sender;
		this.permit = permit;
		this.deadLetters = deadLetters;
		this.decoded = decoded;
		this.senders = senders;
	}

	@Override
	public String name() {
		return this.channel.id();
	}

	@Override
	public Mono<Void> permit(MessageJob job) {
		return this.permit;
	}

	/**
	 * The tenant may have narrowed its allowlist since intake (by at most {@code relay.senders.cache-ttl}
	 * ago): a sender it refuses now is a permanent failure of its own, never sent and never retried.
	 */
	@Override
	public Mono<Outcome> send(MessageJob job) {
		return attempt(job).map(ProviderOutcome::outcome);
	}

	@Override
	public Mono<ProviderOutcome> attempt(MessageJob job) {
		return Mono.defer(() -> {
			RelayRequest request = decode(job);
			Mono<List<Violation>> check = this.senders.violations(request);
			// The retry machinery is built only once a check failed; almost every check is a cache hit.
			return check.onErrorResume((ex) -> Mono.delay(FIRST_BACKOFF).then(check.retryWhen(UNTIL_CHECKED)))
				.flatMap((refused) -> refused.isEmpty() ? this.sender.apply(request)
						: Mono.just(ProviderOutcome.unnamed(new Outcome.Permanent(null, SenderCheck.describe(refused)))));
		});
	}

	@Override
	public Mono<Void> deadLetter(MessageJob job, String reason) {
		return Mono.defer(() -> {
			RelayRequest request = decode(job);
			String key = this.channel == Channel.SMS ? RecordKeys.forSms(request.tenantId(), request.sms().to())
					: RecordKeys.forEvent(request.event());
			return this.deadLetters.publish(Topics.deadLetter(this.channel.topic()), key,
					job.event().getBytes(StandardCharsets.UTF_8), reason, job.tenantId(),
					Map.of(RelayKafkaHeaders.CONTENT_TYPE, RelayKafkaHeaders.CLOUDEVENTS_JSON));
		});
	}

	/** The claim concluded: what intake decoded for it is not needed again. */
	@Override
	public Mono<Void> afterOutcome(MessageJob job, Outcome outcome) {
		this.decoded.forget(job.id());
		return Mono.empty();
	}

	/**
	 * Claimed at intake, it is still decoded; claimed from the table, intake most likely decoded it
	 * moments ago ({@link DecodedRequests}). Only otherwise is the stored event decoded again: it
	 * was stored only after it decoded, so it decodes again.
	 */
	private RelayRequest decode(MessageJob job) {
		if (job.decoded() != null) {
			return job.decoded();
		}
		RelayRequest request = this.decoded.get(job.id(), job.event());
		return (request != null) ? request
				: CloudEventCodec.decode(job.event().getBytes(StandardCharsets.UTF_8), this.channel);
	}

}
