package com.cloudgreet.relay.delivery;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import com.cloudgreet.relay.common.Channel;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.propagation.Propagator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The engine's concurrency bounds, against an in-memory queue and a channel the test controls. */
class DeliveryEngineTest {

	/** 8 slots in all, 2 per destination, 6 per tenant. */
	private static final EngineSettings SETTINGS = new EngineSettings(8, 2, 6, 50, Duration.ofMillis(20),
			Duration.ofSeconds(30), 1, Duration.ZERO, 1.0, Duration.ZERO, Duration.ofSeconds(1), Duration.ofSeconds(1),
			Duration.ofSeconds(1), Duration.ofSeconds(10));

	private final MemoryQueue queue = new MemoryQueue();

	/** Destination "hanging" never answers; every other answers at once. */
	private final TestChannel channel = new TestChannel();

	private final DeliveryEngine<TestJob> engine = new DeliveryEngine<>(Channel.WEBHOOK, this.queue, this.channel,
			new RetrySchedule(List.of(Duration.ofHours(1)), 0, Duration.ofHours(1), () -> 0.5), SETTINGS,
			(channel, id, tenant, reason) -> {
			}, new SimpleMeterRegistry(), "relay.test",
			new TraceParents(Tracer.NOOP, Propagator.NOOP, ObservationRegistry.NOOP, "test", "test"), Clock.systemUTC(),
			"owner-1");

	@AfterEach
	void stop() {
		this.engine.stop();
	}

	@Test
	void aHangingDestinationHoldsOnlyItsOwnSlots() {
		for (int i = 0; i < 20; i++) {
			this.queue.add(new TestJob("hang-" + i, "ten_a", "hanging"));
		}
		for (int i = 0; i < 10; i++) {
			this.queue.add(new TestJob("ok-" + i, "ten_a", "healthy-" + (i % 3)));
		}
		this.engine.start();

		await().atMost(Duration.ofSeconds(5)).until(() -> this.queue.delivered().size() == 10);
		assertThat(this.channel.sentTo("hanging")).isEqualTo(2);
		assertThat(this.engine.inFlight()).isEqualTo(2);
		// Claims were told the hanging destination is full, so its backlog was never claimed again.
		assertThat(this.queue.claimedMoreThanOnce()).isEmpty();
	}

	@Test
	void aTenantsBacklogLeavesSlotsForOtherTenants() {
		for (int i = 0; i < 20; i++) {
			this.queue.add(new TestJob("a-" + i, "ten_a", "hanging-" + (i % 10)));
		}
		for (int i = 0; i < 5; i++) {
			this.queue.add(new TestJob("b-" + i, "ten_b", "healthy"));
		}
		this.engine.start();

		await().atMost(Duration.ofSeconds(5)).until(() -> this.queue.delivered().size() == 5);
		assertThat(this.queue.delivered()).allMatch((id) -> id.startsWith("b-"));
		// Tenant A's hanging endpoints hold its 6 slots, and no more, of the 8.
		assertThat(this.engine.inFlight()).isEqualTo(6);
	}

	@Test
	void freshWorkGetsSlotsPerDestination() {
		this.engine.start();
		var reservation = this.engine.reserve(List.of(new DeliveryEngine.Slot("ten_a", "hanging"),
				new DeliveryEngine.Slot("ten_a", "hanging"), new DeliveryEngine.Slot("ten_a", "hanging"),
				new DeliveryEngine.Slot("ten_a", "healthy")));

		assertThat(List.of(reservation.granted(0), reservation.granted(1), reservation.granted(2),
				reservation.granted(3)))
			.containsExactly(true, true, false, true);
		reservation.start(List.of(new TestJob("f-1", "ten_a", "hanging"), new TestJob("f-2", "ten_a", "hanging"),
				new TestJob("f-4", "ten_a", "healthy")));
		await().atMost(Duration.ofSeconds(5)).until(() -> this.queue.delivered().contains("f-4"));
		assertThat(this.channel.sentTo("hanging")).isEqualTo(2);
	}

