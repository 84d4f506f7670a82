package com.cloudgreet.relay.notification.sender;

import java.util.List;
import java.util.stream.Collectors;

import com.cloudgreet.relay.common.event.RelayRequest;
import com.cloudgreet.relay.common.message.Violation;
import reactor.core.publisher.Mono;

/** Whether a request's senders are ones its tenant allows now (not only when it was accepted). */
@FunctionalInterface
public interface SenderCheck {

	/** Why a message is not sent, retried or replayed; spelled once for the attempt log, DLT reason and problem. */
	String REFUSED = "sender not allowed for tenant";

	/** The refused fields (pointers under {@code /data}), empty if every sender is allowed; never the addresses. */
	Mono<List<Violation>> violations(RelayRequest request);

	/** {@link #REFUSED} with the fields and why, e.g. {@code /data/from: is not one of ...}. */
	static String describe(List<Violation> violations) {
		return REFUSED + ": " + violations.stream().map(Violation::toString).collect(Collectors.joining("; "));
	}

}
