package com.cloudgreet.relay.webhook.delivery;

import com.cloudgreet.relay.delivery.TraceParents;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import com.cloudgreet.relay.common.event.CloudEventCodec;
import com.cloudgreet.relay.common.event.RelayRequest;
import com.cloudgreet.relay.common.id.IdKind;
import com.cloudgreet.relay.common.id.RelayIds;
import com.cloudgreet.relay.common.json.RelayJson;
import com.cloudgreet.relay.common.message.WebhookEvent;
import com.cloudgreet.relay.webhook.endpoint.Endpoint;
import com.cloudgreet.relay.webhook.endpoint.EndpointRepository;
import reactor.core.publisher.Mono;

/**
 * Turns one accepted event into one delivery per subscribed, enabled endpoint, durably, then
 * hands the deliveries to the dispatcher. Idempotent per (tenant, event id): a redelivered
 * record adds nothing.
 */
public class FanOut {

	private final DeliveryStore store;

	private final EndpointRepository endpoints;

	private final DeliveryDispatcher dispatcher;

	private final Duration lease;

	private final Clock clock;

	private final TraceParents traces;

	public FanOut(DeliveryStore store, EndpointRepository endpoints, DeliveryDispatcher dispatcher, Duration lease,
			Clock clock, TraceParents traces) {
		this.traces = traces;
		this.store = store;
		this.endpoints = endpoints;
		this.dispatcher = dispatcher;
		this.lease = lease;
		this.clock = clock;
	}

	/** Completes once the deliveries are committed, which is when the record's offset may commit. */
	public Mono<Integer> accept(RelayRequest request) {
		WebhookEvent event = request.webhook();
		var stored = new DeliveryStore.NewEvent(request.tenantId(), request.id(), event.eventType(), body(request),
				CloudEventCodec.encode(request.event()), this.clock.instant(), this.traces.current());
		return this.endpoints.subscribers(request.tenantId(), event.eventType())
			.collectList()
			.flatMap((subscribers) -> {
				// Slots are reserved before the insert so deliveries that can go out now are claimed
				// in the same statement; the rest wait for the poller, with no claim to undo.
				var reservation = this.dispatcher.reserve(request.tenantId(), subscribers.stream().map(Endpoint::id).toList());
				return this.store
					.ingest(stored, subscribers, reservation.endpointIds(), () -> RelayIds.next(IdKind.DELIVERY),
							this.dispatcher.owner(), this.lease)
					.collectList()
					.doOnNext(reservation::start)
					.doOnError((ex) -> reservation.cancel())
					.doOnCancel(reservation::cancel)
					.map((started) -> subscribers.size());
			});
	}

	/**
	 * The body receivers get, in the Standard Webhooks payload shape ({@code type}, {@code timestamp},
	 * {@code data}), rendered once so retries send (and sign) identical bytes.
	 */
	static byte[] body(RelayRequest request) {
		WebhookEvent event = request.webhook();
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("type", event.eventType());
		body.put("timestamp", request.event().time() == null ? null : request.event().time().toString());
		body.put("eventId", event.eventId() == null ? request.id() : event.eventId());
		body.put("data", event.payload());
		return RelayJson.write(body);
	}

}
