package com.cloudgreet.relay.webhook.operator;

import java.time.Duration;
import java.time.Instant;

import com.cloudgreet.relay.common.operator.KeysetCursor;
import com.cloudgreet.relay.common.operator.OperatorViews;
import com.cloudgreet.relay.common.operator.OperatorViews.DeadLetter;
import com.cloudgreet.relay.common.operator.OperatorViews.DisabledEndpoint;
import com.cloudgreet.relay.common.web.InternalCallerFilter;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.ModelAttribute;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * The operator console's reads of webhooks across tenants (token only, no tenant): dead letters
 * counted by cause and listed keyset-paginated, and disabled endpoints.
 */
@RestController
public class OperatorController {

	private static final Duration DEFAULT_WINDOW = Duration.ofHours(24);

	private final OperatorQueries queries;

	public OperatorController(OperatorQueries queries) {
		this.queries = queries;
	}

	/** Runs before every handler here: only a call the filter verified for the operator area gets in. */
	@ModelAttribute
	void requireAdmin(ServerWebExchange exchange) {
		InternalCallerFilter.requireAdmin(exchange);
	}

	@GetMapping(OperatorViews.DEAD_LETTER_COUNTS_PATH)
	public Mono<OperatorViews.DeadLetterCounts> counts(@RequestParam(required = false) Instant since) {
		Instant from = since == null ? Instant.now().minus(DEFAULT_WINDOW) : since;
		return this.queries.counts(from).collectList().map((counts) -> new OperatorViews.DeadLetterCounts(from, counts));
	}

	/** {@code channel} is accepted for symmetry with notification-service; every row here is a webhook. */
	@GetMapping(OperatorViews.DEAD_LETTERS_PATH)
	public Mono<OperatorViews.DeadLetterPage> deadLetters(@RequestParam(required = false) String cause,
			@RequestParam(required = false) String before, @RequestParam(defaultValue = "50") int limit) {
		int size = size(limit);
		// One more than asked: whether it comes tells if there is a next page.
		return this.queries.deadLetters(cause, KeysetCursor.decode(before), size + 1).collectList().map((rows) -> {
			if (rows.size() <= size) {
				return new OperatorViews.DeadLetterPage(rows, null);
			}
			DeadLetter last = rows.get(size - 1);
			return new OperatorViews.DeadLetterPage(rows.subList(0, size),
					new KeysetCursor(last.createdAt(), last.id()).encode());
		});
	}

	@GetMapping(OperatorViews.DISABLED_ENDPOINTS_PATH)
	public Mono<OperatorViews.DisabledEndpointPage> disabledEndpoints(@RequestParam(required = false) String after,
			@RequestParam(defaultValue = "50") int limit) {
		int size = size(limit);
		return this.queries.disabledEndpoints(after, size + 1).collectList().map((rows) -> {
			if (rows.size() <= size) {
				return new OperatorViews.DisabledEndpointPage(rows, null);
			}
			DisabledEndpoint last = rows.get(size - 1);
			return new OperatorViews.DisabledEndpointPage(rows.subList(0, size), last.id());
		});
	}

	private static int size(int limit) {
		return Math.max(1, Math.min(limit, OperatorViews.MAX_PAGE));
	}

}
