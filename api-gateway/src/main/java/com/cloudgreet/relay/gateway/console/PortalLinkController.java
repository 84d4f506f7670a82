package com.cloudgreet.relay.gateway.console;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.cloudgreet.relay.common.json.RelayJson;
import com.cloudgreet.relay.common.message.InvalidMessageException;
import com.cloudgreet.relay.gateway.auth.Caller;
import com.cloudgreet.relay.gateway.web.RequestBodies;
import io.swagger.v3.oas.annotations.Operation;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * {@code POST /v1/portal-links}: a tenant's backend asks for a single-use console link for one of
 * its users (like Svix's app portal); {@code POST /admin/v1/tenants/{id}/portal-links/revoke} voids
 * every link and session of a tenant. The token travels in the URL's fragment, which browsers never
 * send to a server, so it reaches no access log and no Referer.
 */
@RestController
public class PortalLinkController {

	private final PortalGrants grants;

	private final RequestBodies bodies;

	private final ConsoleProperties properties;

	public PortalLinkController(PortalGrants grants, RequestBodies bodies, ConsoleProperties properties) {
		this.grants = grants;
		this.bodies = bodies;
		this.properties = properties;
	}

	/** The request body; every field optional. */
	record LinkRequest(Duration ttl, String scope, List<String> endpointIds) {
	}

	public record Link(String url, Instant expiresAt) {
	}

	@PostMapping("/v1/portal-links")
	@Operation(summary = "A single-use console link for the tenant (default 1 h, at most 7 d; scope read or manage)")
	public Mono<ResponseEntity<Link>> create(ServerWebExchange exchange) {
		String tenantId = Caller.tenant(exchange).tenantId();
		return this.bodies.json(exchange.getRequest()).defaultIfEmpty(new byte[0]).flatMap((bytes) -> {
			LinkRequest request = bytes.length == 0 ? new LinkRequest(null, null, null)
					: RelayJson.read(bytes, LinkRequest.class);
			Duration ttl = ttl(request.ttl());
			PortalGrant.Scope scope = scope(request.scope());
			Instant expiresAt = Instant.now().plus(ttl);
			return this.grants.createLink(tenantId, scope, request.endpointIds(), expiresAt)
				.map((token) -> ResponseEntity.status(HttpStatus.CREATED)
					.body(new Link(origin(exchange) + ConsolePaths.LOGIN + "#" + token, expiresAt)));
		});
	}

	@PostMapping("/admin/v1/tenants/{id}/portal-links/revoke")
	@Operation(summary = "Void every portal link and console session of a tenant")
	public Mono<Map<String, String>> revoke(@PathVariable String id, ServerWebExchange exchange) {
		Caller.admin(exchange);
		return this.grants.revoke(id).thenReturn(Map.of("tenantId", id, "status", "revoked"));
	}

	private Duration ttl(Duration requested) {
		Duration ttl = requested == null ? this.properties.linkTtl() : requested;
		if (ttl.isNegative() || ttl.isZero() || ttl.compareTo(this.properties.maxLinkTtl()) > 0) {
			throw InvalidMessageException.of("/ttl", "must be a positive ISO-8601 duration of at most "
					+ this.properties.maxLinkTtl());
		}
		return ttl;
	}

	private static PortalGrant.Scope scope(String scope) {
		if (scope == null) {
			return PortalGrant.Scope.READ;
		}
		return switch (scope.toLowerCase(Locale.ROOT)) {
			case "read" -> PortalGrant.Scope.READ;
			case "manage" -> PortalGrant.Scope.MANAGE;
			default -> throw InvalidMessageException.of("/scope", "must be read or manage");
		};
	}

	/** The configured public URL, or the origin this request reached. */
	private String origin(ServerWebExchange exchange) {
		URI configured = this.properties.publicUrl();
		if (configured != null && !configured.toString().isBlank()) {
			return configured.toString().replaceAll("/+$", "");
		}
		URI uri = exchange.getRequest().getURI();
		return uri.getScheme() + "://" + uri.getRawAuthority();
	}

}
