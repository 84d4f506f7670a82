package com.cloudgreet.relay.common.web;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;

import com.cloudgreet.relay.common.json.RelayJson;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * Writes an RFC 9457 problem from a {@code WebFilter}, where no exception handler runs yet. The
 * members and their order are the ones Spring renders for {@code ProblemDetail}, so a client sees
 * one shape whether a filter or a controller refused it.
 */
public final class ProblemResponses {

	private ProblemResponses() {
	}

	public static Mono<Void> write(ServerWebExchange exchange, HttpStatus status, URI type, String detail) {
		Map<String, Object> problem = new LinkedHashMap<>();
		problem.put("detail", detail);
		problem.put("instance", exchange.getRequest().getPath().value());
		problem.put("status", status.value());
		problem.put("title", status.getReasonPhrase());
		problem.put("type", type.toString());
		ServerHttpResponse response = exchange.getResponse();
		response.setStatusCode(status);
		response.getHeaders().setContentType(MediaType.APPLICATION_PROBLEM_JSON);
		return response.writeWith(Mono.fromSupplier(() -> response.bufferFactory().wrap(RelayJson.write(problem))));
	}

}