	@Test
	void aFreedSlotPollsOnlyWhileDueWorkMayWait() {
		// Polls only when told to: the interval tick comes once, at start.
		DeliveryEngine<TestJob> quiet = withoutTicks(8, 6);
		try {
			quiet.start();
			await().atMost(Duration.ofSeconds(5)).until(() -> this.queue.claimCalls() == 1);

			// Fresh work, claimed as it is stored: the slots it frees find nothing waiting to poll for.
			List<DeliveryEngine.Slot> slots = new ArrayList<>();
			List<TestJob> fresh = new ArrayList<>();
			for (int i = 0; i < 5; i++) {
				slots.add(new DeliveryEngine.Slot("ten_a", "healthy-" + i));
				fresh.add(new TestJob("fresh-" + i, "ten_a", "healthy-" + i));
			}
			quiet.reserve(slots).start(fresh);
			await().atMost(Duration.ofSeconds(5)).until(() -> this.queue.delivered().size() == 5);
			await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(2)).until(() -> quiet.inFlight() == 0);
			assertThat(this.queue.claimCalls()).isEqualTo(1);

			// A backlog (stored unclaimed, the engine told): each full claim leaves more, and the
			// slots it frees poll for the rest without waiting for a tick.
			for (int i = 0; i < 30; i++) {
				this.queue.add(new TestJob("backlog-" + i, "ten_" + (i % 5), "healthy-" + (i % 10)));
			}
			quiet.wakeUp();
			await().atMost(Duration.ofSeconds(5)).until(() -> this.queue.delivered().size() == 35);
			assertThat(this.queue.claimCalls()).isGreaterThan(4);
		}
		finally {
			quiet.stop();
		}
	}

	@Test
	void aBacklogHeldBackByDestinationCapsDrainsWithoutTicks() {
		// 64 slots in all but 2 per destination: a claim for 50 finds 20 (10 destinations x 2),
		// short of its limit although 40 more are due. Only wake-ups drive the polls here.
		DeliveryEngine<TestJob> capped = withoutTicks(64, 64);
		try {
			for (int i = 0; i < 60; i++) {
				this.queue.add(new TestJob("backlog-" + i, "ten_a", "healthy-" + (i % 10)));
			}
			capped.start();
			await().atMost(Duration.ofSeconds(5)).until(() -> this.queue.delivered().size() == 60);
		}
		finally {
			capped.stop();
		}
	}

	/**
	 * A second engine on the same queue and channel, 2 slots per destination, claims of up to 50,
	 * that polls only when told to: its interval tick comes once, at start.
	 */
	private DeliveryEngine<TestJob> withoutTicks(int maxInFlight, int perTenant) {
		EngineSettings settings = new EngineSettings(maxInFlight, 2, perTenant, 50, Duration.ofHours(1),
				Duration.ofSeconds(30), 1, Duration.ZERO, 1.0, Duration.ZERO, Duration.ofSeconds(1), Duration.ofSeconds(1),
				Duration.ofSeconds(1), Duration.ofSeconds(10));
		return new DeliveryEngine<>(Channel.WEBHOOK, this.queue, this.channel,
				new RetrySchedule(List.of(Duration.ofHours(1)), 0, Duration.ofHours(1), () -> 0.5), settings,
				(channel, id, tenant, reason) -> {
				}, new SimpleMeterRegistry(), "relay.untimed." + maxInFlight,
				new TraceParents(Tracer.NOOP, Propagator.NOOP, ObservationRegistry.NOOP, "test", "test"),
				Clock.systemUTC(), "owner-1");
	}

	record TestJob(Lease lease, String tenantId, String destination) implements Job {

		TestJob(String id, String tenantId, String destination) {
			this(new Lease(id, "owner-1", 1), tenantId, destination);
		}

		@Override
		public int retriesUsed() {
			return 0;
		}

		@Override
		public String traceparent() {
			return null;
		}

		@Override
		public Instant acceptedAt() {
			return Instant.EPOCH;
		}

	}

	static final class TestChannel implements DeliveryChannel<TestJob> {

		private final Map<String, Integer> sent = new ConcurrentHashMap<>();

		@Override
		public String name() {
			return "test";
		}

		@Override
		public Mono<Outcome> send(TestJob job) {
			this.sent.merge(job.destination(), 1, Integer::sum);
			return job.destination().startsWith("hanging") ? Mono.never()
					: Mono.just(new Outcome.Delivered("200", null, null));
		}

		int sentTo(String destination) {
			return this.sent.getOrDefault(destination, 0);
		}

		@Override
		public Mono<Void> deadLetter(TestJob job, String reason) {
			return Mono.empty();
		}

	}

	/** Due jobs in order; a claim takes what the capacity allows per destination and per tenant. */
	static final class MemoryQueue implements DeliveryQueue<TestJob> {

		private final List<TestJob> due = new ArrayList<>();

		private final List<String> delivered = new CopyOnWriteArrayList<>();

		private final Map<String, Integer> claims = new ConcurrentHashMap<>();

		private final java.util.concurrent.atomic.AtomicInteger claimCalls = new java.util.concurrent.atomic.AtomicInteger();

		int claimCalls() {
			return this.claimCalls.get();
		}

		synchronized void add(TestJob job) {
			this.due.add(job);
		}

		List<String> delivered() {
			return this.delivered;
		}

		Set<String> claimedMoreThanOnce() {
			Set<String> twice = ConcurrentHashMap.newKeySet();
			this.claims.forEach((id, count) -> {
				if (count > 1) {
					twice.add(id);
				}
			});
			return twice;
		}

		@Override
		public synchronized Flux<TestJob> claimDue(String owner, Collection<String> busy, Capacity capacity, int limit,
				Duration lease) {
			this.claimCalls.incrementAndGet();
			Map<String, Integer> byDestination = new HashMap<>(capacity.destinationFree());
			Map<String, Integer> byTenant = new HashMap<>(capacity.tenantFree());
			List<TestJob> claimed = new ArrayList<>();
			for (TestJob job : List.copyOf(this.due)) {
				int destinationFree = byDestination.getOrDefault(job.destination(), capacity.perDestination());
				int tenantFree = byTenant.getOrDefault(job.tenantId(), capacity.perTenant());
				if (claimed.size() == limit || destinationFree == 0 || tenantFree == 0) {
					continue;
				}
				byDestination.put(job.destination(), destinationFree - 1);
				byTenant.put(job.tenantId(), tenantFree - 1);
				this.due.remove(job);
				this.claims.merge(job.id(), 1, Integer::sum);
				claimed.add(job);
			}
			return Flux.fromIterable(claimed);
		}

		@Override
		public Mono<Void> renew(Collection<Lease> leases, Duration lease) {
			return Mono.empty();
		}

		@Override
		public Mono<Boolean> record(TestJob job, AttemptRecord attempt, Step step) {
			if (step == Step.DELIVERED) {
				this.delivered.add(job.id());
			}
			return Mono.just(true);
		}

		@Override
		public Mono<Boolean> retryLater(TestJob job, Duration retryIn, String error) {
			return Mono.just(true);
		}

		@Override
		public Mono<Boolean> deadLetter(TestJob job, String reason) {
			return Mono.just(true);
		}

		@Override
		public synchronized Mono<Boolean> release(TestJob job, String note) {
			this.due.add(job);
			return Mono.just(true);
		}

		@Override
		public Flux<OwedDeadLetter<TestJob>> claimOwedDeadLetters(Duration grace, int limit) {
			return Flux.empty();
		}

		@Override
		public Mono<Void> deadLetterPublished(TestJob job) {
			return Mono.empty();
		}

	}

}
