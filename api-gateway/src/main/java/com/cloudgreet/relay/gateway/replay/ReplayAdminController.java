package com.cloudgreet.relay.gateway.replay;


import com.cloudgreet.relay.common.json.RelayJson;
import com.cloudgreet.relay.common.replay.BulkReplay;
import com.cloudgreet.relay.gateway.auth.Caller;
import com.cloudgreet.relay.gateway.openapi.ApiSchemas;
import com.cloudgreet.relay.gateway.openapi.OpenApiConfiguration;
import com.cloudgreet.relay.gateway.problem.ApiProblem;
import com.cloudgreet.relay.gateway.web.Reply;
import com.cloudgreet.relay.gateway.web.RequestBodies;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.parameters.RequestBody;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ModelAttribute;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * {@code POST /admin/v1/replays} (admin token): an operator's bulk replay of failed or dead-lettered
 * deliveries by channel, tenant, endpoint and creation window, routed to every owning service's
 * operator area through {@link BulkReplays} (which the operator console's replay form uses too).
 */
@RestController
@Tag(name = "admin", description = "Tenants and API keys (admin token)")
@SecurityRequirement(name = OpenApiConfiguration.ADMIN_TOKEN)
public class ReplayAdminController {

	private final BulkReplays replays;

	private final RequestBodies bodies;

	public ReplayAdminController(BulkReplays replays, RequestBodies bodies) {
		this.replays = replays;
		this.bodies = bodies;
	}

	/** Runs before every handler of this controller: without the admin token nothing here is reached. */
	@ModelAttribute
	void requireAdmin(ServerWebExchange exchange) {
		Caller.admin(exchange);
	}

	@PostMapping("/admin/v1/replays")
	@Operation(summary = "Replay failed or dead-lettered deliveries in bulk",
			description = "Body {\"channel\"?, \"tenantId\"?, \"endpointId\"?, \"from\", \"to\", \"statuses\"?}; deliveries "
					+ "created in [from, to) go out again at once on a fresh retry schedule, at most 10,000 per service "
					+ "and call; repeat while remaining > 0.",
			requestBody = @RequestBody(required = true, content = @Content(mediaType = "application/json",
					schema = @Schema(implementation = BulkReplay.class))))
	@ApiResponse(responseCode = "202", description = "Re-queued: {replayed, remaining, refused (senders the tenant no longer allows), services: {notification?, webhook?}}")
	@ApiResponse(responseCode = "400", description = "Invalid body", content = @Content(mediaType = "application/problem+json", schema = @Schema(implementation = ApiSchemas.Problem.class)))
	@ApiResponse(responseCode = "401", description = "Missing or wrong admin token", content = @Content(mediaType = "application/problem+json", schema = @Schema(implementation = ApiSchemas.Problem.class)))
	public Mono<ResponseEntity<byte[]>> replay(ServerWebExchange exchange) {
		return this.bodies.json(exchange.getRequest())
			.flatMap((body) -> this.replays.replay(read(body)))
			// An owner refused (or is down): its problem goes back as it is; nothing is hidden behind a sum.
			.map((outcome) -> outcome.fold((combined) -> Reply.json(202, combined).toEntity(), Reply::toEntity));
	}

	private static BulkReplay read(byte[] body) {
		try {
			return RelayJson.read(body, BulkReplay.class);
		}
		catch (RuntimeException ex) {
			Throwable cause = ex;
			while (cause.getCause() != null && !(cause instanceof IllegalArgumentException)) {
				cause = cause.getCause();
			}
			if (cause instanceof IllegalArgumentException invalid) {
				throw ApiProblem.badRequest(invalid.getMessage());
			}
			throw ex;
		}
	}

}
