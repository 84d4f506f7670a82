package com.cloudgreet.relay.gateway.problem;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.cloudgreet.relay.common.json.RelayJson;
import com.cloudgreet.relay.common.message.InvalidMessageException;
import com.cloudgreet.relay.common.message.Violation;
import com.cloudgreet.relay.common.privacy.Redaction;
import com.cloudgreet.relay.common.problem.ProblemTypes;
import com.cloudgreet.relay.gateway.web.RequestTrace;
import io.micrometer.context.ContextSnapshot;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.annotation.Order;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.stereotype.Component;
import org.springframework.web.ErrorResponse;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebExceptionHandler;
import reactor.core.publisher.Mono;

/**
 * Renders every error as {@code application/problem+json}: the gateway's own {@link ApiProblem}s
 * and the framework's (404 for unknown paths, 405, 415, 413...). It runs before Boot's error
 * handler, so no error ever reaches a client in another shape.
 */
@Component
@Order(-2)
public class ProblemExceptionHandler implements WebExceptionHandler {

	private static final Logger log = LoggerFactory.getLogger(ProblemExceptionHandler.class);

	public static final MediaType PROBLEM_JSON = MediaType.APPLICATION_PROBLEM_JSON;

	@Override
	public Mono<Void> handle(ServerWebExchange exchange, Throwable ex) {
		ServerHttpResponse response = exchange.getResponse();
		if (response.isCommitted()) {
			return Mono.error(ex);
		}
		ApiProblem problem = toProblem(ex);
		if (problem.status().is5xxServerError() && problem.status() != HttpStatus.SERVICE_UNAVAILABLE) {
			// With the request's trace id in the log line (context propagation is limited).
			return Mono.deferContextual((context) -> {
				try (ContextSnapshot.Scope scope = RequestTrace.restore(context)) {
					log.error("Request {} {} failed", exchange.getRequest().getMethod(), exchange.getRequest().getPath(),
							Redaction.redacted(ex));
				}
				return write(exchange, problem);
			});
		}
		return write(exchange, problem);
	}

	private static Mono<Void> write(ServerWebExchange exchange, ApiProblem problem) {
		ServerHttpResponse response = exchange.getResponse();
		response.setStatusCode(problem.status());
		HttpHeaders headers = response.getHeaders();
		// Headers a handler set for a success answer (Location, an idempotency replay) do not belong on an error.
		headers.remove(HttpHeaders.LOCATION);
		headers.putAll(problem.headers());
		headers.setContentType(PROBLEM_JSON);
		byte[] body = RelayJson.write(body(problem, exchange.getRequest().getPath().value()));
		return response.writeWith(Mono.just(response.bufferFactory().wrap(body)));
	}

	public static Map<String, Object> body(ApiProblem problem, String instance) {
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("type", problem.type().toString());
		body.put("title", problem.title());
		body.put("status", problem.status().value());
		if (problem.getMessage() != null) {
			body.put("detail", problem.getMessage());
		}
		body.put("instance", instance);
		if (!problem.errors().isEmpty()) {
			body.put("errors", problem.errors().stream().map(ProblemExceptionHandler::error).toList());
		}
		return body;
	}

	private static Map<String, String> error(Violation violation) {
		Map<String, String> error = new LinkedHashMap<>();
		error.put("pointer", violation.pointer().isEmpty() ? "/" : violation.pointer());
		error.put("detail", violation.reason());
		return error;
	}

	/** The problem a client sees for {@code ex}. */
	public static ApiProblem toProblem(Throwable ex) {
		if (ex instanceof ApiProblem problem) {
			return problem;
		}
		if (ex instanceof InvalidMessageException invalid) {
			return ApiProblem.invalid(invalid);
		}
		if (ex instanceof DataBufferLimitException) {
			return tooLarge();
		}
		if (ex instanceof ErrorResponse error) {
			return fromFramework(error);
		}
		return new ApiProblem(HttpStatus.INTERNAL_SERVER_ERROR, URI.create("about:blank"), "Internal server error",
				"An unexpected error occurred; it has been logged.");
	}

	public static ApiProblem tooLarge() {
		return tooLarge("The request body exceeds the gateway's limit.");
	}

	public static ApiProblem tooLarge(String detail) {
		return new ApiProblem(HttpStatus.CONTENT_TOO_LARGE, ProblemTypes.PAYLOAD_TOO_LARGE, "Payload too large", detail);
	}

	private static ApiProblem fromFramework(ErrorResponse error) {
		HttpStatusCode code = error.getStatusCode();
		HttpStatus status = HttpStatus.resolve(code.value());
		if (status == null) {
			status = HttpStatus.INTERNAL_SERVER_ERROR;
		}
		URI type = switch (status) {
			case NOT_FOUND -> ProblemTypes.NOT_FOUND;
			case UNSUPPORTED_MEDIA_TYPE -> ProblemTypes.UNSUPPORTED_MEDIA_TYPE;
			case CONTENT_TOO_LARGE -> ProblemTypes.PAYLOAD_TOO_LARGE;
			case BAD_REQUEST -> ProblemTypes.MALFORMED_REQUEST;
			default -> URI.create("about:blank");
		};
		String detail = switch (status) {
			case NOT_FOUND -> "No such resource.";
			case METHOD_NOT_ALLOWED -> "This resource does not support that method.";
			default -> error.getBody().getDetail();
		};
		return new ApiProblem(status, type, status.getReasonPhrase(), detail, List.of(), error.getHeaders());
	}

}
