package com.cloudgreet.relay.notification.operator;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import com.cloudgreet.relay.common.Channel;
import com.cloudgreet.relay.common.operator.KeysetCursor;
import com.cloudgreet.relay.common.operator.OperatorViews;
import com.cloudgreet.relay.common.operator.OperatorViews.ChannelState;
import com.cloudgreet.relay.common.operator.OperatorViews.DeadLetter;
import com.cloudgreet.relay.common.operator.OperatorViews.ProviderState;
import com.cloudgreet.relay.common.web.InternalCallerFilter;
import com.cloudgreet.relay.delivery.failover.Failover;
import com.cloudgreet.relay.notification.delivery.Engines;
import com.cloudgreet.relay.common.event.RelayRequest;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.ModelAttribute;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * The operator console's reads of email and SMS across tenants (token only, no tenant): dead
 * letters counted by channel and cause and listed keyset-paginated, and whether each channel or
 * provider is paused.
 */
@RestController
public class OperatorController {

	private static final Duration DEFAULT_WINDOW = Duration.ofHours(24);

	private final DeadLetterQueries deadLetters;

	private final Engines engines;

	private final Failover<RelayRequest> emailProviders;

	private final Failover<RelayRequest> smsProviders;

	public OperatorController(DeadLetterQueries deadLetters, Engines engines,
			@Qualifier("emailProviders") Failover<RelayRequest> emailProviders,
			@Qualifier("smsProviders") Failover<RelayRequest> smsProviders) {
		this.deadLetters = deadLetters;
		this.engines = engines;
		this.emailProviders = emailProviders;
		this.smsProviders = smsProviders;
	}

	/** Runs before every handler here: only a call the filter verified for the operator area gets in. */
	@ModelAttribute
	void requireAdmin(ServerWebExchange exchange) {
		InternalCallerFilter.requireAdmin(exchange);
	}

	@GetMapping(OperatorViews.DEAD_LETTER_COUNTS_PATH)
	public Mono<OperatorViews.DeadLetterCounts> counts(@RequestParam(required = false) Instant since) {
		Instant from = since == null ? Instant.now().minus(DEFAULT_WINDOW) : since;
		return this.deadLetters.counts(from).collectList().map((counts) -> new OperatorViews.DeadLetterCounts(from, counts));
	}

	@GetMapping(OperatorViews.DEAD_LETTERS_PATH)
	public Mono<OperatorViews.DeadLetterPage> list(@RequestParam String channel,
			@RequestParam(required = false) String cause, @RequestParam(required = false) String before,
			@RequestParam(defaultValue = "50") int limit) {
		int size = Math.max(1, Math.min(limit, OperatorViews.MAX_PAGE));
		// One more than asked: whether it comes tells if there is a next page.
		return this.deadLetters.list(channel, cause, KeysetCursor.decode(before), size + 1).collectList().map((rows) -> {
			if (rows.size() <= size) {
				return new OperatorViews.DeadLetterPage(rows, null);
			}
			DeadLetter last = rows.get(size - 1);
			return new OperatorViews.DeadLetterPage(rows.subList(0, size),
					new KeysetCursor(last.createdAt(), last.id()).encode());
		});
	}

	@GetMapping(OperatorViews.CHANNELS_PATH)
	public List<ChannelState> channels() {
		return List.of(state(Channel.EMAIL, this.emailProviders), state(Channel.SMS, this.smsProviders));
	}

	private ChannelState state(Channel channel, Failover<RelayRequest> providers) {
		return new ChannelState(channel.id(), this.engines.of(channel).gate().isPaused(), providers.states()
			.stream()
			.map((p) -> new ProviderState(p.name(), p.breaker(), p.paused()))
			.toList());
	}

}
