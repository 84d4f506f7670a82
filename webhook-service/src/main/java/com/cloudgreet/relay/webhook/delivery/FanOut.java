package com.cloudgreet.relay.webhook.delivery;

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
import com.cloudgreet.relay.delivery.DeliveryEngine;
import com.cloudgreet.relay.delivery.TraceParents;
import com.cloudgreet.relay.webhook.endpoint.EndpointRepository;
import reactor.core.publisher.Mono;

/**
 * Turns one accepted event into one delivery per subscribed, enabled endpoint, durably, then
 * hands the deliveries to the delivery engine. Idempotent per (tenant, event id): a redelivered
 * record adds nothing.
 */
public class FanOut {

	private final DeliveryStore store;

	private final EndpointRepository endpoints;

	private final DeliveryEngine<WebhookJob> engine;

	private final Duration lease;

	private final Clock clock;

	private final TraceParents traces;

	public FanOut(DeliveryStore store, EndpointRepository endpoints, DeliveryEngine<WebhookJob> engine, Duration lease,
			Clock clock, TraceParents traces) {
		this.traces = traces;
		this.store = store;
		this.endpoints = endpoints;
		this.engine = engine;
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
				var reservation = this.engine.reserve(subscribers.stream()
					.map((endpoint) -> new DeliveryEngine.Slot(request.tenantId(), endpoint.id()))
					.toList());
				return this.store
					.ingest(stored, subscribers, reservation::granted, () -> RelayIds.next(IdKind.DELIVERY),
							this.engine.owner(), this.lease)
					.collectList()
					.doOnNext(reservation::start)
					.doOnError((ex) -> reservation.cancel())
					.doOnCancel(reservation::cancel)
					.doOnNext((started) -> {
						if (started.size() < subscribers.size()) {
							// Deliveries without a free slot wait for the poller; it looks now.
							this.engine.wakeUp();
						}
					})
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
