package com.cloudgreet.relay.notification.delivery;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.Function;

import com.cloudgreet.relay.common.Channel;
import com.cloudgreet.relay.common.event.CloudEventCodec;
import com.cloudgreet.relay.common.event.RelayRequest;
import com.cloudgreet.relay.common.kafka.RecordKeys;
import com.cloudgreet.relay.common.kafka.RelayKafkaHeaders;
import com.cloudgreet.relay.common.kafka.Topics;
import com.cloudgreet.relay.delivery.DeadLetterPublisher;
import com.cloudgreet.relay.delivery.DeliveryChannel;
import com.cloudgreet.relay.delivery.Outcome;
import reactor.core.publisher.Mono;

/**
 * Email or SMS as the engine sees it: decode the stored CloudEvent, send it through the provider
 * (after {@code permit}, the shared outbound rate, for SMS), and dead-letter the CloudEvent as it
 * was accepted, keyed as the gateway keys it.
 */
public class MessageChannel implements DeliveryChannel<MessageJob> {

	private final Channel channel;

	private final Function<RelayRequest, Mono<Outcome>> sender;

	private final Mono<Void> permit;

	private final DeadLetterPublisher deadLetters;

	private final DecodedRequests decoded;

	public MessageChannel(Channel channel, Function<RelayRequest, Mono<Outcome>> sender, Mono<Void> permit,
			DeadLetterPublisher deadLetters) {
		this(channel, sender, permit, deadLetters, new DecodedRequests());
	}

	public MessageChannel(Channel channel, Function<RelayRequest, Mono<Outcome>> sender, Mono<Void> permit,
			DeadLetterPublisher deadLetters, DecodedRequests decoded) {
		this.channel = channel;
		this.sender = sender;
		this.permit = permit;
		this.deadLetters = deadLetters;
		this.decoded = decoded;
	}

	@Override
	public String name() {
		return this.channel.id();
	}

	@Override
	public Mono<Void> permit(MessageJob job) {
		return this.permit;
	}

	@Override
	public Mono<Outcome> send(MessageJob job) {
		return Mono.defer(() -> this.sender.apply(decode(job)));
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
