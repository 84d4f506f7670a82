package com.cloudgreet.relay.delivery.failover;

import java.util.function.Function;

import com.cloudgreet.relay.delivery.Outcome;
import reactor.core.publisher.Mono;

/**
 * One provider of a channel: its name (in the attempt log, metrics and health), how it sends a
 * message (never an error signal, as every sender), and its own destination rate ({@code permit},
 * which waits, never fails; empty when it has none).
 */
public record Provider<M>(String name, Function<M, Mono<Outcome>> send, Mono<Void> permit) {

	public Provider {
		if (name == null || name.isBlank()) {
			throw new IllegalArgumentException("a provider needs a name");
		}
		permit = (permit == null) ? Mono.empty() : permit;
	}

}
