package com.cloudgreet.relay.gateway.message;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.LinkedHashMap;
import java.util.Map;

import com.cloudgreet.relay.common.Channel;
import com.cloudgreet.relay.common.event.CloudEvent;
import com.cloudgreet.relay.common.http.RelayHttpHeaders;
import com.cloudgreet.relay.common.json.RelayJson;
import com.cloudgreet.relay.common.kafka.RecordKeys;
import com.cloudgreet.relay.common.message.EmailMessage;
import com.cloudgreet.relay.common.message.Scheduled;
import com.cloudgreet.relay.common.message.SendAt;
import com.cloudgreet.relay.common.message.SmsMessage;
import com.cloudgreet.relay.common.message.WebhookEvent;
import com.cloudgreet.relay.gateway.auth.Caller;
import com.cloudgreet.relay.gateway.idempotency.IdempotencyStore;
import com.cloudgreet.relay.gateway.idempotency.IdempotentRequest;
import com.cloudgreet.relay.gateway.openapi.ApiSchemas;
import com.cloudgreet.relay.gateway.sender.TenantSenders;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.enums.ParameterIn;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.parameters.RequestBody;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import com.cloudgreet.relay.gateway.problem.ApiProblem;
import com.cloudgreet.relay.gateway.web.Reply;
import com.cloudgreet.relay.gateway.web.RequestBodies;
import com.cloudgreet.relay.gateway.web.RequestLoop;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

/**
 * {@code POST /v1/messages/{email|sms}} and {@code POST /v1/events}: validate strictly, publish a
 * CloudEvent, answer {@code 202} once Kafka has it.
 */
@RestController
public class MessageController {

	static final String SOURCE = "/relay/api-gateway";

	private final RequestBodies bodies;

	private final IdempotencyStore idempotency;

	private final MessagePublisher publisher;

	private final AcceptedMessages accepted;

	private final TenantSenders senders;

	public MessageController(RequestBodies bodies, IdempotencyStore idempotency, MessagePublisher publisher,
			AcceptedMessages accepted, TenantSenders senders) {
		this.bodies = bodies;
		this.idempotency = idempotency;
		this.publisher = publisher;
		this.accepted = accepted;
		this.senders = senders;
	}

	@PostMapping("/v1/messages/email")
	@Operation(summary = "Send an email", requestBody = @RequestBody(required = true,
			content = @Content(mediaType = "application/json", schema = @Schema(implementation = EmailMessage.class))))
	@AcceptedResponses
	public Mono<ResponseEntity<byte[]>> email(ServerWebExchange exchange) {
		return accept(Channel.EMAIL, exchange);
	}

	@PostMapping("/v1/messages/sms")
	@Operation(summary = "Send an SMS", requestBody = @RequestBody(required = true,
			content = @Content(mediaType = "application/json", schema = @Schema(implementation = SmsMessage.class))))
	@AcceptedResponses
	public Mono<ResponseEntity<byte[]>> sms(ServerWebExchange exchange) {
		return accept(Channel.SMS, exchange);
	}

	/** Any other channel: a precise 404 rather than the framework's generic one. */
	@PostMapping("/v1/messages/{channel}")
	@Operation(hidden = true)
	public Mono<ResponseEntity<byte[]>> unknownChannel(@PathVariable String channel) {
		return Mono.error(ApiProblem.notFound("Unknown channel '" + sanitize(channel)
				+ "': messages are sent on /v1/messages/email or /v1/messages/sms, events on /v1/events."));
	}

	@PostMapping("/v1/events")
	@Operation(summary = "Publish a webhook event to the tenant's subscribed endpoints",
			requestBody = @RequestBody(required = true, content = @Content(mediaType = "application/json",
					schema = @Schema(implementation = WebhookEvent.class))))
	@AcceptedResponses
	public Mono<ResponseEntity<byte[]>> event(ServerWebExchange exchange) {
		return accept(Channel.WEBHOOK, exchange);
	}

	/** The answers every accepting endpoint documents. */
	@Target(ElementType.METHOD)
	@Retention(RetentionPolicy.RUNTIME)
	@Parameter(name = "Idempotency-Key", in = ParameterIn.HEADER, required = false,
			description = "Repeat-safe key: the same key and body within 24 h return the first answer",
			schema = @Schema(type = "string", maxLength = 255))
	@ApiResponse(responseCode = "202", description = "Durably queued in Kafka; status scheduled when sendAt is ahead",
			content = @Content(mediaType = "application/json", schema = @Schema(implementation = ApiSchemas.Accepted.class)))
	@ApiResponse(responseCode = "400", description = "Not readable JSON", content = @Content(
			mediaType = "application/problem+json", schema = @Schema(implementation = ApiSchemas.Problem.class)))
	@ApiResponse(responseCode = "422", description = "Invalid fields (a sendAt in the past or over 30 days ahead names /sendAt), "
			+ "or an Idempotency-Key reused with another body",
			content = @Content(mediaType = "application/problem+json",
					schema = @Schema(implementation = ApiSchemas.Problem.class)))
	@ApiResponse(responseCode = "409", description = "The same Idempotency-Key is still in flight", content = @Content(mediaType = "application/problem+json", schema = @Schema(implementation = ApiSchemas.Problem.class)))
	@ApiResponse(responseCode = "413", description = "Body over the size limit", content = @Content(mediaType = "application/problem+json", schema = @Schema(implementation = ApiSchemas.Problem.class)))
	@ApiResponse(responseCode = "415", description = "Not application/json", content = @Content(mediaType = "application/problem+json", schema = @Schema(implementation = ApiSchemas.Problem.class)))
	@ApiResponse(responseCode = "429", description = "Rate limited; see Retry-After", content = @Content(mediaType = "application/problem+json", schema = @Schema(implementation = ApiSchemas.Problem.class)))
	@ApiResponse(responseCode = "503", description = "Kafka or Redis unavailable; nothing was accepted; see Retry-After", content = @Content(mediaType = "application/problem+json", schema = @Schema(implementation = ApiSchemas.Problem.class)))
	@interface AcceptedResponses {

	}


