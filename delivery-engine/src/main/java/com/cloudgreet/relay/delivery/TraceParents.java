package com.cloudgreet.relay.delivery;

import java.util.HashMap;
import java.util.Map;

import io.micrometer.context.ContextSnapshot;
import io.micrometer.context.ContextSnapshotFactory;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.contextpropagation.ObservationThreadLocalAccessor;
import io.micrometer.observation.transport.ReceiverContext;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.propagation.Propagator;
import reactor.core.publisher.Mono;
import reactor.util.context.ContextView;

/**
 * Carries a trace across the gap between storing an event and delivering it: the W3C
 * {@code traceparent} of the current span is stored with the event, and every delivery attempt
 * runs in an observation whose parent it names, so the attempt's log lines and spans belong to
 * the trace of whoever produced the event, whichever instance runs it and however much later.
 * Shared by every channel; each names its attempt observation.
 */
public final class TraceParents {

	private static final String HEADER = "traceparent";

	private static final ContextSnapshotFactory SNAPSHOTS = ContextSnapshotFactory.builder().build();

	private final Tracer tracer;

	private final Propagator propagator;

	private final ObservationRegistry observations;

	private final String observationName;

	private final String contextualName;

	public TraceParents(Tracer tracer, Propagator propagator, ObservationRegistry observations,
			String observationName, String contextualName) {
		this.observationName = observationName;
		this.contextualName = contextualName;
		this.tracer = tracer;
		this.propagator = propagator;
		this.observations = observations;
	}

	/** The current span as a {@code traceparent} value, or {@code null} outside a trace. */
	public String current() {
		Span span = this.tracer.currentSpan();
		if (span == null) {
			return null;
		}
		Map<String, String> headers = new HashMap<>();
		this.propagator.inject(span.context(), headers, Map::put);
		return headers.get(HEADER);
	}

	/** {@code attempt}, run as a child of {@code traceparent} (as it is when that is {@code null}). */
	public <T> Mono<T> continueIn(String traceparent, String deliveryId, Mono<T> attempt) {
		if (traceparent == null) {
			return attempt;
		}
		return Mono.defer(() -> {
			ReceiverContext<Map<String, String>> context = new ReceiverContext<>((carrier, key) -> carrier.get(key));
			context.setCarrier(Map.of(HEADER, traceparent));
			Observation observation = Observation
				.createNotStarted(this.observationName, () -> context, this.observations)
				.contextualName(this.contextualName)
				.highCardinalityKeyValue("relay.delivery.id", deliveryId)
				.start();
			return attempt.doOnError(observation::error)
				.doFinally((signal) -> observation.stop())
				.contextWrite((reactor) -> reactor.put(ObservationThreadLocalAccessor.KEY, observation));
		});
	}

	/**
	 * Runs {@code logging} with the thread locals (the current observation, so the trace id in the
	 * log's MDC) of the delivery's Reactor {@code context}, which {@link #continueIn} wrote. With
	 * {@code spring.reactor.context-propagation: limited} nothing else restores them on the thread
	 * a signal arrives on; a delivery outside a trace runs {@code logging} as it is.
	 */
	public static void inScope(ContextView context, Runnable logging) {
		if (!context.hasKey(ObservationThreadLocalAccessor.KEY)) {
			logging.run();
			return;
		}
		try (ContextSnapshot.Scope scope = SNAPSHOTS.setThreadLocalsFrom(context, ObservationThreadLocalAccessor.KEY)) {
			logging.run();
		}
	}

}
