package com.cloudgreet.relay.delivery.batch;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.awaitility.Awaitility.await;

class WriteBatcherTest {

	/** Records each batch and holds it open until the test completes it. */
	private final List<List<Integer>> batches = new CopyOnWriteArrayList<>();

	private final List<Sinks.One<List<String>>> answers = new CopyOnWriteArrayList<>();

	private Mono<List<String>> heldWrite(List<Integer> items) {
		this.batches.add(List.copyOf(items));
		Sinks.One<List<String>> answer = Sinks.one();
		this.answers.add(answer);
		return answer.asMono();
	}

	private static List<String> echo(List<Integer> items) {
		return items.stream().map((i) -> "r" + i).toList();
	}

	@Test
	void quietSubmissionIsWrittenAtOnceAlone() {
		WriteBatcher<Integer, String> batcher = new WriteBatcher<>(10, (items) -> {
			this.batches.add(List.copyOf(items));
			return Mono.just(echo(items));
		});

		StepVerifier.create(batcher.submit(7)).expectNext("r7").verifyComplete();
		assertThat(this.batches).containsExactly(List.of(7));
	}

	@Test
	void itemsArrivingDuringAFlushAreWrittenTogetherWhenItCompletes() {
		WriteBatcher<Integer, String> batcher = new WriteBatcher<>(100, this::heldWrite);
		List<String> results = new CopyOnWriteArrayList<>();
		for (int i = 0; i < 5; i++) {
			batcher.submit(i).subscribe(results::add);
		}
		assertThat(this.batches).containsExactly(List.of(0));

		this.answers.get(0).tryEmitValue(List.of("r0"));

		assertThat(this.batches).containsExactly(List.of(0), List.of(1, 2, 3, 4));
		assertThat(results).containsExactly("r0");
		this.answers.get(1).tryEmitValue(echo(List.of(1, 2, 3, 4)));
		assertThat(results).containsExactly("r0", "r1", "r2", "r3", "r4");
	}

	@Test
	void eachCallerGetsTheResultAtItsOwnPosition() {
		WriteBatcher<Integer, String> batcher = new WriteBatcher<>(100, this::heldWrite);
		batcher.submit(0).subscribe();
		List<Mono<String>> waiting = new ArrayList<>();
		for (int i = 1; i <= 3; i++) {
			waiting.add(batcher.submit(i).cache());
			waiting.get(i - 1).subscribe();
		}
		this.answers.get(0).tryEmitValue(List.of("r0"));

		this.answers.get(1).tryEmitValue(List.of("first", "second", "third"));

		assertThat(waiting.get(0).block(Duration.ofSeconds(1))).isEqualTo("first");
		assertThat(waiting.get(1).block(Duration.ofSeconds(1))).isEqualTo("second");
		assertThat(waiting.get(2).block(Duration.ofSeconds(1))).isEqualTo("third");
	}

	@Test
	void noFlushCarriesMoreThanMaxBatch() {
		WriteBatcher<Integer, String> batcher = new WriteBatcher<>(3, this::heldWrite);
		for (int i = 0; i < 8; i++) {
			batcher.submit(i).subscribe();
		}

		for (int flush = 0; flush < 4; flush++) {
			this.answers.get(flush).tryEmitValue(echo(this.batches.get(flush)));
		}

		assertThat(this.batches).containsExactly(List.of(0), List.of(1, 2, 3), List.of(4, 5, 6), List.of(7));
	}

	@Test
	void failedFlushFailsEachOfItsItemsAndTheNextBatchStillFlushes() {
		WriteBatcher<Integer, String> batcher = new WriteBatcher<>(100, this::heldWrite);
		List<Throwable> errors = new CopyOnWriteArrayList<>();
		batcher.submit(0).subscribe();
		batcher.submit(1).subscribe(null, errors::add);
		batcher.submit(2).subscribe(null, errors::add);
		this.answers.get(0).tryEmitValue(List.of("r0"));
		List<String> later = new CopyOnWriteArrayList<>();
		batcher.submit(3).subscribe(later::add);

		this.answers.get(1).tryEmitError(new IllegalStateException("database away"));

		assertThat(errors).hasSize(2).allSatisfy((ex) -> assertThat(ex).hasMessage("database away"));
		assertThat(this.batches).containsExactly(List.of(0), List.of(1, 2), List.of(3));
		this.answers.get(2).tryEmitValue(List.of("r3"));
		assertThat(later).containsExactly("r3");
	}

	@Test
	void batchFunctionThatThrowsFailsItsItems() {
		WriteBatcher<Integer, String> batcher = new WriteBatcher<>(10, (items) -> {
			throw new IllegalStateException("no statement");
		});

		StepVerifier.create(batcher.submit(1)).expectErrorMessage("no statement").verify(Duration.ofSeconds(1));
	}

	@Test
	void answerOfTheWrongSizeFailsTheBatchRatherThanMisattributingResults() {
		WriteBatcher<Integer, String> batcher = new WriteBatcher<>(10, (items) -> Mono.just(List.of()));

		StepVerifier.create(batcher.submit(1))
			.expectErrorSatisfies((ex) -> assertThat(ex).isInstanceOf(IllegalStateException.class)
				.hasMessageContaining("0 results for 1 items"))
			.verify(Duration.ofSeconds(1));
	}

