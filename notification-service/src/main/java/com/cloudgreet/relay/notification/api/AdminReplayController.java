package com.cloudgreet.relay.notification.api;

import com.cloudgreet.relay.common.Channel;
import com.cloudgreet.relay.common.replay.BulkReplay;
import com.cloudgreet.relay.common.web.InternalCallerFilter;
import com.cloudgreet.relay.notification.delivery.BulkReplayer;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.ModelAttribute;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * The operator's bulk replay of email and SMS ({@code POST /internal/v1/admin/replays}, token only,
 * across tenants): re-queues in PostgreSQL, at most {@link BulkReplay#MAX_PER_CALL} per call, none
 * whose sender its tenant no longer allows ({@link BulkReplayer}).
 */
@RestController
public class AdminReplayController {

	private final BulkReplayer replayer;

	public AdminReplayController(BulkReplayer replayer) {
		this.replayer = replayer;
	}

	/** Runs before every handler here: only a call the filter verified for the operator area gets in. */
	@ModelAttribute
	void requireAdmin(ServerWebExchange exchange) {
		InternalCallerFilter.requireAdmin(exchange);
	}

	@PostMapping(BulkReplay.INTERNAL_PATH)
	@ResponseStatus(HttpStatus.ACCEPTED)
	public Mono<BulkReplay.Result> replay(@RequestBody BulkReplay request) {
		if (Channel.WEBHOOK.id().equals(request.channel()) || request.endpointId() != null) {
			return Mono.just(new BulkReplay.Result(0, 0)); // webhook-service's deliveries, not ours
		}
		return this.replayer.replay(request, BulkReplay.MAX_PER_CALL);
	}

}
