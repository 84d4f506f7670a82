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
import reactor.util.retry.Retry;

import org.springframework.context.SmartLifecycle;

/**
 * One channel's delivery engine: claims due deliveries from its {@link DeliveryQueue} in batches,
 * runs each attempt on its own reactive chain (at most {@code maxInFlight} at once), keeps the
 * leases of running attempts alive, and turns each outcome into the delivery's next state:
 * delivered, failed, due again after the next retry stage, or dead-lettered (DLT + alert).
 *
 * <p>What is not the message's fault spends nothing. A database error while recording is retried
 * in place (the provider's answer is written before anything else happens, and the write waits out
 * the outage), so no blip causes a second send. A failed claim is retried on the next tick. An
 * account-level failure pauses the channel ({@link ChannelGate}), alerts once, and gives the
 * message back unspent.
 */
public class DeliveryEngine<J extends Job> implements SmartLifecycle {

	private static final Logger log = LoggerFactory.getLogger(DeliveryEngine.class);

	/** Recording waits out database outages; the wait between tries stays short so a blip costs little. */
	private static final reactor.util.retry.RetryBackoffSpec UNTIL_RECORDED = Retry.backoff(Long.MAX_VALUE, Duration.ofMillis(50))
		.maxBackoff(Duration.ofSeconds(1))
		.filter((ex) -> !(ex instanceof Fenced));

	/** A dead letter must reach Kafka; the delivery's state is already settled in PostgreSQL. */
	private static final reactor.util.retry.RetryBackoffSpec UNTIL_PUBLISHED = Retry.backoff(Long.MAX_VALUE, Duration.ofMillis(200))
		.maxBackoff(Duration.ofSeconds(10));

	private final DeliveryQueue<J> queue;

	private final DeliveryChannel<J> channel;

	private final Channel kind;

	private final RetrySchedule schedule;

	private final EngineSettings settings;

	private final ChannelGate gate;

	private final DeadLetterAlerter alerter;

	private final MeterRegistry meters;

	private final String metricPrefix;

	private final TraceParents traces;

	private final Clock clock;

	private final String owner;

	private final io.github.resilience4j.retry.Retry retry;

	/** Slots taken: attempts running plus slots reserved for a claim in progress. */
	private final AtomicInteger slots = new AtomicInteger();

	private final Map<String, J> running = new ConcurrentHashMap<>();

	private final Set<Disposable> attempts = ConcurrentHashMap.newKeySet();

	private final Sinks.Many<Boolean> wakeUps = Sinks.many().multicast().directBestEffort();

	private volatile Disposable polling;

	private volatile Disposable heartbeat;

	private final DeliveryMetrics deliveries;

	public DeliveryEngine(Channel kind, DeliveryQueue<J> queue, DeliveryChannel<J> channel, RetrySchedule schedule,
			EngineSettings settings, DeadLetterAlerter alerter, MeterRegistry meters, String metricPrefix,
			TraceParents traces, Clock clock, String owner) {
		this.kind = kind;
		this.queue = queue;
		this.channel = channel;
		this.schedule = schedule;
		this.settings = settings;
		this.alerter = alerter;
		this.meters = meters;
		this.metricPrefix = metricPrefix;
		this.traces = traces;
		this.clock = clock;
		this.owner = owner;
		this.gate = new ChannelGate(settings.minPause(), settings.maxPause(), clock);
		RetryRegistry retries = RetryRegistry.of(InProcessRetry.config(settings));
		// resilience4j_retry_calls{name="<channel>",kind=successful_with_retry|failed_with_retry|...}
		TaggedRetryMetrics.ofRetryRegistry(retries).bindTo(meters);
		this.retry = retries.retry(kind.id());
		Gauge.builder(metricPrefix + ".in_flight", this.running, Map::size).tag("channel", kind.id()).register(meters);
		Gauge.builder(RelayMetrics.CHANNEL_PAUSED, this.gate, (g) -> g.isPaused() ? 1 : 0)
			.tag("channel", kind.id())
			.register(meters);
		this.deliveries = new DeliveryMetrics(meters, kind);
	}

	public String owner() {
		return this.owner;
	}

	public ChannelGate gate() {
		return this.gate;
	}

