package com.cloudgreet.relay.gateway.endpoint;

import com.cloudgreet.relay.common.http.RelayHttpHeaders;
import com.cloudgreet.relay.gateway.auth.Caller;
import java.util.regex.Pattern;

import com.cloudgreet.relay.gateway.idempotency.IdempotencyStore;
import com.cloudgreet.relay.gateway.problem.ApiProblem;
import com.cloudgreet.relay.gateway.status.OwnerClient;
import com.cloudgreet.relay.gateway.status.OwnerClient.Owner;
import com.cloudgreet.relay.gateway.web.Reply;
import com.cloudgreet.relay.gateway.web.RequestBodies;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * {@code /v1/endpoints/**}: webhook-service owns endpoints; the gateway passes each call through
 * to {@code /internal/v1/endpoints/**} verbatim (method, path, query, body) and the answer back
 * as it came (status, content type, problem bodies), after authenticating and rate limiting.
 */
@RestController
public class EndpointProxyController {

	private static final Pattern SAFE_PATH = Pattern.compile("/v1/endpoints(/[A-Za-z0-9_\\-]+(\\.[A-Za-z0-9_\\-]+)*)*/?");

	private final OwnerClient owners;

	private final RequestBodies bodies;

	private final IdempotencyStore idempotency;

	public EndpointProxyController(OwnerClient owners, RequestBodies bodies, IdempotencyStore idempotency) {
		this.owners = owners;
		this.bodies = bodies;
		this.idempotency = idempotency;
	}

	@RequestMapping(path = { "/v1/endpoints", "/v1/endpoints/**" },
			method = { RequestMethod.GET, RequestMethod.POST, RequestMethod.PATCH, RequestMethod.PUT,
					RequestMethod.DELETE })
	@io.swagger.v3.oas.annotations.Operation(hidden = true) // documented route by route in EndpointApiDocs
	public Mono<ResponseEntity<byte[]>> proxy(ServerWebExchange exchange) {
		ServerHttpRequest request = exchange.getRequest();
		String tenantId = Caller.tenant(exchange).tenantId();
		HttpMethod method = request.getMethod();
		// The raw (still encoded) path and query, so nothing is decoded and re-encoded differently.
		String rawPath = request.getURI().getRawPath();
		if (!SAFE_PATH.matcher(rawPath).matches()) {
			// Dot segments or encoded separators could climb out of /internal/v1/endpoints on the other side.
			return Mono.error(ApiProblem.notFound("No such endpoint resource."));
		}
		String rawQuery = request.getURI().getRawQuery();
		String target = "/internal" + rawPath + (rawQuery == null ? "" : "?" + rawQuery);
		boolean hasBody = method == HttpMethod.POST || method == HttpMethod.PATCH || method == HttpMethod.PUT;
		Mono<byte[]> body = hasBody ? this.bodies.json(request) : Mono.just(new byte[0]);
		return body.flatMap((bytes) -> {
			Mono<Reply> call = Mono.defer(() -> this.owners.call(Owner.WEBHOOK, method, target, tenantId,
					MediaType.APPLICATION_JSON_VALUE, bytes));
			if (method != HttpMethod.POST) {
				return call;
			}
			String key = request.getHeaders().getFirst(RelayHttpHeaders.IDEMPOTENCY_KEY);
			return this.idempotency.execute(tenantId, key, "POST", request.getURI().getRawPath(), bytes, (idempotent) -> call);
		}).map(Reply::toEntity);
	}

}
