package com.cloudgreet.relay.gateway.console;

import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

import com.cloudgreet.relay.gateway.auth.Caller;
import com.cloudgreet.relay.gateway.tenant.Tenant;
import com.cloudgreet.relay.gateway.tenant.TenantStore;
import io.swagger.v3.oas.annotations.Hidden;
import org.springframework.http.HttpCookie;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.reactive.result.view.Rendering;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * The console's tenant pages (read-only in this slice): endpoints, messages, one message with its
 * attempts; plus the way in (the link exchange) and out (logout). Every page names its tenant and
 * shows only what the session's grant covers.
 */
@Controller
@Hidden
public class ConsoleController {

	/** Ids are plain ASCII; anything else cannot name a message and is not passed on. */
	private static final Pattern ID = Pattern.compile("[A-Za-z0-9_]{1,64}");

	private static final Set<String> STATUSES = Set.of("queued", "sending", "delivered", "failed", "dead_lettered");

	private final PortalGrants grants;

	private final ConsoleOwners owners;

	private final ConsoleCookies cookies;

	private final TenantStore tenants;

	public ConsoleController(PortalGrants grants, ConsoleOwners owners, ConsoleCookies cookies, TenantStore tenants) {
		this.grants = grants;
		this.owners = owners;
		this.cookies = cookies;
		this.tenants = tenants;
	}

	/** The link's landing page: its script takes the token from the fragment and posts it with the CSRF token. */
	@GetMapping(ConsolePaths.LOGIN)
	public Rendering login(ServerWebExchange exchange) {
		return page("console/login", exchange).build();
	}

	@PostMapping(ConsolePaths.LOGIN)
	public Mono<Rendering> exchangeLink(ServerWebExchange exchange) {
		return exchange.getFormData()
			.mapNotNull((form) -> form.getFirst("token"))
			.filter((token) -> !token.isBlank())
			.flatMap(this.grants::redeemLink)
			.flatMap(this.grants::openSession)
			.map((session) -> {
				exchange.getResponse().addCookie(this.cookies.session(exchange, session.id(), session.ttl()));
				return Rendering.redirectTo(ConsolePaths.ENDPOINTS).status(HttpStatus.SEE_OTHER).build();
			})
			// Post/redirect/get: a refused exchange leaves the browser on the expired page, not on the
			// login path, where opening a new link would only change the fragment and load nothing.
			.switchIfEmpty(Mono.fromSupplier(() -> Rendering.redirectTo(ConsolePaths.EXPIRED)
				.status(HttpStatus.SEE_OTHER)
				.build()));
	}

	@GetMapping(ConsolePaths.EXPIRED)
	public Rendering expired(ServerWebExchange exchange) {
		return expiredPage(exchange);
	}

	@PostMapping(ConsolePaths.LOGOUT)
	public Mono<Rendering> logout(ServerWebExchange exchange) {
		Caller.console(exchange);
		HttpCookie cookie = exchange.getRequest().getCookies().getFirst(ConsolePaths.SESSION_COOKIE);
		exchange.getResponse().addCookie(this.cookies.endSession(exchange));
		return this.grants.closeSession(cookie.getValue())
			.thenReturn(Rendering.redirectTo(ConsolePaths.EXPIRED).status(HttpStatus.SEE_OTHER).build());
	}

	@GetMapping({ ConsolePaths.ROOT, ConsolePaths.ROOT + "/" })
	public Rendering home(ServerWebExchange exchange) {
		Caller.console(exchange);
		return Rendering.redirectTo(ConsolePaths.ENDPOINTS).status(HttpStatus.SEE_OTHER).build();
	}

	@GetMapping(ConsolePaths.ENDPOINTS)
	public Mono<Rendering> endpoints(@RequestParam(required = false) String after, ServerWebExchange exchange) {
		PortalGrant grant = Caller.console(exchange).grant();
		return this.owners.endpoints(grant.tenantId(), after)
			.defaultIfEmpty(new ConsoleViews.EndpointPage(List.of(), null))
			.flatMap((page) -> tenantPage("console/endpoints", exchange, grant)
				.map((view) -> view.modelAttribute("endpoints",
						page.data().stream().filter((e) -> grant.allows(e.id())).toList())
					.modelAttribute("next", page.next())
					.build()));
	}

	@GetMapping(ConsolePaths.MESSAGES)
	public Mono<Rendering> messages(@RequestParam(required = false) String id,
			@RequestParam(required = false) String status, @RequestParam(required = false) String channel,
			@RequestParam(required = false) String before, ServerWebExchange exchange) {
		PortalGrant grant = Caller.console(exchange).grant();
		if (id != null && !id.isBlank()) {
			// Searching by id opens the message: ids are unique, a list of one says nothing more.
			String target = ID.matcher(id.trim()).matches() ? ConsolePaths.MESSAGES + "/" + id.trim() : ConsolePaths.MESSAGES;
			return Mono.just(Rendering.redirectTo(target).status(HttpStatus.SEE_OTHER).build());
		}
		String statusFilter = status != null && STATUSES.contains(status) ? status : null;
		String channelFilter = channel == null || channel.isBlank() ? "webhook" : channel;
		Mono<ConsoleViews.MessagePage> page = "webhook".equals(channelFilter)
				? this.owners.events(grant.tenantId(), statusFilter, grant.endpointIds(), before)
				// Email and SMS are listed by notification-service in a later slice; searching by id opens them.
				: Mono.empty();
		return page.defaultIfEmpty(new ConsoleViews.MessagePage(List.of(), null))
			.flatMap((messages) -> tenantPage("console/messages", exchange, grant)
				.map((view) -> view.modelAttribute("messages", messages.data())
					.modelAttribute("next", messages.next())
					.modelAttribute("status", statusFilter == null ? "" : statusFilter)
					.modelAttribute("channel", channelFilter)
					.modelAttribute("statuses", List.of("queued", "sending", "delivered", "failed", "dead_lettered"))
					.build()));
	}

	@GetMapping(ConsolePaths.MESSAGES + "/{id}")
	public Mono<Rendering> message(@PathVariable String id, ServerWebExchange exchange) {
		PortalGrant grant = Caller.console(exchange).grant();
		Mono<ConsoleViews.Message> message = ID.matcher(id).matches()
				? this.owners.message(grant.tenantId(), id) : Mono.empty();
		return message
			.filter((found) -> grant.endpointIds().isEmpty() || "webhook".equals(found.channel()))
			.map((found) -> found.within(grant))
			.flatMap((found) -> tenantPage("console/message", exchange, grant)
				.map((view) -> view.modelAttribute("message", found).build()))
			.switchIfEmpty(Mono.defer(() -> tenantPage("console/not-found", exchange, grant)
				.map((view) -> view.status(HttpStatus.NOT_FOUND).modelAttribute("id", id).build())));
	}

	private Rendering expiredPage(ServerWebExchange exchange) {
		return page("console/expired", exchange).status(HttpStatus.GONE).build();
	}

	private Mono<Rendering.Builder<?>> tenantPage(String template, ServerWebExchange exchange, PortalGrant grant) {
		return this.tenants.find(grant.tenantId())
			.map(Tenant::name)
			.defaultIfEmpty(grant.tenantId())
			.map((name) -> page(template, exchange).modelAttribute("tenantName", name)
				.modelAttribute("scope", grant.scope().name().toLowerCase(java.util.Locale.ROOT)));
	}

	private static Rendering.Builder<?> page(String template, ServerWebExchange exchange) {
		return Rendering.view(template).modelAttribute("csrf", exchange.getAttribute(ConsoleFilter.CSRF_ATTRIBUTE));
	}

}
