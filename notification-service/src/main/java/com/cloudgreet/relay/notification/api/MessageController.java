package com.cloudgreet.relay.notification.api;

import com.cloudgreet.relay.common.problem.ProblemTypes;
import com.cloudgreet.relay.common.status.StatusPage;
import com.cloudgreet.relay.common.web.InternalTenant;
import com.cloudgreet.relay.notification.delivery.MessageStore;
import com.cloudgreet.relay.notification.delivery.MessageView;
import com.cloudgreet.relay.notification.delivery.Requeuer;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

/** The gateway's view of email and SMS messages: status with attempts, manual re-queueing and cancel. */
@RestController
@RequestMapping("/internal/v1/messages")
public class MessageController {

	private final MessageStore store;

	private final Requeuer requeuer;

	public MessageController(MessageStore store, Requeuer requeuer) {
		this.store = store;
		this.requeuer = requeuer;
	}

	/** The message with at most {@link StatusPage#ATTEMPTS} attempts, those numbered after {@code attemptsAfter}. */
	@GetMapping("/{id}")
	public Mono<MessageView> status(@PathVariable String id, @InternalTenant String tenant,
			@RequestParam(name = StatusPage.ATTEMPTS_AFTER, defaultValue = "0") int attemptsAfter) {
		return this.store.find(id, tenant, Math.max(0, attemptsAfter), StatusPage.ATTEMPTS)
			.switchIfEmpty(Mono.error(() -> notFound(id)));
	}

	@PostMapping("/{id}/retry")
	@ResponseStatus(HttpStatus.ACCEPTED)
	public Mono<Requeuer.Accepted> retry(@PathVariable String id,
			@InternalTenant String tenant) {
		return this.requeuer.requeue(id, tenant)
			.flatMap((result) -> result.<Mono<Requeuer.Accepted>>match(
				(queued) -> Mono.just(new Requeuer.Accepted(id, "queued")),
				(missing) -> Mono.error(notFound(id)),
				(refused) -> Mono.error(problem(HttpStatus.CONFLICT, ProblemTypes.NOT_RETRYABLE, refused.reason())),
				(sender) -> Mono.error(senderNotAllowed(sender.reason()))));
	}

	/**
	 * Cancels a message not yet sent (scheduled, or queued for its first attempt): 200 with
	 * {@code canceled}, also when it was canceled before; 409 once sending started or it settled.
	 */
	@DeleteMapping("/{id}")
	public Mono<Requeuer.Accepted> cancel(@PathVariable String id, @InternalTenant String tenant) {
		return this.store.cancel(id, tenant)
			.switchIfEmpty(Mono.error(() -> notFound(id)))
			.flatMap((result) -> "canceled".equals(result.status()) ? Mono.just(new Requeuer.Accepted(id, "canceled"))
					: Mono.error(problem(HttpStatus.CONFLICT, ProblemTypes.NOT_CANCELABLE, "Message " + id + " is "
							+ result.status() + "; only a message not yet sent (scheduled or queued) can be canceled")));
	}

	private static ErrorResponseException notFound(String id) {
		return problem(HttpStatus.NOT_FOUND, ProblemTypes.NOT_FOUND, "No message " + id);
	}

	/** 422: the request is understood, but its sender is not one its tenant allows (any more). */
	private static ErrorResponseException senderNotAllowed(String detail) {
		ErrorResponseException problem = problem(HttpStatus.UNPROCESSABLE_CONTENT, ProblemTypes.SENDER_NOT_ALLOWED,
				detail);
		problem.getBody().setTitle("Sender not allowed");
		return problem;
	}

	private static ErrorResponseException problem(HttpStatus status, java.net.URI type, String detail) {
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
		problem.setType(type);
		return new ErrorResponseException(status, problem, null);
	}

}
