package com.cloudgreet.relay.webhook.message;

import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import com.cloudgreet.relay.common.Channel;
import com.cloudgreet.relay.common.web.InternalTenant;
import com.cloudgreet.relay.webhook.api.ApiProblems;
import com.cloudgreet.relay.webhook.delivery.DeliveryDispatcher;
import com.cloudgreet.relay.webhook.delivery.DeliveryStore;
import com.cloudgreet.relay.webhook.message.MessageStatus.DeliveryView;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

/**
 * Status, attempt log and replay: {@code /internal/v1/messages/{evt_id}} (the gateway routes
 * {@code evt_} ids here) and {@code /internal/v1/endpoints/{id}/attempts|replay}.
 */
@RestController
@RequestMapping("/internal/v1")
public class MessageController {

	private static final int MAX_PAGE = 250;

	private final MessageQueries queries;

	private final DeliveryStore store;

	private final DeliveryDispatcher dispatcher;

	public MessageController(MessageQueries queries, DeliveryStore store, DeliveryDispatcher dispatcher) {
		this.queries = queries;
		this.store = store;
		this.dispatcher = dispatcher;
	}

	@GetMapping("/messages/{id}")
	public Mono<MessageStatus> status(@InternalTenant String tenantId,
			@PathVariable String id) {
		return this.queries.event(tenantId, id)
			.switchIfEmpty(Mono.error(() -> ApiProblems.notFound("message", id)))
			.flatMap((event) -> Mono
				.zip(this.queries.deliveries(tenantId, id).collectList(),
						this.queries.attemptsOfEvent(tenantId, id).collectList())
				.map((both) -> status(event, both.getT1(), both.getT2())));
	}

	private static MessageStatus status(MessageQueries.EventRow event, List<MessageQueries.DeliveryRow> rows,
			List<AttemptView> attempts) {
		Map<String, List<AttemptView>> byDelivery = attempts.stream()
			.collect(Collectors.groupingBy(AttemptView::deliveryId));
		List<DeliveryView> deliveries = rows.stream()
			.map((d) -> new DeliveryView(d.id(), d.endpointId(), d.url(),
					MessageStatus.deliveryStatus(d.status(), d.attemptCount()),
					"pending".equals(d.status()) ? d.nextAttemptAt() : null,
					byDelivery.getOrDefault(d.id(), List.of())))
			.toList();
		Instant updatedAt = rows.stream()
			.map(MessageQueries.DeliveryRow::updatedAt)
			.max(Comparator.naturalOrder())
			.orElse(event.createdAt());
		return new MessageStatus(event.id(), Channel.WEBHOOK.id(), MessageStatus.aggregate(deliveries),
				event.eventType(), event.createdAt(), updatedAt, attempts.stream().sorted(MessageStatus.byTime()).toList(),
				deliveries);
	}

	public record Requeued(String id, String status, long deliveries) {
	}

	/** Replays the event's failed and dead-lettered deliveries, each with its original webhook-id. */
	@PostMapping("/messages/{id}/retry")
	@ResponseStatus(HttpStatus.ACCEPTED)
	public Mono<Requeued> retry(@InternalTenant String tenantId, @PathVariable String id) {
		return status(tenantId, id).flatMap((current) -> {
			if (!current.status().equals("failed") && !current.status().equals("dead_lettered")) {
				return Mono.error(ApiProblems.notRetryable(id, current.status()));
			}
			return this.store.replayEvent(tenantId, id)
				.doOnNext((count) -> this.dispatcher.wakeUp())
				.map((count) -> new Requeued(id, "queued", count));
		});
	}

	@GetMapping("/endpoints/{id}/attempts")
	public Mono<Map<String, Object>> attempts(@InternalTenant String tenantId,
			@PathVariable String id, @RequestParam(required = false) Instant before,
			@RequestParam(defaultValue = "50") int limit) {
		int size = Math.max(1, Math.min(limit, MAX_PAGE));
		return endpoint(tenantId, id).then(this.queries.attemptsOfEndpoint(tenantId, id, before, size).collectList())
			.map((page) -> Map.of("data", page));
	}

	public record Replayed(String endpointId, Instant since, long deliveries) {
	}

	/** Replays the endpoint's failed and dead-lettered deliveries created since {@code since} (e.g. after an outage). */
	@PostMapping("/endpoints/{id}/replay")
	@ResponseStatus(HttpStatus.ACCEPTED)
	public Mono<Replayed> replay(@InternalTenant String tenantId, @PathVariable String id,
			@RequestParam Instant since) {
		return endpoint(tenantId, id).then(this.store.replayEndpoint(tenantId, id, since))
			.doOnNext((count) -> this.dispatcher.wakeUp())
			.map((count) -> new Replayed(id, since, count));
	}

	private Mono<Void> endpoint(String tenantId, String id) {
		return this.queries.endpointExists(tenantId, id)
			.flatMap((exists) -> exists ? Mono.<Void>empty() : Mono.error(ApiProblems.notFound("endpoint", id)));
	}

}