	private Mono<ResponseEntity<byte[]>> accept(Channel channel, ServerWebExchange exchange) {
		String tenantId = Caller.tenant(exchange).tenantId();
		var request = exchange.getRequest();
		String key = request.getHeaders().getFirst(RelayHttpHeaders.IDEMPOTENCY_KEY);
		// The work after a Redis reply (an idempotency claim, the record beside the send) goes back
		// to the request's event loop rather than running on Lettuce's one I/O thread (RequestLoop).
		return RequestLoop.resume(this.bodies.json(request)
			.flatMap((body) -> this.idempotency.execute(tenantId, key, "POST", request.getPath().value(), body,
					(idempotent) -> RequestLoop.on(publish(channel, tenantId, body, idempotent, exchange), exchange))),
				exchange)
			.map(Reply::toEntity);
	}

	private Mono<Reply> publish(Channel channel, String tenantId, byte[] body, IdempotentRequest idempotent,
			ServerWebExchange exchange) {
		// Usually the limiter's Redis call wrote the accepted record already, for an id chosen then
		// (AcceptedMessages). Otherwise the write runs beside the Kafka send rather than after it:
		// the answer waits for the slower of the two, not their sum. If the send fails the client
		// gets a 503 without the id, so a record for it can never be queried and does no harm.
		String recordedId = (idempotent.seed() == null) ? this.accepted.recordedId(exchange, channel) : null;
		return Mono.fromCallable(() -> event(channel, tenantId, body, idempotent, recordedId))
			.flatMap((prepared) -> this.senders.verify(tenantId, prepared.payload()).thenReturn(prepared))
			.flatMap((prepared) -> {
				Mono<Void> send = this.publisher.publish(prepared.event(), prepared.recordKey(), RequestLoop.of(exchange));
				if (recordedId == null) {
					send = Mono.when(send, this.accepted.remember(prepared.event().id(), tenantId, channel));
				}
				return send.then(Mono.fromSupplier(() -> answer(prepared.event(), channel, prepared.payload())));
			});
	}

	private record Prepared(CloudEvent event, String recordKey, Object payload) {
	}

	/** Parses once into a tree, then validates that tree as the channel's payload. */
	private static Prepared event(Channel channel, String tenantId, byte[] body, IdempotentRequest idempotent,
			String recordedId) {
		JsonNode data = RelayJson.read(body, JsonNode.class);
		if (!data.isObject()) {
			throw ApiProblem.badRequest("The body must be a JSON object.");
		}
		String id = (recordedId != null) ? recordedId : idempotent.newId(AcceptedMessages.kind(channel));
		CloudEvent event = CloudEvent.request(channel, id, SOURCE, tenantId, data);
		Prepared prepared = switch (channel) {
			case EMAIL -> new Prepared(event, RecordKeys.forEvent(event), RelayJson.convert(data, EmailMessage.class));
			case SMS -> {
				SmsMessage sms = RelayJson.convert(data, SmsMessage.class);
				yield new Prepared(event, RecordKeys.forSms(tenantId, sms.to()), sms);
			}
			case WEBHOOK -> new Prepared(event, RecordKeys.forEvent(event), RelayJson.convert(data, WebhookEvent.class));
		};
		// The same check the consumers make, against the same instant: the event's time.
		SendAt.check(((Scheduled) prepared.payload()).sendAt(), event.time());
		return prepared;
	}

	private static Reply answer(CloudEvent event, Channel channel, Object payload) {
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("id", event.id());
		body.put("status", SendAt.isAhead(((Scheduled) payload).sendAt(), event.time()) ? "scheduled" : "queued");
		body.put("channel", channel.id());
		return Reply.json(202, body).withHeader(HttpHeaders.LOCATION, "/v1/messages/" + event.id());
	}

	/** The channel is echoed in an error; keep it short and printable. */
	private static String sanitize(String text) {
		String printable = text.replaceAll("[^A-Za-z0-9_.\\-]", "?");
		return printable.length() > 32 ? printable.substring(0, 32) + "…" : printable;
	}

}
