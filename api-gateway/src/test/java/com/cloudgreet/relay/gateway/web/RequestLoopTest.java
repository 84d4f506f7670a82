package com.cloudgreet.relay.gateway.web;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;

import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import static org.assertj.core.api.Assertions.assertThat;

class RequestLoopTest {

	private final EventLoop loop = new DefaultEventLoop();

	private final ExecutorService other = Executors.newSingleThreadExecutor((task) -> new Thread(task, "lettuce-like"));

	@AfterEach
	void stop() {
		this.loop.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS);
		this.other.shutdownNow();
	}

	@Test
	void aReplyFromAnotherThreadContinuesOnTheRequestsLoop() {
		Mono<String> reply = Mono.fromFuture(() -> CompletableFuture.supplyAsync(() -> "decided", this.other));
		String thread = RequestLoop.resume(reply, this.loop)
			.map((value) -> Thread.currentThread().getName())
			.block(Duration.ofSeconds(5));
		assertThat(thread).isEqualTo(threadOf(this.loop));
	}

	@Test
	void aReplyOnTheLoopAlreadyContinuesAtOnceWithoutQueueing() throws Exception {
		// Subscribed on the loop, a synchronous source (a cached answer) must complete within the same task.
		boolean[] doneInline = new boolean[1];
		this.loop.submit(() -> RequestLoop.resume(Mono.just("cached"), this.loop)
			.subscribe((value) -> doneInline[0] = true)).get();
		assertThat(doneInline[0]).isTrue();
	}

	@Test
	void workSubscribedFromAnotherThreadRunsOnTheLoop() {
		String thread = RequestLoop.on(Mono.fromCallable(() -> Thread.currentThread().getName()), this.loop)
			.subscribeOn(reactor.core.scheduler.Schedulers.fromExecutor(this.other))
			.block(Duration.ofSeconds(5));
		assertThat(thread).isEqualTo(threadOf(this.loop));
	}

	@Test
	void withoutALoopNothingMoves() {
		Mono<String> source = Mono.just("x");
		assertThat(RequestLoop.resume(source, (EventLoop) null)).isSameAs(source);
		assertThat(RequestLoop.on(source, (EventLoop) null)).isSameAs(source);
	}

	private static String threadOf(EventLoop loop) {
		try {
			return loop.submit(() -> Thread.currentThread().getName()).get();
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
	}

}
