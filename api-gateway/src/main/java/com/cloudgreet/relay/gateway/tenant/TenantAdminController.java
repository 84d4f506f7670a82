package com.cloudgreet.relay.gateway.tenant;

import java.util.List;

import com.cloudgreet.relay.common.json.RelayJson;
import com.cloudgreet.relay.common.message.AllowedSenders;
import com.cloudgreet.relay.gateway.auth.Caller;
import com.cloudgreet.relay.gateway.openapi.ApiSchemas;
import com.cloudgreet.relay.gateway.openapi.OpenApiConfiguration;
import com.cloudgreet.relay.gateway.problem.ApiProblem;
import com.cloudgreet.relay.gateway.sender.TenantSenders;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.parameters.RequestBody;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.tags.Tag;
import com.cloudgreet.relay.gateway.web.Reply;
import com.cloudgreet.relay.gateway.web.RequestBodies;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.ModelAttribute;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * The admin API ({@code /admin/v1/**}, admin token only): tenants, their limits, their allowed
 * senders and their keys.
 * A key is shown exactly once, in the answer that creates it. Rotation is "add a key, move
 * clients over, revoke the old one", so no client is ever left without a working key.
 */
@RestController
@Tag(name = "admin", description = "Tenants and API keys (admin token)")
@SecurityRequirement(name = OpenApiConfiguration.ADMIN_TOKEN)
public class TenantAdminController {

	private final TenantStore store;

	private final ApiKeyAuthenticator keys;

	private final RequestBodies bodies;

	private final TenantSenders senders;

	public TenantAdminController(TenantStore store, ApiKeyAuthenticator keys, RequestBodies bodies,
			TenantSenders senders) {
		this.store = store;
		this.keys = keys;
		this.bodies = bodies;
		this.senders = senders;
	}

	/**
	 * Runs before every handler of this controller: a request that reaches one without the admin
	 * token (a filter bypassed, a new route outside the admin area) is refused, whatever the handler.
	 */
	@ModelAttribute
	void requireAdmin(ServerWebExchange exchange) {
		Caller.admin(exchange);
	}

	@PostMapping("/admin/v1/tenants")
	@Operation(summary = "Create a tenant; the answer shows its first API key, once",
			requestBody = @RequestBody(required = true, content = @Content(mediaType = "application/json",
					schema = @Schema(implementation = TenantRequests.CreateTenant.class))))
	@ApiResponse(responseCode = "201", description = "Created; apiKey is shown only here", content = @Content(
			mediaType = "application/json", schema = @Schema(implementation = TenantRequests.CreatedKey.class)))
	@ApiResponse(responseCode = "401", description = "Missing or wrong admin token", content = @Content(mediaType = "application/problem+json", schema = @Schema(implementation = ApiSchemas.Problem.class)))
	@ApiResponse(responseCode = "422", description = "Invalid fields", content = @Content(mediaType = "application/problem+json", schema = @Schema(implementation = ApiSchemas.Problem.class)))
	public Mono<ResponseEntity<byte[]>> create(ServerWebExchange exchange) {
		return this.bodies.json(exchange.getRequest()).flatMap((body) -> {
			TenantRequests.CreateTenant request = RelayJson.read(body, TenantRequests.CreateTenant.class);
			String tenantId = TenantStore.newTenantId();
			String keyId = TenantStore.newKeyId();
			String apiKey = ApiKeys.generate();
			TenantRequests.RateLimit limit = request.rateLimit();
			return this.store
				.create(tenantId, request.name(), limit == null ? null : limit.requestsPerSecond(),
						limit == null ? null : limit.burst(), request.senders(), keyId, ApiKeys.hash(apiKey),
						ApiKeys.hint(apiKey))
				.then(Mono.fromSupplier(() -> created("/admin/v1/tenants/" + tenantId,
						new TenantRequests.CreatedKey(tenantId, apiKey, keyId))));
		});
	}

	@GetMapping("/admin/v1/tenants/{tenantId}")
	@Operation(summary = "Show a tenant with its limit, key ids and key hints (never keys)")
	@ApiResponse(responseCode = "200", description = "The tenant",
			content = @Content(mediaType = "application/json", schema = @Schema(implementation = Tenant.class)))
	@ApiResponse(responseCode = "404", description = "No such tenant", content = @Content(mediaType = "application/problem+json", schema = @Schema(implementation = ApiSchemas.Problem.class)))
	public Mono<ResponseEntity<byte[]>> show(@PathVariable String tenantId) {
		return this.store.find(tenantId)
			.map((tenant) -> Reply.json(200, tenant).toEntity())
			.switchIfEmpty(Mono.error(() -> ApiProblem.notFound("No tenant with this id.")));
	}

	/** A new key for an existing tenant; the old keys keep working until revoked. */
	@PostMapping("/admin/v1/tenants/{tenantId}/keys")
	@Operation(summary = "Add an API key (rotation); the answer shows it, once")
	@ApiResponse(responseCode = "201", description = "Created; apiKey is shown only here", content = @Content(
			mediaType = "application/json", schema = @Schema(implementation = TenantRequests.CreatedKey.class)))
	@ApiResponse(responseCode = "404", description = "No such tenant", content = @Content(mediaType = "application/problem+json", schema = @Schema(implementation = ApiSchemas.Problem.class)))
	public Mono<ResponseEntity<byte[]>> addKey(@PathVariable String tenantId) {
		String keyId = TenantStore.newKeyId();
		String apiKey = ApiKeys.generate();
		return this.store.addKey(tenantId, keyId, ApiKeys.hash(apiKey), ApiKeys.hint(apiKey))
			.flatMap((added) -> added
					? Mono.just(created("/admin/v1/tenants/" + tenantId + "/keys/" + keyId,
							new TenantRequests.CreatedKey(keyId, apiKey, keyId)))
					: Mono.error(ApiProblem.notFound("No tenant with this id.")));
	}

	/** Revokes a key at once: the cached lookup is evicted in the same request. */
	@DeleteMapping("/admin/v1/tenants/{tenantId}/keys/{keyId}")
	@Operation(summary = "Revoke an API key, effective at once on every gateway")
	@ApiResponse(responseCode = "204", description = "Revoked")
	@ApiResponse(responseCode = "404", description = "No such key for this tenant", content = @Content(mediaType = "application/problem+json", schema = @Schema(implementation = ApiSchemas.Problem.class)))
	public Mono<ResponseEntity<byte[]>> revoke(@PathVariable String tenantId, @PathVariable String keyId) {
		return this.store.revokeKey(tenantId, keyId)
			.flatMap((hash) -> this.keys.evict(List.of(hash)).thenReturn(ResponseEntity.noContent().<byte[]>build()))
			.switchIfEmpty(Mono.error(() -> ApiProblem.notFound("No key with this id for this tenant.")));
	}

	@PutMapping("/admin/v1/tenants/{tenantId}/rate-limit")
	@Operation(summary = "Set a tenant's own rate limit",
			requestBody = @RequestBody(required = true, content = @Content(mediaType = "application/json",
					schema = @Schema(implementation = TenantRequests.RateLimit.class))))
	@ApiResponse(responseCode = "200", description = "The limit now in force", content = @Content(
			mediaType = "application/json", schema = @Schema(implementation = TenantRequests.RateLimit.class)))
	@ApiResponse(responseCode = "404", description = "No such tenant", content = @Content(mediaType = "application/problem+json", schema = @Schema(implementation = ApiSchemas.Problem.class)))
	@ApiResponse(responseCode = "422", description = "Invalid fields", content = @Content(mediaType = "application/problem+json", schema = @Schema(implementation = ApiSchemas.Problem.class)))
	public Mono<ResponseEntity<byte[]>> setLimit(@PathVariable String tenantId, ServerWebExchange exchange) {
		return this.bodies.json(exchange.getRequest()).flatMap((body) -> {
			TenantRequests.RateLimit limit = RelayJson.read(body, TenantRequests.RateLimit.class);
			return this.store.updateLimit(tenantId, limit.requestsPerSecond(), limit.burst())
				.collectList()
				.flatMap((hashes) -> hashes.isEmpty() ? Mono.error(ApiProblem.notFound("No tenant with this id."))
						: this.keys.evict(hashes).thenReturn(Reply.json(200, limit).toEntity()));
		});
	}

	/** Replaces the whole allowlist, like {@code rate-limit}: what the body says is what holds. */
	@PutMapping("/admin/v1/tenants/{tenantId}/senders")
	@Operation(summary = "Set the senders a tenant may use",
			description = "Email entries are domains (any address at exactly that domain, not subdomains) or single "
					+ "addresses, for from and replyTo; SMS entries are E.164 numbers or alphanumeric sender ids, for "
					+ "from. An empty list allows no custom sender: requests must leave the field out and get the "
					+ "service's default sender. Other gateways apply a change within relay.gateway.sender-cache-ttl.",
			requestBody = @RequestBody(required = true, content = @Content(mediaType = "application/json",
					schema = @Schema(implementation = AllowedSenders.class))))
	@ApiResponse(responseCode = "200", description = "The allowlist now in force (normalised)", content = @Content(
			mediaType = "application/json", schema = @Schema(implementation = AllowedSenders.class)))
	@ApiResponse(responseCode = "404", description = "No such tenant", content = @Content(mediaType = "application/problem+json", schema = @Schema(implementation = ApiSchemas.Problem.class)))
	@ApiResponse(responseCode = "422", description = "Invalid entries", content = @Content(mediaType = "application/problem+json", schema = @Schema(implementation = ApiSchemas.Problem.class)))
	public Mono<ResponseEntity<byte[]>> setSenders(@PathVariable String tenantId, ServerWebExchange exchange) {
		return this.bodies.json(exchange.getRequest()).flatMap((body) -> {
			AllowedSenders allowed = RelayJson.read(body, AllowedSenders.class);
			return this.store.updateSenders(tenantId, allowed).flatMap((updated) -> {
				if (!updated) {
					return Mono.error(ApiProblem.notFound("No tenant with this id."));
				}
				this.senders.evict(tenantId);
				return Mono.just(Reply.json(200, allowed).toEntity());
			});
		});
	}

	private static ResponseEntity<byte[]> created(String location, Object body) {
		return Reply.json(201, body).withHeader(HttpHeaders.LOCATION, location).toEntity();
	}

}
