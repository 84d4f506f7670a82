package com.cloudgreet.relay.webhook.delivery;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.cloudgreet.relay.common.event.RelayRequest;
import com.cloudgreet.relay.common.id.IdKind;
import com.cloudgreet.relay.common.id.RelayIds;
import com.cloudgreet.relay.common.json.RelayJson;
import com.cloudgreet.relay.common.message.SendAt;
import com.cloudgreet.relay.common.message.WebhookEvent;
import com.cloudgreet.relay.delivery.DeliveryEngine;
import com.cloudgreet.relay.webhook.endpoint.Endpoint;
import com.cloudgreet.relay.webhook.endpoint.EndpointRepository;
import com.cloudgreet.relay.webhook.endpoint.EndpointRepository.Interest;
import reactor.core.publisher.Mono;

/**
 * Turns one poll's accepted events into one delivery per subscribed, enabled endpoint, durably,
 * then hands the deliveries to the delivery engine: one query for the subscribers of the whole
 * batch, one statement for its events and deliveries. Idempotent per (tenant, event id): a
 * redelivered record adds nothing.
 */
public class FanOut {

	private final DeliveryStore store;

	private final EndpointRepository endpoints;

	private final DeliveryEngine<WebhookJob> engine;

	private final Duration lease;

	private final Clock clock;

	public FanOut(DeliveryStore store, EndpointRepository endpoints, DeliveryEngine<WebhookJob> engine, Duration lease,
			Clock clock) {
		this.store = store;
		this.endpoints = endpoints;
		this.engine = engine;
		this.lease = lease;
		this.clock = clock;
	}

	/**
	 * An accepted event, its CloudEvent as it came (the record's value: stored as is for the DLT,
	 * not encoded again), and the trace of the record it came in ({@code null}: none).
	 */
	public record Accepted(RelayRequest request, byte[] cloudEvent, String traceparent) {
	}

	/**
	 * Completes once the events and their deliveries are committed, which is when the batch's
	 * offsets may commit. Each subscription fans out afresh (subscribers read again), so a retry
	 * after a failed store sees the endpoints as they are then.
	 */
	public Mono<Void> accept(List<Accepted> batch) {
		List<DeliveryStore.NewEvent> events = newEvents(batch);
		if (events.isEmpty()) {
			return Mono.empty();
		}
		List<Interest> interests = events.stream().map(FanOut::interest).distinct().toList();
		return this.endpoints.subscribers(interests)
			.collectMultimap(EndpointRepository.Subscriber::interest, EndpointRepository.Subscriber::endpoint)
			.flatMap((subscribers) -> {
				// Deliveries due now first; those of events scheduled ahead last, never claimed here.
				List<DeliveryStore.NewDelivery> deliveries = new ArrayList<>();
				List<DeliveryStore.NewDelivery> scheduled = new ArrayList<>();
				for (DeliveryStore.NewEvent event : events) {
					for (Endpoint endpoint : subscribers.getOrDefault(interest(event), List.of())) {
						(event.sendAt() != null ? scheduled : deliveries)
							.add(new DeliveryStore.NewDelivery(RelayIds.next(IdKind.DELIVERY), event, endpoint));
					}
				}
				int due = deliveries.size();
				deliveries.addAll(scheduled);
				// Slots are reserved before the insert so deliveries that can go out now are claimed
				// in the same statement; the rest wait for the poller, with no claim to undo.
				var reservation = this.engine.reserve(deliveries.subList(0, due)
					.stream()
					.map((d) -> new DeliveryEngine.Slot(d.event().tenantId(), d.endpoint().id()))
					.toList());
				return this.store
					.ingest(events, deliveries, (i) -> i < due && reservation.granted(i), this.engine.owner(), this.lease)
					.collectList()
					.doOnNext(reservation::start)
					.doOnError((ex) -> reservation.cancel())
					.doOnCancel(reservation::cancel)
					.doOnNext((started) -> {
						if (started.size() < due) {
							// Deliveries without a free slot wait for the poller; it looks now.
							this.engine.wakeUp();
						}
					})
					.then();
			});
	}

	/** The batch's events, the first of each (tenant, event id) only: a repeat in one poll is a redelivery. */
	private List<DeliveryStore.NewEvent> newEvents(List<Accepted> batch) {
		Map<List<String>, DeliveryStore.NewEvent> events = new LinkedHashMap<>();
		for (Accepted accepted : batch) {
			RelayRequest request = accepted.request();
			// A sendAt that passed while the record waited in Kafka means at once.
			Instant now = this.clock.instant();
			Instant sendAt = SendAt.isAhead(request.webhook().sendAt(), now) ? request.webhook().sendAt() : null;
			events.computeIfAbsent(List.of(request.tenantId(), request.id()),
					(key) -> new DeliveryStore.NewEvent(request.tenantId(), request.id(),
							request.webhook().eventType(), body(request), accepted.cloudEvent(), now,
							accepted.traceparent(), sendAt));
		}
		return new ArrayList<>(events.values());
	}

	private static Interest interest(DeliveryStore.NewEvent event) {
		return new Interest(event.tenantId(), event.eventType());
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
