package com.cloudgreet.relay.delivery.batch;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;

/**
 * Turns many concurrent single-item writes into few batched ones. Callers {@link #submit submit}
 * one item each and get a {@code Mono} of that item's own result; the items are written by one
 * call of the batch function, {@code List<T> -> Mono<List<R>>}, whose answer holds one result per
 * item in the order given.
 *
 * <p>Batching is natural, with no timer: when nothing is being written, an item is flushed at once
 * (alone, so a quiet system pays no added latency). While a flush is in flight the next items
 * accumulate, and they are flushed together as soon as it completes, at most {@code maxBatch} per
 * flush. So the batch size follows the load: one statement in flight at a time per batcher, each
 * carrying everything that arrived during the previous one.
 *
 * <p>Failures: a flush that errors (or answers a list of the wrong size, or nothing) fails every
 * item of that batch with the same error, and the next batch is flushed as usual. Callers retry
 * their own item (resubscribing submits it again), as the delivery engine does with its fenced
 * writes.
 *
 * <p>Cancellation: an item cancelled while it waits is left out of the next flush. One cancelled
 * after its flush started is still written (a statement cannot be taken back), its result dropped;
 * the other items of that batch are unaffected.
 *
 * <p>Submission is lazy: the item joins a batch when its {@code Mono} is subscribed, and each
 * subscription submits it once more. Results are delivered on the thread that completed the
 * flush (the database driver's), so callers must not block in what they chain after it.
 *
 * <p>Typical use, one batcher per kind of statement and queue, for example a fenced update:
 * <pre>{@code
 * WriteBatcher<Lease, Boolean> releases = new WriteBatcher<>(500, (leases) -> db.sql("""
 *         update job j set lease_owner = null from unnest(:ids, :owners, :tokens) with ordinality
 *         as l(id, owner, token, ord) where j.id = l.id and j.lease_owner = l.owner and j.lease_token = l.token
 *         returning l.ord""")...map((row) -> row.get("ord", Long.class)).all().collectList()
 *     .map((ordinals) -> WriteBatcher.matched(leases.size(), ordinals)));
 * Mono<Boolean> released = releases.submit(job.lease());
 * }</pre>
 * The batch function must keep per-item semantics: each item's result must be what it would have
 * been if the item had been written alone (for a fenced write: whether <em>its</em> row matched).
 *
 * @param <T> what a caller writes
 * @param <R> what each caller gets back for its item
 */
public final class WriteBatcher<T, R> {

	private static final Logger log = LoggerFactory.getLogger(WriteBatcher.class);

	private final int maxBatch;

	private final Function<List<T>, Mono<List<R>>> flush;

	private final Queue<Pending<T, R>> waiting = new ConcurrentLinkedQueue<>();

	/** Serializes {@link #drain()}: whoever moves it from 0 drains, the others only record a missed call. */
	private final AtomicInteger draining = new AtomicInteger();

	/** Written under {@link #draining} or before calling {@link #drain()}, which orders it. */
	private volatile boolean inFlight;

	/**
	 * @param maxBatch at most this many items per flush (the statement's size)
	 * @param flush writes a batch and answers one result per item, in the order given
	 */
	public WriteBatcher(int maxBatch, Function<List<T>, Mono<List<R>>> flush) {
		if (maxBatch < 1) {
			throw new IllegalArgumentException("maxBatch must be at least 1, was " + maxBatch);
		}
		this.maxBatch = maxBatch;
		this.flush = flush;
	}

	/** The result of writing {@code item}, in the next batch flushed after this Mono is subscribed. */
	public Mono<R> submit(T item) {
		return Mono.create((sink) -> {
			Pending<T, R> pending = new Pending<>(item, sink);
			sink.onCancel(() -> pending.cancelled = true);
			this.waiting.add(pending);
			drain();
		});
	}

	/**
	 * The answers of a batch of fenced writes, one per item: {@code true} for the items whose row
	 * matched, given as the 1-based ordinals ({@code unnest ... with ordinality}) the statement
	 * returned. Each item must name a different row: one target row joined to two input rows is
	 * updated once, and only one of them would be answered {@code true}.
	 */
	public static List<Boolean> matched(int size, Collection<Long> ordinals) {
		Boolean[] answers = new Boolean[size];
		Arrays.fill(answers, Boolean.FALSE);
		for (Long ordinal : ordinals) {
			if (ordinal < 1 || ordinal > size) {
				throw new IllegalStateException("ordinal " + ordinal + " is outside a batch of " + size);
			}
			answers[(int) (ordinal - 1)] = Boolean.TRUE;
		}
		return Arrays.asList(answers);
	}

	/** Items waiting for a flush (cancelled ones not yet discarded included). */
	public int waiting() {
		return this.waiting.size();
	}

	private void drain() {
		if (this.draining.getAndIncrement() != 0) {
			return;
		}
		int missed = 1;
		do {
			if (!this.inFlight) {
				List<Pending<T, R>> batch = next();
				if (!batch.isEmpty()) {
					this.inFlight = true;
					write(batch);
				}
			}
			missed = this.draining.addAndGet(-missed);
		}
		while (missed != 0);
	}

	private List<Pending<T, R>> next() {
		List<Pending<T, R>> batch = new ArrayList<>(Math.min(this.maxBatch, 64));
		Pending<T, R> pending;
		while (batch.size() < this.maxBatch && (pending = this.waiting.poll()) != null) {
			if (!pending.cancelled) {
				batch.add(pending);
			}
		}
		return batch;
	}

	private void write(List<Pending<T, R>> batch) {
		List<T> items = new ArrayList<>(batch.size());
		batch.forEach((pending) -> items.add(pending.item));
		Mono.defer(() -> this.flush.apply(items))
			.switchIfEmpty(Mono.error(() -> new IllegalStateException("the batch write answered nothing")))
			.subscribe((results) -> settle(batch, results, null), (error) -> settle(batch, null, error));
	}

	private void settle(List<Pending<T, R>> batch, List<R> results, Throwable error) {
		try {
			Throwable failure = error;
			if (failure == null && results.size() != batch.size()) {
				failure = new IllegalStateException(
						"the batch write answered " + results.size() + " results for " + batch.size() + " items");
			}
			for (int i = 0; i < batch.size(); i++) {
				MonoSink<R> sink = batch.get(i).sink;
				try {
					if (failure != null) {
						sink.error(failure);
					}
					else if (results.get(i) == null) {
						sink.success();
					}
					else {
						sink.success(results.get(i));
					}
				}
				catch (RuntimeException ex) {
					// One caller's chain failing must not keep the rest of the batch from its results.
					log.warn("A caller's chain failed on its batched write's result", ex);
				}
			}
		}
		finally {
			this.inFlight = false;
			drain();
		}
	}

	private static final class Pending<T, R> {

		final T item;

		final MonoSink<R> sink;

		volatile boolean cancelled;

		Pending(T item, MonoSink<R> sink) {
			this.item = item;
			this.sink = sink;
		}

	}

}
