package com.cloudgreet.relay.webhook.api;

import java.net.URI;
import java.util.List;
import java.util.Map;

import com.cloudgreet.relay.common.message.Violation;
import com.cloudgreet.relay.common.problem.ProblemTypes;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;

/**
 * The RFC 9457 problems this service answers with. Each is an {@link ErrorResponseException},
 * which WebFlux renders as {@code application/problem+json} (with
 * {@code spring.webflux.problemdetails.enabled}).
 */
public final class ApiProblems {

	private ApiProblems() {
	}

	public static ErrorResponseException notFound(String what, String id) {
		return problem(HttpStatus.NOT_FOUND, ProblemTypes.NOT_FOUND, "Not found", what + " " + id + " does not exist");
	}

	public static ErrorResponseException validation(List<Violation> violations) {
		ProblemDetail detail = detail(HttpStatus.UNPROCESSABLE_CONTENT, ProblemTypes.VALIDATION, "Validation failed",
				violations.stream().map(Violation::toString).reduce((a, b) -> a + "; " + b).orElse("invalid request"));
		// The same shape as the gateway's own problems (RFC 9457's "errors" with pointer and detail).
		detail.setProperty("errors",
				violations.stream().map((v) -> Map.of("pointer", v.pointer(), "detail", v.reason())).toList());
		return new ErrorResponseException(HttpStatus.UNPROCESSABLE_CONTENT, detail, null);
	}

	public static ErrorResponseException unsafeUrl(String reason) {
		ProblemDetail detail = detail(HttpStatus.UNPROCESSABLE_CONTENT, ProblemTypes.UNSAFE_URL, "Unsafe webhook URL",
				reason);
		detail.setProperty("errors", List.of(Map.of("pointer", "/url", "detail", reason)));
		return new ErrorResponseException(HttpStatus.UNPROCESSABLE_CONTENT, detail, null);
	}

	/** 409: the request is fine, the tenant's endpoint count is the conflict (delete one, or raise the cap). */
	public static ErrorResponseException endpointLimit(int max) {
		ProblemDetail detail = detail(HttpStatus.CONFLICT, ProblemTypes.ENDPOINT_LIMIT, "Endpoint limit reached",
				"a tenant may have at most " + max + " webhook endpoints; delete one before creating another");
		detail.setProperty("limit", max);
		return new ErrorResponseException(HttpStatus.CONFLICT, detail, null);
	}

	public static ErrorResponseException notRetryable(String id, String status) {
		return problem(HttpStatus.CONFLICT, ProblemTypes.NOT_RETRYABLE, "Not retryable",
				id + " is " + status + "; only failed or dead-lettered messages can be retried");
	}

	public static ErrorResponseException notCancelable(String id, String status) {
		return problem(HttpStatus.CONFLICT, ProblemTypes.NOT_CANCELABLE, "Not cancelable",
				id + " is " + status + "; only deliveries not yet sent (scheduled or queued) can be canceled");
	}

	public static ErrorResponseException badRequest(String reason) {
		return problem(HttpStatus.BAD_REQUEST, ProblemTypes.MALFORMED_REQUEST, "Malformed request", reason);
	}

	public static ProblemDetail detail(HttpStatus status, URI type, String title, String detail) {
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
		problem.setType(type);
		problem.setTitle(title);
		return problem;
	}

	private static ErrorResponseException problem(HttpStatus status, URI type, String title, String detail) {
		return new ErrorResponseException(status, detail(status, type, title, detail), null);
	}

}
