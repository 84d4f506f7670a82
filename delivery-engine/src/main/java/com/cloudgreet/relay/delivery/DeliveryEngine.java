package com.cloudgreet.relay.delivery;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.cloudgreet.relay.common.Channel;
import com.cloudgreet.relay.common.alert.DeadLetterAlerter;
import com.cloudgreet.relay.common.metrics.DeliveryMetrics;
import com.cloudgreet.relay.common.metrics.RelayMetrics;
import com.cloudgreet.relay.delivery.DeliveryQueue.Step;
import io.github.resilience4j.micrometer.tagged.TaggedRetryMetrics;
import io.github.resilience4j.reactor.retry.RetryOperator;
import io.github.resilience4j.retry.RetryRegistry;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.util.context.ContextView;

import org.springframework.context.SmartLifecycle;

/**
 * One channel's delivery engine: claims due deliveries from its {@link DeliveryQueue} in batches,
 * runs each attempt on its own reactive chain, keeps the leases of running attempts alive, and
 * turns each outcome into the delivery's next state: delivered, failed, due again after the next
 * retry stage, or dead-lettered (DLT + alert). A failed or dead-lettered delivery's DLT record is
 * owed from the write that settled it until Kafka has it ({@link DeadLetters}): a crash in between
 * leaves it to a sweep. No attempt waits for another: a hanging destination
 * holds at most {@code perDestination} slots, a tenant at most {@code perTenant}, the engine at
 * most {@code maxInFlight} ({@link DeliverySlots}).
 *
 * <p>What is not the message's fault spends nothing. A database error while recording is retried
 * in place (the provider's answer is written before anything else happens, and the write waits out
 * the outage), so no blip causes a second send. A failed claim is retried on the next tick. An
 * account-level failure pauses the channel ({@link ChannelGate}), alerts once, and gives the
 * message back unspent.
 */
public class DeliveryEngine<J extends Job> implements SmartLifecycle {

	private static final Logger log = LoggerFactory.getLogger(DeliveryEngine.class);

	private final DeliveryQueue<J> queue;

	private final DeliveryChannel<J> channel;

	private final Channel kind;

	private final RetrySchedule schedule;

	private final EngineSettings settings;

	private final ChannelGate gate;

	private final DeadLetterAlerter alerter;

	private final TraceParents traces;

	private final Clock clock;

	private final String owner;

	private final io.github.resilience4j.retry.Retry retry;

	private final DeliverySlots slots;

	private final Map<String, J> running = new ConcurrentHashMap<>();

	private final Set<Disposable> attempts = ConcurrentHashMap.newKeySet();

	private final Sinks.Many<Boolean> wakeUps = Sinks.many().multicast().directBestEffort();

	/**
	 * Whether due work may be waiting for a free slot: a poll filled its whole limit or found no
	 * room, or someone said so ({@link #wakeUp}). Only then does a freed slot wake the poller; a
	 * freed slot with nothing waiting (the common case at a steady rate, where fresh work is
	 * claimed as it is stored) would poll the table for nothing, up to a hundred times a second.
	 */
	private volatile boolean moreDue = true;

	private volatile Disposable polling;

	/**
	 * Set before the poller is subscribed: its first tick comes at once, on another thread, and
	 * must find the engine running, or it would give back everything it claimed.
	 */
	private volatile boolean active;

	private volatile Disposable heartbeat;

	private volatile Disposable sweeping;

	private final DeadLetters<J> deadLetters;

	private final DeliveryMetrics deliveries;

	/** One timer per outcome, registered once: no meter lookup per attempt. */
	private final Timer deliveredTimer;

	private final Timer retryableTimer;

	private final Timer permanentTimer;

	private final Timer accountTimer;

