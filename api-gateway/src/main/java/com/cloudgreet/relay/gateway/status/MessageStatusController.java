package com.cloudgreet.relay.gateway.status;

import java.util.LinkedHashMap;
import java.util.Map;

import com.cloudgreet.relay.common.http.RelayHttpHeaders;
import com.cloudgreet.relay.common.id.IdKind;
import com.cloudgreet.relay.common.status.StatusPage;
import com.cloudgreet.relay.gateway.auth.Caller;
import com.cloudgreet.relay.gateway.idempotency.IdempotencyStore;
import com.cloudgreet.relay.gateway.message.AcceptedMessages;
import com.cloudgreet.relay.gateway.openapi.ApiSchemas;
import com.cloudgreet.relay.gateway.problem.ApiProblem;
import com.cloudgreet.relay.gateway.status.OwnerClient.Owner;
import com.cloudgreet.relay.gateway.web.Reply;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.enums.ParameterIn;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import org.springframework.http.HttpMethod;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.util.UriComponentsBuilder;
import reactor.core.publisher.Mono;

/**
 * {@code GET /v1/messages/{id}}, {@code POST /v1/messages/{id}/retry} and {@code DELETE /v1/messages/{id}}, routed to the owning
 * service by the id's prefix ({@code evt_} to webhook-service, others to notification-service).
 */
@RestController
public class MessageStatusController {

	private final OwnerClient owners;

	private final AcceptedMessages accepted;

	private final IdempotencyStore idempotency;

	public MessageStatusController(OwnerClient owners, AcceptedMessages accepted, IdempotencyStore idempotency) {
		this.owners = owners;
		this.accepted = accepted;
		this.idempotency = idempotency;
	}

	@GetMapping("/v1/messages/{id}")
	@Operation(summary = "Status of a message (msg_...) or event (evt_...), with its delivery attempts, 50 per answer",
			description = "queued from the moment of the 202 (scheduled until its sendAt); then sending, delivered, retrying, failed or dead_lettered; canceled if canceled before it was sent. "
					+ "Events also list one delivery per endpoint (100 per answer). Attempts are oldest first; "
					+ "when more exist, next.attemptsAfter (and next.deliveriesAfter) is the query parameter of the same name "
					+ "that fetches them; next is null on the last page.")
	@Parameter(in = ParameterIn.QUERY, name = StatusPage.ATTEMPTS_AFTER, description = "next.attemptsAfter of the previous answer")
	@Parameter(in = ParameterIn.QUERY, name = StatusPage.DELIVERIES_AFTER, description = "next.deliveriesAfter of the previous answer (events)")
	@ApiResponse(responseCode = "200", description = "The status", content = @Content(mediaType = "application/json",
			schema = @Schema(implementation = ApiSchemas.MessageStatus.class)))
	@ApiResponse(responseCode = "404", description = "No such message for this tenant", content = @Content(mediaType = "application/problem+json", schema = @Schema(implementation = ApiSchemas.Problem.class)))
	@ApiResponse(responseCode = "503", description = "The owning service is unavailable; see Retry-After", content = @Content(mediaType = "application/problem+json", schema = @Schema(implementation = ApiSchemas.Problem.class)))
	public Mono<ResponseEntity<byte[]>> status(@PathVariable String id, ServerWebExchange exchange) {
		String tenantId = Caller.tenant(exchange).tenantId();
		Owner owner = Owner.of(id).orElseThrow(() -> unknown(id));
		return this.owners.call(owner, HttpMethod.GET, "/internal/v1/messages/" + id + pageQuery(exchange), tenantId, null, null)
			.flatMap((reply) -> reply.status() == 404 ? queuedOr(reply, id, tenantId) : Mono.just(reply))
			.map(Reply::toEntity);
	}

	/**
	 * The owner has not seen the id yet, but if this gateway accepted it for this tenant the
	 * record is in Kafka: the truthful answer is {@code queued}, from the moment of the 202.
	 */
	private Mono<Reply> queuedOr(Reply notFound, String id, String tenantId) {
		return this.accepted.find(id, tenantId).map((record) -> {
			Map<String, Object> body = new LinkedHashMap<>();
			body.put("id", id);
			body.put("channel", record.channel().id());
			body.put("status", "queued");
			body.put("createdAt", record.acceptedAt());
			body.put("updatedAt", record.acceptedAt());
			body.put("attempts", java.util.List.of());
			body.put("next", null);
			return Reply.json(200, body);
		}).defaultIfEmpty(notFound);
	}