	@Test
	void itemCancelledWhileWaitingIsLeftOutAndTheOthersStillGetTheirResults() {
		WriteBatcher<Integer, String> batcher = new WriteBatcher<>(100, this::heldWrite);
		batcher.submit(0).subscribe();
		List<String> results = new CopyOnWriteArrayList<>();
		batcher.submit(1).subscribe(results::add);
		Disposable cancelled = batcher.submit(2).subscribe(results::add);
		batcher.submit(3).subscribe(results::add);

		cancelled.dispose();
		this.answers.get(0).tryEmitValue(List.of("r0"));

		assertThat(this.batches.get(1)).containsExactly(1, 3);
		this.answers.get(1).tryEmitValue(List.of("r1", "r3"));
		assertThat(results).containsExactly("r1", "r3");
	}

	@Test
	void itemCancelledDuringItsFlushDoesNotDisturbTheRestOfTheBatch() {
		WriteBatcher<Integer, String> batcher = new WriteBatcher<>(100, this::heldWrite);
		batcher.submit(0).subscribe();
		List<String> results = new CopyOnWriteArrayList<>();
		Disposable cancelled = batcher.submit(1).subscribe(results::add);
		batcher.submit(2).subscribe(results::add);
		this.answers.get(0).tryEmitValue(List.of("r0"));

		cancelled.dispose();
		this.answers.get(1).tryEmitValue(List.of("r1", "r2"));

		assertThat(results).containsExactly("r2");
		assertThat(batcher.waiting()).isZero();
	}

	@Test
	void nullResultCompletesThatItemEmpty() {
		WriteBatcher<Integer, String> batcher = new WriteBatcher<>(10,
				(items) -> Mono.just(Collections.singletonList(null)));

		StepVerifier.create(batcher.submit(1)).verifyComplete();
	}

	@Test
	void concurrentSubmittersEachGetTheirOwnResultAndFlushesNeverOverlap() throws Exception {
		int submitters = 8;
		int perSubmitter = 500;
		java.util.concurrent.atomic.AtomicInteger concurrentFlushes = new java.util.concurrent.atomic.AtomicInteger();
		java.util.concurrent.atomic.AtomicInteger mostAtOnce = new java.util.concurrent.atomic.AtomicInteger();
		List<Integer> sizes = new CopyOnWriteArrayList<>();
		// A flush counts as in flight from its subscription until it answered.
		WriteBatcher<Integer, String> batcher = new WriteBatcher<>(64, (items) -> Mono.fromCallable(() -> {
			sizes.add(items.size());
			return echo(items);
		})
			.delaySubscription(Duration.ofMillis(1))
			.subscribeOn(Schedulers.parallel())
			.doOnSubscribe((s) -> mostAtOnce.accumulateAndGet(concurrentFlushes.incrementAndGet(), Math::max))
			.doOnNext((results) -> concurrentFlushes.decrementAndGet()));
		List<String> mismatches = new CopyOnWriteArrayList<>();
		CountDownLatch done = new CountDownLatch(submitters * perSubmitter);
		ExecutorService pool = Executors.newFixedThreadPool(submitters);
		try {
			for (int s = 0; s < submitters; s++) {
				int base = s * perSubmitter;
				pool.execute(() -> {
					for (int i = base; i < base + perSubmitter; i++) {
						int item = i;
						batcher.submit(item).subscribe((result) -> {
							if (!result.equals("r" + item)) {
								mismatches.add(item + " got " + result);
							}
							done.countDown();
						}, (ex) -> mismatches.add(item + " failed " + ex));
					}
				});
			}
			assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();
		}
		finally {
			pool.shutdownNow();
		}

		assertThat(mismatches).isEmpty();
		assertThat(mostAtOnce.get()).isEqualTo(1);
		assertThat(sizes.stream().mapToInt(Integer::intValue).sum()).isEqualTo(submitters * perSubmitter);
		assertThat(sizes).allSatisfy((size) -> assertThat(size).isBetween(1, 64));
		assertThat(sizes.size()).as("flushes for %d items", submitters * perSubmitter)
			.isLessThan(submitters * perSubmitter / 2);
		await().atMost(Duration.ofSeconds(1)).until(() -> batcher.waiting() == 0);
	}

	@Test
	void resubscribingSubmitsTheItemAgain() {
		List<Integer> written = new CopyOnWriteArrayList<>();
		WriteBatcher<Integer, String> batcher = new WriteBatcher<>(10, (items) -> {
			written.addAll(items);
			return written.size() == 1 ? Mono.error(new IllegalStateException("blip")) : Mono.just(echo(items));
		});

		StepVerifier.create(batcher.submit(5).retry(1)).expectNext("r5").verifyComplete();
		assertThat(written).containsExactly(5, 5);
	}

	@Test
	void matchedOrdinalsAnswerTrueAtTheirOwnPositionsOnly() {
		assertThat(WriteBatcher.matched(4, List.of(3L, 1L))).containsExactly(true, false, true, false);
		assertThat(WriteBatcher.matched(2, List.of())).containsExactly(false, false);
	}

	@Test
	void ordinalOutsideTheBatchIsABug() {
		org.assertj.core.api.Assertions.assertThatIllegalStateException()
			.isThrownBy(() -> WriteBatcher.matched(2, List.of(3L)));
	}

	@Test
	void maxBatchBelowOneIsRefused() {
		assertThatIllegalArgumentException().isThrownBy(() -> new WriteBatcher<Integer, String>(0, (items) -> Flux
			.<String>empty()
			.collectList()));
	}

}