	public DeliveryEngine(Channel kind, DeliveryQueue<J> queue, DeliveryChannel<J> channel, RetrySchedule schedule,
			EngineSettings settings, DeadLetterAlerter alerter, MeterRegistry meters, String metricPrefix,
			TraceParents traces, Clock clock, String owner) {
		this.kind = kind;
		this.queue = queue;
		this.channel = channel;
		this.schedule = schedule;
		this.settings = settings;
		this.alerter = alerter;
		this.traces = traces;
		this.clock = clock;
		this.owner = owner;
		this.gate = new ChannelGate(settings.minPause(), settings.maxPause(), clock);
		this.slots = new DeliverySlots(settings.perDestination(), settings.perTenant(), settings.maxInFlight());
		RetryRegistry retries = RetryRegistry.of(InProcessRetry.config(settings));
		// resilience4j_retry_calls{name="<channel>",kind=successful_with_retry|failed_with_retry|...}
		TaggedRetryMetrics.ofRetryRegistry(retries).bindTo(meters);
		this.retry = retries.retry(kind.id());
		Gauge.builder(metricPrefix + ".in_flight", this.running, Map::size).tag("channel", kind.id()).register(meters);
		Gauge.builder(RelayMetrics.CHANNEL_PAUSED, this.gate, (g) -> g.isPaused() ? 1 : 0)
			.tag("channel", kind.id())
			.register(meters);
		this.deliveries = new DeliveryMetrics(meters, kind);
		this.deadLetters = new DeadLetters<>(kind, queue, channel, settings.deadLetterGrace(), alerter, this.deliveries,
				traces);
		this.deliveredTimer = timer(meters, metricPrefix, "delivered");
		this.retryableTimer = timer(meters, metricPrefix, "retryable_failure");
		this.permanentTimer = timer(meters, metricPrefix, "permanent_failure");
		this.accountTimer = timer(meters, metricPrefix, "account_failure");
	}

	private Timer timer(MeterRegistry meters, String metricPrefix, String outcome) {
		return Timer.builder(metricPrefix + ".attempts")
			.description("Provider calls by channel and outcome")
			.tag("channel", this.kind.id())
			.tag("outcome", outcome)
			.publishPercentileHistogram()
			.register(meters);
	}

	public String owner() {
		return this.owner;
	}

	public ChannelGate gate() {
		return this.gate;
	}

	/** A slot fresh work asks for: whose delivery, to which destination. */
	public record Slot(String tenantId, String destination) {
	}

	/**
	 * Reserves slots for deliveries the caller is about to claim (fresh work, sent at once without
	 * waiting for a poll), as many of {@code wanted} as fit now, in order. The caller claims exactly
	 * the {@link Reservation#granted(int) granted} ones, then {@link Reservation#start starts} them, or
	 * {@link Reservation#cancel cancels} if storing failed.
	 */
	public Reservation reserve(List<Slot> wanted) {
		boolean[] granted = new boolean[wanted.size()];
		List<Slot> held = new ArrayList<>();
		if (isRunning()) {
			int allowance = this.gate.allowance(this.slots.inFlight());
			for (int i = 0; i < granted.length && held.size() < allowance; i++) {
				Slot slot = wanted.get(i);
				if (this.slots.tryAcquire(slot.tenantId(), slot.destination())) {
					granted[i] = true;
					held.add(slot);
				}
			}
		}
		return new Reservation(granted, held);
	}

	/** Slots held for fresh work until it is claimed. */
	public final class Reservation {

		private final boolean[] granted;

		private final List<Slot> held;

		private boolean settled;

		Reservation(boolean[] granted, List<Slot> held) {
			this.granted = granted;
			this.held = held;
		}

		/** Whether the {@code index}th wanted slot was granted. */
		public boolean granted(int index) {
			return this.granted[index];
		}

		public int count() {
			return this.held.size();
		}

		/** Runs claimed {@code jobs} in the reserved slots and frees those left over. */
		public synchronized void start(List<J> jobs) {
			if (this.settled) {
				jobs.forEach(DeliveryEngine.this::runOrRelease);
				return;
			}
			this.settled = true;
			List<Slot> unused = new ArrayList<>(this.held);
			for (J job : jobs) {
				boolean reserved = unused.remove(new Slot(job.tenantId(), job.destination()));
				if (reserved && isRunning()) {
					run(job);
					continue;
				}
				if (reserved) {
					DeliveryEngine.this.slots.release(job.tenantId(), job.destination());
				}
				runOrRelease(job);
			}
			unused.forEach((slot) -> freeSlot(slot.tenantId(), slot.destination()));
		}

		public synchronized void cancel() {
			if (!this.settled) {
				this.settled = true;
				this.held.forEach((slot) -> freeSlot(slot.tenantId(), slot.destination()));
			}
		}

	}

	/** Starts claimed {@code jobs} that fit in a free slot; gives the rest back to the queue. */
	public void start(List<J> jobs) {
		jobs.forEach(this::runOrRelease);
	}

	private void runOrRelease(J job) {
		if (isRunning() && this.slots.tryAcquire(job.tenantId(), job.destination())) {
			run(job);
			return;
		}
		// Due, and given back for want of a slot: the next freed slot polls for it.
		this.moreDue = true;
		this.queue.release(job, null)
			.subscribe(null, (ex) -> log.warn("Releasing {} message {} failed; its lease will lapse", this.kind.id(),
					job.id()));
	}