	/**
	 * The status API's page cursors, passed on to the owner as they came (encoded again): the
	 * owner validates them and answers a malformed one with its problem.
	 */
	private static String pageQuery(ServerWebExchange exchange) {
		UriComponentsBuilder query = UriComponentsBuilder.newInstance();
		for (String name : new String[] { StatusPage.ATTEMPTS_AFTER, StatusPage.DELIVERIES_AFTER }) {
			String value = exchange.getRequest().getQueryParams().getFirst(name);
			if (value != null) {
				query.queryParam(name, value);
			}
		}
		return query.encode().build().toUriString();
	}

	@PostMapping("/v1/messages/{id}/retry")
	@Operation(summary = "Re-queue a failed or dead-lettered message or event")
	@ApiResponse(responseCode = "202", description = "Queued again", content = @Content(mediaType = "application/json",
			schema = @Schema(implementation = ApiSchemas.Accepted.class)))
	@ApiResponse(responseCode = "404", description = "No such message for this tenant", content = @Content(mediaType = "application/problem+json", schema = @Schema(implementation = ApiSchemas.Problem.class)))
	@ApiResponse(responseCode = "409", description = "Not failed or dead-lettered", content = @Content(mediaType = "application/problem+json", schema = @Schema(implementation = ApiSchemas.Problem.class)))
	@ApiResponse(responseCode = "422", description = "The message's sender is not (or no longer) on the tenant's allowlist (`sender-not-allowed`, naming the field, never the address)", content = @Content(mediaType = "application/problem+json", schema = @Schema(implementation = ApiSchemas.Problem.class)))
	@ApiResponse(responseCode = "503", description = "The owning service is unavailable; see Retry-After", content = @Content(mediaType = "application/problem+json", schema = @Schema(implementation = ApiSchemas.Problem.class)))
	public Mono<ResponseEntity<byte[]>> retry(@PathVariable String id, ServerWebExchange exchange) {
		String tenantId = Caller.tenant(exchange).tenantId();
		Owner owner = Owner.of(id).orElseThrow(() -> unknown(id));
		String key = exchange.getRequest().getHeaders().getFirst(RelayHttpHeaders.IDEMPOTENCY_KEY);
		return this.idempotency
			.execute(tenantId, key, "POST", exchange.getRequest().getPath().value(), new byte[0],
					(idempotent) -> this.owners.call(owner, HttpMethod.POST, "/internal/v1/messages/" + id + "/retry", tenantId,
							null, null))
			.map(Reply::toEntity);
	}

	@DeleteMapping("/v1/messages/{id}")
	@Operation(summary = "Cancel a message or event not yet sent",
			description = "A message (msg_...) that is scheduled, or queued for its first attempt, becomes canceled and is "
					+ "never sent; an event (evt_...) cancels every delivery not yet sent. Canceling again answers the same.")
	@ApiResponse(responseCode = "200", description = "Canceled", content = @Content(mediaType = "application/json",
			schema = @Schema(implementation = ApiSchemas.Accepted.class)))
	@ApiResponse(responseCode = "404", description = "No such message for this tenant", content = @Content(mediaType = "application/problem+json", schema = @Schema(implementation = ApiSchemas.Problem.class)))
	@ApiResponse(responseCode = "409", description = "Sending has started or the message has settled (`message-not-cancelable`)", content = @Content(mediaType = "application/problem+json", schema = @Schema(implementation = ApiSchemas.Problem.class)))
	@ApiResponse(responseCode = "503", description = "The owning service is unavailable; see Retry-After", content = @Content(mediaType = "application/problem+json", schema = @Schema(implementation = ApiSchemas.Problem.class)))
	public Mono<ResponseEntity<byte[]>> cancel(@PathVariable String id, ServerWebExchange exchange) {
		String tenantId = Caller.tenant(exchange).tenantId();
		Owner owner = Owner.of(id).orElseThrow(() -> unknown(id));
		return this.owners.call(owner, HttpMethod.DELETE, "/internal/v1/messages/" + id, tenantId, null, null)
			.map(Reply::toEntity);
	}

	private static ApiProblem unknown(String id) {
		return ApiProblem.notFound("No message with this id.");
	}

}