	/**
	 * Reserves up to {@code wanted} slots for deliveries the caller is about to claim (fresh work,
	 * sent at once without waiting for a poll). Every reserved slot must be given back through
	 * {@link #start(List, int)}.
	 */
	public int reserve(int wanted) {
		if (!isRunning()) {
			return 0;
		}
		while (true) {
			int taken = this.slots.get();
			int free = Math.min(this.settings.maxInFlight() - taken, this.gate.allowance(taken));
			int granted = Math.max(0, Math.min(wanted, free));
			if (granted == 0 || this.slots.compareAndSet(taken, taken + granted)) {
				return granted;
			}
		}
	}

	/** Starts claimed {@code jobs} in {@code reserved} slots; frees the slots left over. */
	public void start(List<J> jobs, int reserved) {
		int used = 0;
		List<J> giveBack = new ArrayList<>();
		for (J job : jobs) {
			if (used < reserved && isRunning()) {
				used++;
				run(job);
			}
			else {
				giveBack.add(job);
			}
		}
		if (reserved > used) {
			this.slots.addAndGet(used - reserved);
		}
		giveBack.forEach((job) -> this.queue.release(job, null)
			.subscribe(null, (ex) -> log.warn("Releasing {} message {} failed; its lease will lapse", this.kind.id(),
					job.id())));
	}

	/** Polls now rather than at the next tick (fresh work stored, a replay, a freed slot). */
	public void wakeUp() {
		this.wakeUps.tryEmitNext(Boolean.TRUE);
	}