	private void freeSlot(String tenantId, String destination) {
		this.slots.release(tenantId, destination);
		// A freed slot may have due work waiting behind it (left to the poller because its
		// destination was full): poll now rather than at the next tick. Wake-ups are coalesced.
		if (this.moreDue) {
			this.wakeUps.tryEmitNext(Boolean.TRUE);
		}
	}

	/** Polls now rather than at the next tick (fresh work stored unclaimed, a replay, the channel reopened). */
	public void wakeUp() {
		this.moreDue = true;
		this.wakeUps.tryEmitNext(Boolean.TRUE);
	}

	/** Runs {@code job} in the slot it holds. */
	private void run(J job) {
		this.running.put(job.id(), job);
		Disposable[] self = new Disposable[1];
		Mono<Void> chain = this.traces.continueIn(job.traceparent(), job.id(), process(job))
			.onErrorResume((ex) -> {
				if (ex instanceof Fenced) {
					log.warn("The lease of {} message {} was taken over; its new owner decides what happens to it",
							this.kind.id(), job.id());
				}
				else {
					log.error("Delivering {} message {} failed unexpectedly; it resumes when its lease lapses",
							this.kind.id(), job.id(), ex);
				}
				return Mono.empty();
			})
			.doFinally((signal) -> {
				this.running.remove(job.id());
				if (self[0] != null) {
					this.attempts.remove(self[0]);
				}
				freeSlot(job.tenantId(), job.destination());
			});
		Disposable disposable = chain.subscribe();
		if (!disposable.isDisposed()) {
			self[0] = disposable;
			this.attempts.add(disposable);
			if (disposable.isDisposed()) {
				this.attempts.remove(disposable);
			}
		}
	}

	/** A claim's final outcome as recorded: a retryable one was rescheduled in {@code retryIn} or dead-lettered. */
	private record Concluded(Outcome outcome, Duration retryIn, String deadLetterReason) {
	}

	private Mono<Void> process(J job) {
		AtomicInteger tries = new AtomicInteger();
		Mono<Concluded> calls = this.channel.permit(job).then(Mono.defer(() -> {
			int attempt = tries.incrementAndGet();
			Instant at = this.clock.instant();
			long started = System.nanoTime();
			return this.channel.attempt(job).flatMap((answer) -> {
				long nanos = System.nanoTime() - started;
				Outcome outcome = answer.outcome();
				timer(outcome).record(nanos, TimeUnit.NANOSECONDS);
				AttemptRecord record = new AttemptRecord(at, outcome, TimeUnit.NANOSECONDS.toMillis(nanos),
						answer.provider());
				// The provider's answer is written first, before anything else is decided or published.
				return outcome.match(
						(delivered) -> durably(this.queue.record(job, record, Step.DELIVERED))
							.thenReturn(new Concluded(outcome, null, null)),
						(retryable) -> isLastTry(attempt, retryable) ? recordFailure(job, record, retryable)
								: durably(this.queue.record(job, record, Step.CONTINUE))
									.then(Mono.error(new InProcessRetry.TransientAttempt(retryable))),
						(permanent) -> durably(this.queue.record(job, record, Step.FAILED))
							.thenReturn(new Concluded(outcome, null, null)),
						(account) -> Mono.just(new Concluded(outcome, null, null)));
			});
		}));
		// One try per claim (webhooks): no retry operator to build and count per delivery.
		Mono<Concluded> tried = (this.settings.inProcessAttempts() > 1) ? calls.transformDeferred(RetryOperator.of(this.retry))
				: calls;
		return tried.flatMap((concluded) -> conclude(job, concluded));
	}

	/** Whether resilience4j would not call again after this retryable failure (see {@link InProcessRetry#config}). */
	private boolean isLastTry(int attempt, Outcome.Retryable failure) {
		return attempt >= this.settings.inProcessAttempts() || (failure.retryAfter() != null
				&& failure.retryAfter().compareTo(this.settings.maxRetryAfterInProcess()) > 0);
	}

	/** The claim's tries are spent: the attempt and the next state (a retry stage or dead letter) in one write. */
	private Mono<Concluded> recordFailure(J job, AttemptRecord record, Outcome.Retryable failure) {
		Optional<Duration> delay = this.schedule.nextDelay(job.retriesUsed(), failure.retryAfter());
		if (delay.isPresent()) {
			return durably(this.queue.recordFailure(job, record, delay.get(), null))
				.thenReturn(new Concluded(failure, delay.get(), null));
		}
		String reason = DeadLetterReasons.exhausted(job.retriesUsed() + 1, failure);
		return durably(this.queue.recordFailure(job, record, null, reason)).thenReturn(new Concluded(failure, null, reason));
	}

