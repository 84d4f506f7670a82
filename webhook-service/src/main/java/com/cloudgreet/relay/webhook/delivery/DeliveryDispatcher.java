package com.cloudgreet.relay.webhook.delivery;

import com.cloudgreet.relay.delivery.TraceParents;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * Runs delivery attempts concurrently, each on its own reactive chain, so no attempt ever waits
 * for another: a hanging endpoint holds at most {@code perEndpoint} slots, a tenant at most
 * {@code perTenant} (so one tenant's slow endpoints cannot starve the others), and nothing else. Work
 * arrives two ways: freshly ingested deliveries (already claimed, sent at once) and a poll of the
 * store for due retries and for deliveries whose lease lapsed (crashed instance, no free slot).
 */
public class DeliveryDispatcher implements SmartLifecycle {

	private static final Logger log = LoggerFactory.getLogger(DeliveryDispatcher.class);

	private final DeliveryStore store;

	private final WebhookSender sender;

	private final OutcomeHandler outcomes;

	private final Settings settings;

	private final Clock clock;

	/** This instance's lease owner name: unique per process start, so a restart never mistakes old leases for its own. */
	private final String owner;

	private final DeliverySlots slots;

	private final TraceParents traces;

	private final Set<Disposable> attempts = ConcurrentHashMap.newKeySet();

	private final Sinks.Many<Boolean> wakeUps = Sinks.many().multicast().directBestEffort();

	private volatile Disposable polling;


	public record Settings(int perEndpoint, int perTenant, int maxInFlight, int batchSize, Duration pollInterval,
			Duration lease, Duration drainTimeout) {
	}

	public DeliveryDispatcher(DeliveryStore store, WebhookSender sender, OutcomeHandler outcomes, Settings settings,
			Clock clock, String owner, MeterRegistry meters, TraceParents traces) {
		this.traces = traces;
		this.store = store;
		this.sender = sender;
		this.outcomes = outcomes;
		this.settings = settings;
		this.clock = clock;
		this.owner = owner;
		this.slots = new DeliverySlots(settings.perEndpoint(), settings.perTenant(), settings.maxInFlight());
		Gauge.builder("relay.webhook.in_flight", this.slots.inFlightCounter(), AtomicInteger::get).register(meters);
	}

	public String owner() {
		return this.owner;
	}

	/** Starts claimed deliveries that fit in a free slot; gives the rest back to the store. */
	public void submit(List<DeliveryTask> tasks) {
		List<String> giveBack = new ArrayList<>();
		for (DeliveryTask task : tasks) {
			if (!isRunning() || !this.slots.tryAcquire(task.tenantId(), task.endpointId())) {
				giveBack.add(task.deliveryId());
				continue;
			}
			attempt(task);
		}
		if (!giveBack.isEmpty()) {
			this.store.release(giveBack, this.owner)
				.subscribe(null, (ex) -> log.warn("Releasing {} deliveries failed; their leases will lapse", giveBack.size(), ex));
		}
	}

	/**
	 * Slots held for the deliveries an event of {@code tenantId} is about to get, at most one per
	 * endpoint. The caller claims exactly those deliveries, then {@link Reservation#start starts}
	 * them, or {@link Reservation#cancel cancels} if storing failed.
	 */
	public Reservation reserve(String tenantId, List<String> endpointIds) {
		java.util.Set<String> reserved = new java.util.LinkedHashSet<>();
		if (isRunning()) {
			for (String endpointId : endpointIds) {
				if (!reserved.contains(endpointId) && this.slots.tryAcquire(tenantId, endpointId)) {
					reserved.add(endpointId);
				}
			}
		}
		return new Reservation(tenantId, reserved);
	}

	public final class Reservation {

		private final String tenantId;

		private final java.util.Set<String> endpointIds;

		private boolean settled;

		Reservation(String tenantId, java.util.Set<String> endpointIds) {
			this.tenantId = tenantId;
			this.endpointIds = endpointIds;
		}

		public java.util.Set<String> endpointIds() {
			return java.util.Collections.unmodifiableSet(this.endpointIds);
		}

		/** Sends the claimed deliveries in their reserved slots and frees any slot left unused. */
		public synchronized void start(List<DeliveryTask> tasks) {
			if (this.settled) {
				return;
			}
			this.settled = true;
			java.util.Set<String> unused = new java.util.HashSet<>(this.endpointIds);
			for (DeliveryTask task : tasks) {
				if (unused.remove(task.endpointId())) {
					attempt(task);
				}
			}
			unused.forEach((endpointId) -> release(this.tenantId, endpointId));
		}

		public synchronized void cancel() {
			if (!this.settled) {
				this.settled = true;
				this.endpointIds.forEach((endpointId) -> release(this.tenantId, endpointId));
			}
		}

	}

	/** Polls now rather than at the next tick (a replay, a re-enabled endpoint, a freed slot). */
	public void wakeUp() {
		this.wakeUps.tryEmitNext(Boolean.TRUE);
	}

	private void attempt(DeliveryTask task) {
		Instant at = this.clock.instant();
		Disposable[] self = new Disposable[1];
		Mono<Void> chain = this.traces
			.continueIn(task.traceparent(), task.deliveryId(),
					this.sender.send(task).flatMap((outcome) -> this.outcomes.handle(task, this.owner, at, outcome)))
			.doOnError((ex) -> log.error("Recording delivery {} failed; it resumes when its lease lapses",
					task.deliveryId(), ex))
			.onErrorComplete()
			.doFinally((signal) -> {
				release(task.tenantId(), task.endpointId());
				if (self[0] != null) {
					this.attempts.remove(self[0]);
				}
			});
		Disposable running = chain.subscribe();
		if (!running.isDisposed()) {
			self[0] = running;
			this.attempts.add(running);
			if (running.isDisposed()) {
				this.attempts.remove(running);
			}
		}
	}

	private void release(String tenantId, String endpointId) {
		this.slots.release(tenantId, endpointId);
		// A freed slot may have due work waiting behind it (deliveries left to the poller because
		// their endpoint was full): poll now rather than at the next tick. Wake-ups are coalesced.
		wakeUp();
	}

	private Flux<Integer> poll() {
		int free = this.slots.free();
		if (free <= 0) {
			return Flux.empty();
		}
		var capacity = new DeliveryStore.Capacity(this.slots.freeByEndpoint(), this.slots.perEndpoint(),
				this.slots.freeByTenant(), this.slots.perTenant());
		int limit = Math.min(free, this.settings.batchSize());
		return this.store.claimDue(this.owner, capacity, limit, this.settings.lease())
			.collectList()
			.doOnNext(this::submit)
			.map(List::size)
			.flux();
	}

	@Override
	public synchronized void start() {
		if (this.polling != null) {
			return;
		}
		// Wake-ups (one per freed slot) are coalesced: at most one extra poll per 10 ms, each
		// claiming every slot free by then, instead of one claim query per delivery.
		Flux<Boolean> ticks = Flux.merge(Flux.interval(Duration.ZERO, this.settings.pollInterval()).map((t) -> true),
				this.wakeUps.asFlux().sample(Duration.ofMillis(10)));
		// One poll at a time; ticks arriving meanwhile are dropped, the next tick catches up.
		this.polling = ticks.onBackpressureDrop()
			.concatMap((tick) -> poll().onErrorResume((ex) -> {
				log.warn("Polling for due deliveries failed; retrying next tick", ex);
				return Flux.empty();
			}), 1)
			.subscribe();
		log.info("Delivery dispatcher {} started", this.owner);
	}

	/**
	 * Stops at once. Attempts in flight are abandoned to their leases: another instance (or this
	 * one after a restart) resumes them once the lease lapses, with the same webhook-id, exactly as
	 * after a crash. At-least-once.
	 */
	@Override
	public synchronized void stop() {
		if (this.polling == null) {
			return;
		}
		this.polling.dispose();
		this.polling = null;
		this.attempts.forEach(Disposable::dispose);
		this.attempts.clear();
		log.info("Delivery dispatcher {} stopped", this.owner);
	}

	/**
	 * Graceful shutdown: claim nothing more, let attempts in flight finish and record their
	 * outcome (each is bounded by the attempt timeout), then stop; whatever is still running after
	 * {@code drainTimeout} is abandoned to its lease.
	 */
	@Override
	public void stop(Runnable callback) {
		Disposable poller;
		synchronized (this) {
			poller = this.polling;
		}
		if (poller == null) {
			callback.run();
			return;
		}
		poller.dispose();
		log.info("Delivery dispatcher {} draining {} attempts in flight", this.owner, this.slots.inFlight());
		Flux.interval(Duration.ZERO, Duration.ofMillis(50))
			.filter((tick) -> this.slots.inFlight() <= 0)
			.next()
			.timeout(this.settings.drainTimeout())
			.onErrorResume((ex) -> Mono.empty())
			.doFinally((signal) -> {
				stop();
				callback.run();
			})
			.subscribe();
	}

	@Override
	public boolean isRunning() {
		return this.polling != null;
	}

	/** Stop before the HTTP client and database pools go away, start after them. */
	@Override
	public int getPhase() {
		return SmartLifecycle.DEFAULT_PHASE - 1024;
	}

}