	private void run(J job) {
		this.running.put(job.id(), job);
		Disposable[] self = new Disposable[1];
		Mono<Void> chain = this.traces.continueIn(job.traceparent(), job.id(), process(job))
			.onErrorResume(Fenced.class, (ex) -> {
				log.warn("The lease of {} message {} was taken over; its new owner decides what happens to it",
						this.kind.id(), job.id());
				return Mono.empty();
			})
			.doOnError((ex) -> log.error("Delivering {} message {} failed unexpectedly; it resumes when its lease lapses",
					this.kind.id(), job.id(), ex))
			.onErrorComplete()
			.doFinally((signal) -> {
				this.running.remove(job.id());
				this.slots.decrementAndGet();
				if (self[0] != null) {
					this.attempts.remove(self[0]);
				}
				wakeUp();
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

	private Mono<Void> process(J job) {
		Mono<Outcome> calls = Mono.defer(() -> {
			Instant at = this.clock.instant();
			long started = System.nanoTime();
			return this.channel.send(job).flatMap((outcome) -> {
				long nanos = System.nanoTime() - started;
				timer(outcome).record(nanos, TimeUnit.NANOSECONDS);
				AttemptRecord attempt = new AttemptRecord(at, outcome, TimeUnit.NANOSECONDS.toMillis(nanos));
				// The provider's answer is written first, before anything else is decided or published.
				Mono<Outcome> recorded = outcome.match(
						(delivered) -> durably(this.queue.record(job, attempt, Step.DELIVERED)),
						(retryable) -> durably(this.queue.record(job, attempt, Step.CONTINUE)),
						(permanent) -> durably(this.queue.record(job, attempt, Step.FAILED)),
						(account) -> Mono.<Void>empty())
					.thenReturn(outcome);
				return recorded.flatMap((o) -> (o instanceof Outcome.Retryable failure)
						? Mono.<Outcome>error(new InProcessRetry.TransientAttempt(failure)) : Mono.just(o));
			});
		});
		return calls.transformDeferred(RetryOperator.of(this.retry))
			.onErrorResume(InProcessRetry.TransientAttempt.class, (ex) -> Mono.just(ex.failure()))
			.flatMap((outcome) -> conclude(job, outcome));
	}

	private Mono<Void> conclude(J job, Outcome outcome) {
		return outcome.match((delivered) -> {
			reopen();
			this.deliveries.delivered(Duration.between(job.acceptedAt(), this.clock.instant()));
			log.info("Delivered {} message {} ({})", this.kind.id(), job.id(), delivered.providerCode());
			return Mono.<Void>empty();
		}, (retryable) -> {
			reopen();
			Optional<Duration> delay = this.schedule.nextDelay(job.retriesUsed(), retryable.retryAfter());
			if (delay.isPresent()) {
				this.deliveries.count(RelayMetrics.Outcome.RETRY_SCHEDULED);
				log.info("{} message {} failed transiently ({}); next try in {} ms", this.kind.id(), job.id(),
						retryable.describe(), delay.get().toMillis());
				return durably(this.queue.retryLater(job, delay.get(), retryable.describe()));
			}
			String reason = "retry schedule exhausted after " + (job.retriesUsed() + 1) + " tries; last: "
					+ retryable.describe();
			return durably(this.queue.deadLetter(job, reason)).then(publishDeadLetter(job, reason)).then(Mono.fromRunnable(() -> {
				log.warn("Dead-lettered {} message {}: {}", this.kind.id(), job.id(), DeadLetterPublisher.reason(reason));
				this.deliveries.count(RelayMetrics.Outcome.DEAD_LETTERED);
				this.deliveries.deadLettered(RelayMetrics.Cause.EXHAUSTED);
				this.alerter.deadLettered(this.kind, job.id(), job.tenantId(), reason);
			}));
		}, (permanent) -> {
			reopen();
			String reason = "permanent failure: " + permanent.describe();
			// Failed, not dead-lettered: the DLT record tells consumers of the DLT, no alert (as before).
			this.deliveries.count(RelayMetrics.Outcome.FAILED);
			return publishDeadLetter(job, reason).then(Mono.fromRunnable(() -> {
				this.deliveries.deadLettered(RelayMetrics.Cause.REJECTED);
				log.info("{} message {} reached the DLT as failed: {}", this.kind.id(), job.id(),
						DeadLetterPublisher.reason(reason));
			}));
		}, (account) -> {
			boolean newlyPaused = this.gate.pause();
			if (newlyPaused) {
				String reason = "channel paused: the provider refused the account (" + account.describe()
						+ "); messages wait, unspent, until it accepts again";
				log.error("{} {}", this.kind.id(), DeadLetterPublisher.reason(reason));
				this.alerter.deadLettered(this.kind, null, null, reason);
			}
			return durably(this.queue.release(job, "paused: " + account.describe()));
		});
	}

	private void reopen() {
		if (this.gate.reopen()) {
			log.warn("{} channel resumed: the provider accepts the account again", this.kind.id());
			wakeUp();
		}
	}

	private Mono<Void> publishDeadLetter(J job, String reason) {
		return this.channel.deadLetter(job, reason)
			.retryWhen(UNTIL_PUBLISHED.doBeforeRetry((signal) -> log.warn(
					"Publishing the dead letter of {} message {} failed; retrying", this.kind.id(), job.id())));
	}

	/** Retries a fenced write in place until it lands; a refused one (lease taken over) ends in {@link Fenced}. */
	private static Mono<Void> durably(Mono<Boolean> write) {
		return write.flatMap((held) -> held ? Mono.<Void>empty() : Mono.<Void>error(new Fenced()))
			.retryWhen(UNTIL_RECORDED.doBeforeRetry((signal) -> {
				if (signal.totalRetries() % 20 == 0) {
					log.warn("Recording a delivery failed (try {}); retrying in place: {}", signal.totalRetries() + 1,
							signal.failure().toString());
				}
			}))
			.onErrorMap((ex) -> reactor.core.Exceptions.isRetryExhausted(ex) ? ex.getCause() : ex);
	}

	private Timer timer(Outcome outcome) {
		return Timer.builder(this.metricPrefix + ".attempts")
			.description("Provider calls by channel and outcome")
			.tag("channel", this.kind.id())
			.tag("outcome", outcome.outcomeName())
			.publishPercentileHistogram()
			.register(this.meters);
	}

	private Mono<Integer> poll() {
		int reserved = reserve(this.settings.batchSize());
		if (reserved == 0) {
			return Mono.just(0);
		}
		java.util.concurrent.atomic.AtomicBoolean started = new java.util.concurrent.atomic.AtomicBoolean();
		return this.queue.claimDue(this.owner, List.copyOf(this.running.keySet()), reserved, this.settings.lease())
			.collectList()
			.doOnNext((jobs) -> {
				started.set(true);
				start(jobs, reserved);
			})
			// A failed or cancelled claim frees its slots without waking the poller: a database that
			// is away is asked again at the next tick, not in a tight loop.
			.doFinally((signal) -> {
				if (started.compareAndSet(false, true)) {
					this.slots.addAndGet(-reserved);
				}
			})
			.map(List::size);
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
		// Wake-ups (fresh work, freed slots) are coalesced: at most one extra poll per 10 ms.
		Flux<Boolean> ticks = Flux.merge(Flux.interval(Duration.ZERO, this.settings.pollInterval()).map((t) -> true),
				this.wakeUps.asFlux().sample(Duration.ofMillis(10)));
		this.polling = ticks.onBackpressureDrop()
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
		this.polling.dispose();
		this.heartbeat.dispose();
		this.polling = null;
		this.heartbeat = null;
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
		return this.polling != null;
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
