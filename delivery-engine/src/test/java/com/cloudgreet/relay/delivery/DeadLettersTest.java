package com.cloudgreet.relay.delivery;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

import com.cloudgreet.relay.common.Channel;
import com.cloudgreet.relay.common.metrics.DeliveryMetrics;
import com.cloudgreet.relay.delivery.DeliveryEngineTest.TestJob;
import com.cloudgreet.relay.delivery.DeliveryQueue.OwedDeadLetter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.propagation.Propagator;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.context.Context;

import static org.assertj.core.api.Assertions.assertThat;

/** The engine's side of the dead-letter outbox, against an in-memory outbox and a Kafka the test switches off. */
class DeadLettersTest {

	private static final Duration GRACE = Duration.ofMillis(400);

	private final MemoryOutbox outbox = new MemoryOutbox();

	private final SwitchableDeadLetterTopic topic = new SwitchableDeadLetterTopic();

	private final List<String> alerts = new CopyOnWriteArrayList<>();

	private final DeadLetters<TestJob> deadLetters = new DeadLetters<>(Channel.SMS, this.outbox, this.topic, GRACE,
			(channel, id, tenant, reason) -> this.alerts.add(id + ": " + reason),
			new DeliveryMetrics(new SimpleMeterRegistry(), Channel.SMS),
			new TraceParents(Tracer.NOOP, Propagator.NOOP, ObservationRegistry.NOOP, "test", "test"));

	private final TestJob job = new TestJob("msg-1", "ten_a", "sms");

	@Test
	void aPublishedDeadLetterIsNoLongerOwedAndIsAlertedOnce() {
		this.outbox.owe(this.job, "exhausted");

		assertThat(this.deadLetters.publish(this.job, "exhausted", true, Context.empty()).block()).isTrue();

		assertThat(this.topic.published()).containsExactly("msg-1: exhausted");
		assertThat(this.outbox.owed()).isEmpty();
		assertThat(this.alerts).containsExactly("msg-1: exhausted");
		assertThat(this.deadLetters.sweep().block()).isZero();
		assertThat(this.topic.published()).hasSize(1);
	}

	@Test
	void aDeadLetterKafkaDoesNotTakeStaysOwedAndASweepPublishesItLater() {
		this.outbox.owe(this.job, "exhausted");
		this.topic.down.set(true);

		// The engine's own try gives up after half the grace and frees the attempt's slot.
		assertThat(this.deadLetters.publish(this.job, "exhausted", true, Context.empty()).block(Duration.ofSeconds(5)))
			.isFalse();
		assertThat(this.outbox.owed()).containsKey("msg-1");
		assertThat(this.alerts).isEmpty();

		this.topic.down.set(false);
		assertThat(this.deadLetters.sweep().block()).isEqualTo(1);
		assertThat(this.topic.published()).containsExactly("msg-1: exhausted");
		assertThat(this.outbox.owed()).isEmpty();
		assertThat(this.alerts).containsExactly("msg-1: exhausted");
		assertThat(this.deadLetters.sweep().block()).isZero();
	}

	@Test
	void aPermanentFailuresDeadLetterIsNotAlerted() {
		this.outbox.owe(this.job, "permanent failure: 400 invalid");

		assertThat(this.deadLetters.sweep().block()).isEqualTo(1);

		assertThat(this.topic.published()).containsExactly("msg-1: permanent failure: 400 invalid");
		assertThat(this.alerts).isEmpty();
	}

	/** A DLT that answers at once, or never while {@code down}. */
	static final class SwitchableDeadLetterTopic implements DeliveryChannel<TestJob> {

		final AtomicBoolean down = new AtomicBoolean();

		private final List<String> published = new CopyOnWriteArrayList<>();

		@Override
		public String name() {
			return "test";
		}

		@Override
		public Mono<Outcome> send(TestJob job) {
			return Mono.just(new Outcome.Delivered("200", null, null));
		}

		@Override
		public Mono<Void> deadLetter(TestJob job, String reason) {
			return Mono.defer(() -> this.down.get() ? Mono.never()
					: Mono.fromRunnable(() -> this.published.add(job.id() + ": " + reason)));
		}

		List<String> published() {
			return this.published;
		}

	}

	/** Owed DLT records by delivery id; every owed record counts as older than the grace. */
	static final class MemoryOutbox implements DeliveryQueue<TestJob> {

		private final Map<String, OwedDeadLetter<TestJob>> owed = new ConcurrentHashMap<>();

		void owe(TestJob job, String reason) {
			this.owed.put(job.id(), new OwedDeadLetter<>(job, reason, !reason.startsWith("permanent")));
		}

		Map<String, OwedDeadLetter<TestJob>> owed() {
			return this.owed;
		}

		@Override
		public Flux<OwedDeadLetter<TestJob>> claimOwedDeadLetters(Duration grace, int limit) {
			return Flux.fromIterable(new ArrayList<>(this.owed.values())).take(limit);
		}

		@Override
		public Mono<Void> deadLetterPublished(TestJob job) {
			return Mono.fromRunnable(() -> this.owed.remove(job.id()));
		}

		@Override
		public Flux<TestJob> claimDue(String owner, java.util.Collection<String> busy, Capacity capacity, int limit,
				Duration lease) {
			return Flux.empty();
		}

		@Override
		public Mono<Void> renew(java.util.Collection<Lease> leases, Duration lease) {
			return Mono.empty();
		}

		@Override
		public Mono<Boolean> record(TestJob job, AttemptRecord attempt, Step step) {
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
		public Mono<Boolean> release(TestJob job, String note) {
			return Mono.just(true);
		}

	}

}
