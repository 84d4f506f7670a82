package com.cloudgreet.relay.webhook.message;

import com.cloudgreet.relay.common.Channel;
import com.cloudgreet.relay.common.replay.BulkReplay;
import com.cloudgreet.relay.common.web.InternalCallerFilter;
import com.cloudgreet.relay.delivery.DeliveryEngine;
import com.cloudgreet.relay.webhook.delivery.WebhookJob;
import com.cloudgreet.relay.webhook.delivery.DeliveryStore;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.ModelAttribute;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * The operator's bulk replay of webhook deliveries ({@code POST /internal/v1/admin/replays}, token
 * only, across tenants): re-queues in PostgreSQL, at most {@link BulkReplay#MAX_PER_CALL} per call,
 * each delivery with its original webhook-id.
 */
@RestController
public class AdminReplayController {

	private final DeliveryStore store;

	private final DeliveryEngine<WebhookJob> engine;

	public AdminReplayController(DeliveryStore store, DeliveryEngine<WebhookJob> engine) {
		this.store = store;
		this.engine = engine;
	}

	/** Runs before every handler here: only a call the filter verified for the operator area gets in. */
	@ModelAttribute
	void requireAdmin(ServerWebExchange exchange) {
		InternalCallerFilter.requireAdmin(exchange);
	}

	@PostMapping(BulkReplay.INTERNAL_PATH)
	@ResponseStatus(HttpStatus.ACCEPTED)
	public Mono<BulkReplay.Result> replay(@RequestBody BulkReplay request) {
		if (request.channel() != null && !Channel.WEBHOOK.id().equals(request.channel())) {
			return Mono.just(new BulkReplay.Result(0, 0)); // notification-service's messages, not ours
		}
		return this.store.replay(request, BulkReplay.MAX_PER_CALL).doOnNext((result) -> {
			if (result.replayed() > 0) {
				this.engine.wakeUp();
			}
		});
	}

}
