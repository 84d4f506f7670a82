package com.cloudgreet.relay.gateway.web;

import io.micrometer.context.ContextSnapshot;
import io.micrometer.context.ContextSnapshotFactory;
import reactor.util.context.ContextView;

/**
 * Context propagation is limited (see {@code application.yml}): a request's observation, its span
 * and the log MDC live in the Reactor context, not in thread locals. The few places that need them
 * as thread locals (the Kafka send, which reads the current observation for the record's
 * {@code traceparent}; log lines that must carry the trace id) restore them for that call only.
 */
public final class RequestTrace {

	private static final ContextSnapshotFactory SNAPSHOTS = ContextSnapshotFactory.builder().build();

	private RequestTrace() {
	}

	/** Makes the request's trace current on this thread until the scope closes. */
	public static ContextSnapshot.Scope restore(ContextView context) {
		return SNAPSHOTS.setThreadLocalsFrom(context);
	}

}