	/**
	 * The delivery's log lines are written in its trace's scope ({@link TraceParents#inScope}): the
	 * services propagate context only where they ask for it, which costs nothing on every other
	 * operator of every delivery. A delivered attempt logs at DEBUG: the outcome counter counts
	 * deliveries, and one INFO line per delivery was a measurable share of the engine's CPU.
	 */
	private Mono<Void> conclude(J job, Concluded concluded) {
		return Mono.deferContextual((context) -> conclude(job, concluded, context));
	}

	private Mono<Void> conclude(J job, Concluded concluded, ContextView context) {
		Outcome outcome = concluded.outcome();
		return outcome.match((delivered) -> {
			reopen();
			this.deliveries.delivered(Duration.between(job.acceptedAt(), this.clock.instant()));
			if (log.isDebugEnabled()) {
				TraceParents.inScope(context, () -> log.debug("Delivered {} message {} ({})", this.kind.id(), job.id(),
						delivered.providerCode()));
			}
			return afterOutcome(job, outcome);
		}, (retryable) -> {
			reopen();
			if (concluded.retryIn() != null) {
				this.deliveries.count(RelayMetrics.Outcome.RETRY_SCHEDULED);
				TraceParents.inScope(context, () -> log.info("{} message {} failed transiently ({}); next try in {} ms",
						this.kind.id(), job.id(), retryable.describe(), concluded.retryIn().toMillis()));
				return afterOutcome(job, outcome);
			}
			// The write that dead-lettered it recorded its DLT record as owed: published now, or by a sweep.
			return afterOutcome(job, outcome)
				.then(this.deadLetters.publish(job, concluded.deadLetterReason(), true, context))
				.then();
		}, (permanent) -> {
			reopen();
			this.deliveries.count(RelayMetrics.Outcome.FAILED);
			return afterOutcome(job, outcome)
				.then(this.deadLetters.publish(job, DeadLetterReasons.permanent(permanent), false, context))
				.then();
		}, (account) -> {
			boolean newlyPaused = this.gate.pause();
			if (newlyPaused) {
				String reason = "channel paused: the provider refused the account (" + account.describe()
						+ "); messages wait, unspent, until it accepts again";
				TraceParents.inScope(context, () -> log.error("{} {}", this.kind.id(), DeadLetterPublisher.reason(reason)));
				this.alerter.deadLettered(this.kind, null, null, reason);
			}
			return durably(this.queue.release(job, "paused: " + account.describe()));
		});
	}

	/** The channel's side effects on the destination; the delivery's state is settled whatever they do. */
	private Mono<Void> afterOutcome(J job, Outcome outcome) {
		return this.channel.afterOutcome(job, outcome).onErrorResume((ex) -> {
			log.warn("After the outcome of {} message {}: {}", this.kind.id(), job.id(), ex.toString());
			return Mono.empty();
		});
	}

	private void reopen() {
		if (this.gate.reopen()) {
			log.warn("{} channel resumed: the provider accepts the account again", this.kind.id());
			wakeUp();
		}
	}

	/** Retries a fenced write in place until it lands; a refused one (lease taken over) ends in {@link Fenced}. */
	private static Mono<Void> durably(Mono<Boolean> write) {
		return Writes.untilWritten(write).flatMap((held) -> held ? Mono.<Void>empty() : Mono.<Void>error(new Fenced()));
	}

	private Timer timer(Outcome outcome) {
		return outcome.match((d) -> this.deliveredTimer, (r) -> this.retryableTimer, (p) -> this.permanentTimer,
				(a) -> this.accountTimer);
	}

	private Mono<Integer> poll() {
		int limit = Math.min(Math.min(this.settings.batchSize(), this.slots.free()),
				this.gate.allowance(this.slots.inFlight()));
		if (limit <= 0) {
			this.moreDue = true;
			return Mono.just(0);
		}
		// A failed claim claims nothing: a database that is away is asked again at the next tick,
		// not in a tight loop.
		Capacity capacity = this.slots.capacity();
		boolean capped = isCapped(capacity.destinationFree(), limit) || isCapped(capacity.tenantFree(), limit);
		return this.queue.claimDue(this.owner, List.copyOf(this.running.keySet()), capacity, limit,
				this.settings.lease())
			.collectList()
			.doOnNext((jobs) -> {
				// Set before the jobs start, so a slot they free sees it. Only an empty claim with
				// no destination or tenant held back says nothing is due: a claim that found work
				// may have stopped at a cap, and the capacity shows caps only for destinations with
				// attempts in flight (an idle one may take perDestination, however large the limit).
				// A wake-up meanwhile (fresh work stored) is followed by another poll anyway.
				this.moreDue = capped || !jobs.isEmpty();
				start(jobs);
			})
			.map(List::size);
	}

