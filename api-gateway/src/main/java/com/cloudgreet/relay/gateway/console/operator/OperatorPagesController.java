package com.cloudgreet.relay.gateway.console.operator;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import com.cloudgreet.relay.common.operator.OperatorViews;
import com.cloudgreet.relay.gateway.auth.Caller;
import com.cloudgreet.relay.gateway.config.GatewayProperties;
import com.cloudgreet.relay.gateway.console.ConsoleFilter;
import com.cloudgreet.relay.gateway.replay.BulkReplays;
import com.cloudgreet.relay.gateway.status.OwnerClient.Owner;
import com.cloudgreet.relay.gateway.tenant.TenantStore;
import io.swagger.v3.oas.annotations.Hidden;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.ModelAttribute;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.reactive.result.view.Rendering;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * The operator console's pages, across tenants: tenants and their limits, dead letters by channel
 * and cause, paused channels, disabled endpoints, consumer lag, and the bulk replay form. A
 * service that does not answer shows as unavailable on its part of a page; the rest still renders.
 */
@Controller
@Hidden
public class OperatorPagesController {

	private static final Logger log = LoggerFactory.getLogger(OperatorPagesController.class);

	private static final int PAGE = 50;

	private static final List<String> CHANNELS = List.of("email", "sms", "webhook");

	private static final Set<String> CAUSES = Set.of("exhausted", "rejected");

	private final TenantStore tenants;

	private final OperatorOwners owners;

	private final ConsumerLag lag;

	private final BulkReplays replays;

	private final GatewayProperties.Rate defaultRate;

	public OperatorPagesController(TenantStore tenants, OperatorOwners owners, ConsumerLag lag, BulkReplays replays,
			GatewayProperties properties) {
		this.tenants = tenants;
		this.owners = owners;
		this.lag = lag;
		this.replays = replays;
		this.defaultRate = properties.gateway().rateLimit().defaultRate();
	}

	/** Runs before every handler here: without an operator session nothing here is reached. */
	@ModelAttribute
	void requireOperator(ServerWebExchange exchange) {
		Caller.operator(exchange);
	}

	@GetMapping({ OperatorPaths.ROOT, OperatorPaths.ROOT + "/" })
	public Rendering home() {
		return Rendering.redirectTo(OperatorPaths.TENANTS).status(HttpStatus.SEE_OTHER).build();
	}

	@GetMapping(OperatorPaths.TENANTS)
	public Mono<Rendering> tenants(@RequestParam(required = false) String before, ServerWebExchange exchange) {
		return this.tenants.page(blankToNull(before), PAGE + 1).collectList().map((rows) -> {
			boolean more = rows.size() > PAGE;
			var shown = more ? rows.subList(0, PAGE) : rows;
			return page("tenants", exchange).modelAttribute("tenants", shown)
				.modelAttribute("next", more ? shown.get(PAGE - 1).id() : null)
				.modelAttribute("defaultRate", this.defaultRate)
				.build();
		});
	}

	@GetMapping(OperatorPaths.DEAD_LETTERS)
	public Mono<Rendering> deadLetters(@RequestParam(required = false) String channel,
			@RequestParam(required = false) String cause, @RequestParam(required = false) String before,
			ServerWebExchange exchange) {
		String causeFilter = cause != null && CAUSES.contains(cause) ? cause : null;
		Mono<Optional<OperatorViews.DeadLetterCounts>> notification = available(
				this.owners.deadLetterCounts(Owner.NOTIFICATION), "notification dead-letter counts");
		Mono<Optional<OperatorViews.DeadLetterCounts>> webhook = available(this.owners.deadLetterCounts(Owner.WEBHOOK),
				"webhook dead-letter counts");
		return Mono.zip(notification, webhook).flatMap((counts) -> {
			List<OperatorViews.DeadLetterCount> all = new ArrayList<>();
			counts.getT1().ifPresent((c) -> all.addAll(c.counts()));
			counts.getT2().ifPresent((c) -> all.addAll(c.counts()));
			// Without a choice, the first channel that has dead letters is listed.
			String shown = channel != null && CHANNELS.contains(channel) ? channel
					: all.stream().map(OperatorViews.DeadLetterCount::channel).filter(CHANNELS::contains)
						.findFirst().orElse("email");
			return available(this.owners.deadLetters(shown, causeFilter, blankToNull(before)), "dead letters of " + shown)
				.map((list) -> page("dead-letters", exchange).modelAttribute("counts", all)
					.modelAttribute("unavailable", unavailable(counts.getT1().isEmpty(), counts.getT2().isEmpty()))
					.modelAttribute("channels", CHANNELS)
					.modelAttribute("channel", shown)
					.modelAttribute("cause", causeFilter == null ? "" : causeFilter)
					.modelAttribute("listUnavailable", list.isEmpty())
					.modelAttribute("deadLetters", list.map(OperatorViews.DeadLetterPage::data).orElse(List.of()))
					.modelAttribute("next", list.map(OperatorViews.DeadLetterPage::next).orElse(null))
					.build());
		});
	}

