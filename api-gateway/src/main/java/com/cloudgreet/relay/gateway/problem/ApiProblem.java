package com.cloudgreet.relay.gateway.problem;

import java.net.URI;
import java.time.Duration;
import java.util.List;

import com.cloudgreet.relay.common.message.InvalidMessageException;
import com.cloudgreet.relay.common.message.Violation;
import com.cloudgreet.relay.common.problem.ProblemTypes;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;

/**
 * An error a client gets as an RFC 9457 problem: thrown anywhere in the gateway (filters,
 * handlers) and rendered by {@link ProblemExceptionHandler}.
 */
public class ApiProblem extends RuntimeException {

	private final HttpStatus status;

	private final URI type;

	private final String title;

	private final List<Violation> errors;

	private final HttpHeaders headers;

	public ApiProblem(HttpStatus status, URI type, String title, String detail, List<Violation> errors,
			HttpHeaders headers) {
		super(detail, null, false, false);
		this.status = status;
		this.type = type;
		this.title = title;
		this.errors = List.copyOf(errors);
		this.headers = headers;
	}

	public ApiProblem(HttpStatus status, URI type, String title, String detail) {
		this(status, type, title, detail, List.of(), new HttpHeaders());
	}

	public static ApiProblem invalid(InvalidMessageException ex) {
		// A violation of the body as a whole (empty pointer: not JSON, trailing data, nesting over the
		// parser's limits, not an object) means the request could not be read: 400, not 422.
		boolean malformed = ex.violations().stream().anyMatch((v) -> v.pointer().isEmpty()
				|| v.reason().startsWith("malformed JSON") || v.reason().startsWith("body is empty"));
		if (malformed) {
			return new ApiProblem(HttpStatus.BAD_REQUEST, ProblemTypes.MALFORMED_REQUEST, "Malformed request",
					"The body is not the JSON this endpoint takes.", ex.violations(), new HttpHeaders());
		}
		return new ApiProblem(HttpStatus.UNPROCESSABLE_CONTENT, ProblemTypes.VALIDATION, "Validation failed",
				"The request has " + ex.violations().size() + " invalid field(s).", ex.violations(), new HttpHeaders());
	}

	public static ApiProblem notFound(String detail) {
		return new ApiProblem(HttpStatus.NOT_FOUND, ProblemTypes.NOT_FOUND, "Not found", detail);
	}

	public static ApiProblem badRequest(String detail) {
		return new ApiProblem(HttpStatus.BAD_REQUEST, ProblemTypes.MALFORMED_REQUEST, "Malformed request", detail);
	}

	public static ApiProblem unauthorized(String detail) {
		HttpHeaders headers = new HttpHeaders();
		headers.set(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"relay\"");
		return new ApiProblem(HttpStatus.UNAUTHORIZED, ProblemTypes.UNAUTHORIZED, "Unauthorized", detail, List.of(),
				headers);
	}

	public static ApiProblem unavailable(String detail, Duration retryAfter) {
		return new ApiProblem(HttpStatus.SERVICE_UNAVAILABLE, ProblemTypes.SERVICE_UNAVAILABLE, "Service unavailable",
				detail, List.of(), retryAfter(retryAfter));
	}

	public static HttpHeaders retryAfter(Duration retryAfter) {
		HttpHeaders headers = new HttpHeaders();
		headers.set(HttpHeaders.RETRY_AFTER, Long.toString(seconds(retryAfter)));
		return headers;
	}

	/** Whole seconds, rounded up and at least 1: a client retrying at 0 would only be refused again. */
	public static long seconds(Duration duration) {
		long millis = duration.toMillis();
		return Math.max(1, (millis + 999) / 1000);
	}

	public HttpStatus status() {
		return this.status;
	}

	public URI type() {
		return this.type;
	}

	public String title() {
		return this.title;
	}

	public List<Violation> errors() {
		return this.errors;
	}

	public HttpHeaders headers() {
		return this.headers;
	}

}
