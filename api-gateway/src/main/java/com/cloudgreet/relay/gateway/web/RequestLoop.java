package com.cloudgreet.relay.gateway.web;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;

import io.netty.channel.EventLoop;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.netty.Connection;

/**
 * The Netty event loop of a request's connection, where the rest of the request runs after a
 * Redis or Kafka reply. Lettuce emits replies on its I/O thread (publishOnScheduler off, see
 * {@code GatewayConfiguration}), and the request hops straight back to its own loop: the body
 * read, the response and the Kafka hand-off all belong there, so a hop through a third thread
 * (Lettuce's computation pool) would only add a wake-up per request.
 */
public final class RequestLoop {

	/** One scheduler per event loop (a handful), not one per request. */
	private static final Map<EventLoop, Scheduler> SCHEDULERS = new ConcurrentHashMap<>();

	private RequestLoop() {
	}

	/** The request's event loop, or {@code null} without one (a mock exchange). */
	public static EventLoop of(ServerWebExchange exchange) {
		try {
			Object nativeRequest = ServerHttpRequestDecorator.getNativeRequest(exchange.getRequest());
			return (nativeRequest instanceof Connection connection) ? connection.channel().eventLoop() : null;
		}
		catch (IllegalStateException ex) {
			return null;
		}
	}

	/**
	 * {@code source}, signalling on the request's event loop: at once when it signals there
	 * already (a cached answer), through the loop's task queue from any other thread.
	 */
	public static <T> Mono<T> resume(Mono<T> source, ServerWebExchange exchange) {
		return resume(source, of(exchange));
	}

	/** Runs {@code source} (subscribes to it) on the request's event loop, at once if already there. */
	public static <T> Mono<T> on(Mono<T> source, ServerWebExchange exchange) {
		return on(source, of(exchange));
	}

	static <T> Mono<T> resume(Mono<T> source, EventLoop loop) {
		return (loop == null) ? source : source.publishOn(scheduler(loop));
	}

	static <T> Mono<T> on(Mono<T> source, EventLoop loop) {
		return (loop == null) ? source : source.subscribeOn(scheduler(loop));
	}

	private static Scheduler scheduler(EventLoop loop) {
		return SCHEDULERS.computeIfAbsent(loop, (key) -> Schedulers.fromExecutor(inLoopOrQueued(key)));
	}

	private static Executor inLoopOrQueued(EventLoop loop) {
		return (task) -> {
			if (loop.inEventLoop()) {
				task.run();
			}
			else {
				loop.execute(task);
			}
		};
	}

}