	/** Whether some destination or tenant had fewer slots free than the claim's limit: the claim may leave due work behind. */
	private static boolean isCapped(Map<String, Integer> free, int limit) {
		for (int slots : free.values()) {
			if (slots < limit) {
				return true;
			}
		}
		return false;
	}

	private Mono<Void> renewLeases() {
		if (this.running.isEmpty()) {
			return Mono.empty();
		}
		List<Lease> leases = this.running.values().stream().map(Job::lease).toList();
		return this.queue.renew(leases, this.settings.lease());
	}

	@Override
	public synchronized void start() {
		if (this.polling != null) {
			return;
		}
		this.active = true;
		// Wake-ups (fresh work, freed slots) are coalesced: at most one extra poll per 10 ms, and
		// one that comes while a poll runs is kept for right after it (latest, not dropped: the
		// slots it speaks of may be the last to free). The wake-ups are subscribed first: merge
		// subscribes in order, and the first tick's poll may finish its jobs (freeing their slots,
		// emitting wake-ups) before a later source is subscribed, and a sink with no subscriber
		// yet drops them: the rest of the backlog then waited for the next tick.
		Flux<Boolean> ticks = Flux.merge(this.wakeUps.asFlux().sample(Duration.ofMillis(10)),
				Flux.interval(Duration.ZERO, this.settings.pollInterval()).map((t) -> true));
		this.polling = ticks.onBackpressureLatest()
			.concatMap((tick) -> poll().onErrorResume((ex) -> {
				// The database is away: claim nothing, spend nothing, try again next tick.
				log.warn("Claiming due {} messages failed; retrying next tick: {}", this.kind.id(), ex.toString());
				return Mono.just(0);
			}), 1)
			.subscribe();
		Duration renewEvery = this.settings.lease().dividedBy(3);
		this.heartbeat = Flux.interval(renewEvery, renewEvery)
			.onBackpressureDrop()
			.concatMap((tick) -> renewLeases().onErrorResume((ex) -> {
				log.warn("Renewing {} {} lease(s) failed: {}", this.running.size(), this.kind.id(), ex.toString());
				return Mono.empty();
			}), 1)
			.subscribe();
		this.sweeping = this.deadLetters.sweepEvery();
		log.info("{} delivery engine {} started", this.kind.id(), this.owner);
	}

	/**
	 * Stops at once and abandons attempts in flight to their leases, exactly like a crash (kill -9):
	 * their leases lapse and whoever polls next resumes them. At-least-once.
	 */
	@Override
	public synchronized void stop() {
		if (this.polling == null) {
			return;
		}
		this.active = false;
		this.polling.dispose();
		this.heartbeat.dispose();
		this.sweeping.dispose();
		this.polling = null;
		this.heartbeat = null;
		this.sweeping = null;
		this.attempts.forEach(Disposable::dispose);
		this.attempts.clear();
		log.info("{} delivery engine {} stopped", this.kind.id(), this.owner);
	}

	/**
	 * Graceful shutdown: claim nothing more, let attempts in flight finish and record their outcome,
	 * then stop; whatever still runs after {@code drainTimeout} is abandoned to its lease.
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
		if (!this.running.isEmpty()) {
			log.info("{} delivery engine {} draining {} attempt(s) in flight", this.kind.id(), this.owner,
					this.running.size());
		}
		Flux.interval(Duration.ZERO, Duration.ofMillis(50))
			.filter((tick) -> this.running.isEmpty())
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
		return this.active;
	}

	/** Stops after the Kafka listeners (which hand it work) and before the database pool closes. */
	@Override
	public int getPhase() {
		return SmartLifecycle.DEFAULT_PHASE - 1024;
	}

	/** The number of attempts running now. */
	public int inFlight() {
		return this.running.size();
	}

	/** A fenced write matched no row: the lease is no longer ours. */
	static final class Fenced extends RuntimeException {

		Fenced() {
			super("lease taken over", null, false, false);
		}

	}

}
