package com.cloudgreet.relay.notification.delivery;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

import org.springframework.context.SmartLifecycle;
import org.springframework.kafka.listener.AbstractMessageListenerContainer;
import org.springframework.stereotype.Component;

/**
 * Counts deliveries in progress and, on shutdown, waits for them after the Kafka listeners have
 * stopped taking new records (this phase stops after theirs) and before the database pool closes.
 * A send cut off half-way would keep its claim until the lease lapses and delay the message by
 * retry stages; a drained one is recorded as delivered or released for the next try.
 */
@Component
public class InFlight implements SmartLifecycle {

	private static final Logger log = LoggerFactory.getLogger(InFlight.class);

	/** How long shutdown waits; below Boot's default 30 s per lifecycle phase. */
	private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(25);

	private final AtomicInteger count = new AtomicInteger();

	private volatile boolean running;

	public <T> Mono<T> track(Mono<T> delivery) {
		return Mono.defer(() -> {
			this.count.incrementAndGet();
			return delivery.doFinally((signal) -> this.count.decrementAndGet());
		});
	}

	public int count() {
		return this.count.get();
	}

	@Override
	public void start() {
		this.running = true;
	}

	@Override
	public void stop() {
		long deadline = System.nanoTime() + DRAIN_TIMEOUT.toNanos();
		int left = this.count.get();
		if (left > 0) {
			log.info("Waiting for {} delivery(ies) in progress", left);
		}
		while (this.count.get() > 0 && System.nanoTime() < deadline) {
			try {
				Thread.sleep(50);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				break;
			}
		}
		if (this.count.get() > 0) {
			log.warn("Stopping with {} delivery(ies) unfinished; their claims lapse after the lease", this.count.get());
		}
		this.running = false;
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	/** Just below the listener containers' phase: they stop first, then we drain. */
	@Override
	public int getPhase() {
		return AbstractMessageListenerContainer.DEFAULT_PHASE - 1;
	}

}
