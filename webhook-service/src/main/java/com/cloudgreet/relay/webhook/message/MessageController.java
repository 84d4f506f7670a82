package com.cloudgreet.relay.webhook.message;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import com.cloudgreet.relay.common.Channel;
import com.cloudgreet.relay.common.status.StatusPage;
import com.cloudgreet.relay.common.web.InternalTenant;
import com.cloudgreet.relay.webhook.api.ApiProblems;
import com.cloudgreet.relay.delivery.DeliveryEngine;
import com.cloudgreet.relay.webhook.delivery.WebhookJob;
import com.cloudgreet.relay.webhook.delivery.DeliveryStore;
import com.cloudgreet.relay.webhook.message.MessageStatus.DeliveryView;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
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

	private final DeliveryEngine<WebhookJob> engine;

	public MessageController(MessageQueries queries, DeliveryStore store, DeliveryEngine<WebhookJob> engine) {
		this.queries = queries;
		this.store = store;
		this.engine = engine;
	}

	public record EventList(List<MessageQueries.EventSummary> data, String next) {
	}

	/**
	 * The tenant's events newest first (the console's message list), optionally only those with a
	 * status or with a delivery to one of {@code endpointId}; {@code next} is the {@code before} of
	 * the next page, null on the last.
	 */
	@GetMapping("/messages")
	public Mono<EventList> list(@InternalTenant String tenantId, @RequestParam(required = false) String status,
			@RequestParam(name = "endpointId", required = false) List<String> endpointIds,
			@RequestParam(required = false) String before, @RequestParam(defaultValue = "50") int limit) {
		int size = Math.max(1, Math.min(limit, MAX_PAGE));
		return this.queries.events(tenantId, status, endpointIds == null ? List.of() : endpointIds, before, size)
			.collectList()
			.map((page) -> new EventList(page, page.size() < size ? null : page.get(page.size() - 1).id()));
	}

	/**
	 * The event's status over all its deliveries, with at most {@link StatusPage#DELIVERIES}
	 * deliveries (ids after {@code deliveriesAfter}) and {@link StatusPage#ATTEMPTS} attempts (made
	 * after the attempt {@code attemptsAfter}).
	 */
	@GetMapping("/messages/{id}")
	public Mono<MessageStatus> status(@InternalTenant String tenantId, @PathVariable String id,
			@RequestParam(name = StatusPage.ATTEMPTS_AFTER, required = false) Long attemptsAfter,
			@RequestParam(name = StatusPage.DELIVERIES_AFTER, required = false) String deliveriesAfter) {
		return this.queries.event(tenantId, id)
			.switchIfEmpty(Mono.error(() -> ApiProblems.notFound("message", id)))
			.flatMap((event) -> Mono
				.zip(this.queries.summary(tenantId, id),
						this.queries.deliveries(tenantId, id, deliveriesAfter, StatusPage.DELIVERIES + 1).collectList(),
						this.queries.attemptsOfEvent(tenantId, id, attemptsAfter, StatusPage.ATTEMPTS + 1).collectList())
				.map((all) -> status(event, all.getT1(), all.getT2(), all.getT3())));
	}

	private static MessageStatus status(MessageQueries.EventRow event, MessageQueries.Summary summary,
			List<MessageQueries.DeliveryRow> rows, List<MessageQueries.EventAttempt> attemptRows) {
		// Each list was read one longer than its page: the extra row says that a next page exists.
		String deliveriesAfter = rows.size() > StatusPage.DELIVERIES ? rows.get(StatusPage.DELIVERIES - 1).id() : null;
		String attemptsAfter = attemptRows.size() > StatusPage.ATTEMPTS
				? Long.toString(attemptRows.get(StatusPage.ATTEMPTS - 1).id()) : null;
		List<AttemptView> attempts = attemptRows.stream()
			.limit(StatusPage.ATTEMPTS)
			.map(MessageQueries.EventAttempt::view)
			.toList();
		Map<String, List<AttemptView>> byDelivery = attempts.stream()
			.collect(Collectors.groupingBy(AttemptView::deliveryId));
		List<DeliveryView> deliveries = rows.stream()
			.limit(StatusPage.DELIVERIES)
			.map((d) -> new DeliveryView(d.id(), d.endpointId(), d.url(),
					MessageStatus.deliveryStatus(d.status(), d.attemptCount()),
					"pending".equals(d.status()) || "scheduled".equals(d.status()) ? d.nextAttemptAt() : null,
					byDelivery.getOrDefault(d.id(), List.of())))
			.toList();
		Instant updatedAt = summary.updatedAt() == null ? event.createdAt() : summary.updatedAt();
		return new MessageStatus(event.id(), Channel.WEBHOOK.id(), MessageStatus.aggregate(summary.statuses()),
				event.eventType(), event.createdAt(), updatedAt, attempts, deliveries,
				StatusPage.of(attemptsAfter, deliveriesAfter));
	}

	public record Requeued(String id, String status, long deliveries) {
	}

	/** Replays the event's failed and dead-lettered deliveries, each with its original webhook-id. */
	@PostMapping("/messages/{id}/retry")
	@ResponseStatus(HttpStatus.ACCEPTED)
	public Mono<Requeued> retry(@InternalTenant String tenantId, @PathVariable String id) {
		return status(tenantId, id, null, null).flatMap((current) -> {
			if (!current.status().equals("failed") && !current.status().equals("dead_lettered")) {
				return Mono.error(ApiProblems.notRetryable(id, current.status()));
			}
			return this.store.replayEvent(tenantId, id)
				.doOnNext((count) -> this.engine.wakeUp())
				.map((count) -> new Requeued(id, "queued", count));
		});
	}

	/** A cancel's answer: the event's status after it and how many deliveries this call canceled. */
	public record Canceled(String id, String status, long deliveries) {
	}

	/**
	 * Cancels every delivery of the event not yet sent: 200 with the event's status after it (also
	 * when it was canceled before); 409 when none is left to cancel because sending started or settled.
	 */
	@DeleteMapping("/messages/{id}")
	public Mono<Canceled> cancel(@InternalTenant String tenantId, @PathVariable String id) {
		return this.store.cancelEvent(tenantId, id)
			.switchIfEmpty(Mono.error(() -> ApiProblems.notFound("message", id)))
			.flatMap((result) -> {
				String status = MessageStatus.aggregate(result.statuses());
				if (result.canceled() == 0 && !"canceled".equals(status)) {
					return Mono.error(ApiProblems.notCancelable(id, status));
				}
				return Mono.just(new Canceled(id, status, result.canceled()));
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
			.doOnNext((count) -> this.engine.wakeUp())
			.map((count) -> new Replayed(id, since, count));
	}

	private Mono<Void> endpoint(String tenantId, String id) {
		return this.queries.endpointExists(tenantId, id)
			.flatMap((exists) -> exists ? Mono.<Void>empty() : Mono.error(ApiProblems.notFound("endpoint", id)));
	}

}