	@GetMapping(OperatorPaths.CHANNELS)
	public Mono<Rendering> channels(ServerWebExchange exchange) {
		return available(this.owners.channels(), "channel states").map((states) -> page("channels", exchange)
			.modelAttribute("channels", states.map(Arrays::asList).orElse(List.of()))
			.modelAttribute("unavailable", states.isEmpty())
			.build());
	}

	@GetMapping(OperatorPaths.ENDPOINTS)
	public Mono<Rendering> endpoints(@RequestParam(required = false) String after, ServerWebExchange exchange) {
		return available(this.owners.disabledEndpoints(blankToNull(after)), "disabled endpoints")
			.map((found) -> page("endpoints", exchange)
				.modelAttribute("endpoints", found.map(OperatorViews.DisabledEndpointPage::data).orElse(List.of()))
				.modelAttribute("next", found.map(OperatorViews.DisabledEndpointPage::next).orElse(null))
				.modelAttribute("unavailable", found.isEmpty())
				.build());
	}

	@GetMapping(OperatorPaths.LAG)
	public Mono<Rendering> lag(ServerWebExchange exchange) {
		return available(this.lag.rows(), "consumer lag").map((rows) -> page("lag", exchange)
			.modelAttribute("rows", rows.orElse(List.of()))
			.modelAttribute("unavailable", rows.isEmpty())
			.build());
	}

	@GetMapping(OperatorPaths.REPLAY)
	public Rendering replayForm(@RequestParam(required = false) String channel,
			@RequestParam(required = false) String tenantId, @RequestParam(required = false) String endpointId,
			@RequestParam(required = false) String from, @RequestParam(required = false) String to,
			ServerWebExchange exchange) {
		Instant now = Instant.now().truncatedTo(ChronoUnit.MINUTES);
		ReplayForm form = new ReplayForm(channel, tenantId, endpointId,
				from == null ? ReplayForm.text(now.minus(Duration.ofDays(1))) : from,
				to == null ? ReplayForm.text(now.plus(Duration.ofMinutes(1))) : to);
		return page("replay", exchange).modelAttribute("form", form).build();
	}

	@PostMapping(OperatorPaths.REPLAY)
	public Mono<Rendering> replay(ServerWebExchange exchange) {
		return exchange.getFormData().flatMap((data) -> {
			ReplayForm form = ReplayForm.of(data);
			Rendering.Builder<?> view = page("replay", exchange).modelAttribute("form", form);
			com.cloudgreet.relay.common.replay.BulkReplay request;
			try {
				request = form.request();
			}
			catch (IllegalArgumentException ex) {
				return Mono.just(view.modelAttribute("error", ex.getMessage()).status(HttpStatus.BAD_REQUEST).build());
			}
			return this.replays.replay(request).map((outcome) -> outcome.fold(
					(combined) -> view.modelAttribute("result", combined).build(),
					(refused) -> view.modelAttribute("error", "A service refused the replay (HTTP " + refused.status() + ").")
						.status(HttpStatus.BAD_GATEWAY)
						.build()));
		});
	}

	/** A read that may fail (a service down, Kafka away) as an empty optional, logged without its data. */
	private static <T> Mono<Optional<T>> available(Mono<T> read, String what) {
		return read.map(Optional::of).defaultIfEmpty(Optional.empty()).onErrorResume((ex) -> {
			log.warn("Operator console could not read {}: {}", what, ex.toString());
			return Mono.just(Optional.empty());
		});
	}

	private static List<String> unavailable(boolean notification, boolean webhook) {
		List<String> names = new ArrayList<>();
		if (notification) {
			names.add("notification-service");
		}
		if (webhook) {
			names.add("webhook-service");
		}
		return names;
	}

	private static String blankToNull(String value) {
		return value == null || value.isBlank() ? null : value.trim();
	}

	private static Rendering.Builder<?> page(String name, ServerWebExchange exchange) {
		return Rendering.view("console/operator/" + name)
			.modelAttribute("csrf", exchange.getAttribute(ConsoleFilter.CSRF_ATTRIBUTE))
			.modelAttribute("active", name);
	}

}
