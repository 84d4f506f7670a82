package com.cloudgreet.relay.gateway.replay;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.cloudgreet.relay.common.json.RelayJson;
import com.cloudgreet.relay.common.replay.BulkReplay;
import com.cloudgreet.relay.gateway.auth.Caller;
import com.cloudgreet.relay.gateway.openapi.ApiSchemas;
import com.cloudgreet.relay.gateway.openapi.OpenApiConfiguration;
import com.cloudgreet.relay.gateway.problem.ApiProblem;
import com.cloudgreet.relay.gateway.status.OwnerClient;
import com.cloudgreet.relay.gateway.status.OwnerClient.Owner;
import com.cloudgreet.relay.gateway.web.Reply;
import com.cloudgreet.relay.gateway.web.RequestBodies;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.parameters.RequestBody;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ModelAttribute;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * {@code POST /admin/v1/replays} (admin token): an operator's bulk replay of failed or dead-lettered
 * deliveries by channel, tenant, endpoint and creation window, routed to every owning service's
 * operator area ({@code /internal/v1/admin/replays}). Each service re-queues at most
 * {@link BulkReplay#MAX_PER_CALL} per call and says how many it left, so an operator repeats the
 * call until {@code remaining} is 0.
 */
@RestController
@Tag(name = "admin", description = "Tenants and API keys (admin token)")
@SecurityRequirement(name = OpenApiConfiguration.ADMIN_TOKEN)
public class ReplayAdminController {

	private final OwnerClient owners;

	private final RequestBodies bodies;

	public ReplayAdminController(OwnerClient owners, RequestBodies bodies) {
		this.owners = owners;
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
		return this.bodies.json(exchange.getRequest()).flatMap((body) -> {
			BulkReplay request = read(body);
			byte[] forwarded = RelayJson.write(request);
			return Flux.fromIterable(owners(request))
				.concatMap((owner) -> this.owners
					.call(owner, HttpMethod.POST, BulkReplay.INTERNAL_PATH, null, MediaType.APPLICATION_JSON_VALUE,
							forwarded)
					.map((reply) -> Map.entry(owner, reply)))
				.collectList()
				.map(ReplayAdminController::combined);
		});
	}

	/** email/sms live in notification-service, webhook deliveries (and endpoints) in webhook-service. */
	private static List<Owner> owners(BulkReplay request) {
		if (request.endpointId() != null || "webhook".equals(request.channel())) {
			return List.of(Owner.WEBHOOK);
		}
		return request.channel() != null ? List.of(Owner.NOTIFICATION) : List.of(Owner.NOTIFICATION, Owner.WEBHOOK);
	}

	private static ResponseEntity<byte[]> combined(List<Map.Entry<Owner, Reply>> replies) {
		long replayed = 0;
		long remaining = 0;
		long refused = 0;
		Map<String, BulkReplay.Result> services = new LinkedHashMap<>();
		List<Reply> failed = new ArrayList<>();
		for (Map.Entry<Owner, Reply> entry : replies) {
			Reply reply = entry.getValue();
			if (reply.status() != 202) {
				failed.add(reply);
				continue;
			}
			BulkReplay.Result result = RelayJson.read(reply.body(), BulkReplay.Result.class);
			replayed += result.replayed();
			remaining += result.remaining();
			refused += result.refused();
			services.put(entry.getKey().name().toLowerCase(), result);
		}
		if (!failed.isEmpty()) {
			// An owner refused (or is down): its problem goes back as it is; nothing is hidden behind a sum.
			return failed.get(0).toEntity();
		}
		return Reply.json(202, new Combined(replayed, remaining, refused, services)).toEntity();
	}

	/**
	 * The owners' answers summed; {@code refused}: messages left as they were because their tenant no
	 * longer allows their sender (they stay failed or dead-lettered, and are not counted as remaining).
	 */
	record Combined(long replayed, long remaining, long refused, Map<String, BulkReplay.Result> services) {
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
