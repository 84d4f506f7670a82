package com.cloudgreet.relay.webhook.delivery;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.cloudgreet.relay.delivery.AttemptRecord;
import com.cloudgreet.relay.delivery.Capacity;
import com.cloudgreet.relay.delivery.DeliveryEngine;
import com.cloudgreet.relay.delivery.DeliveryQueue;
import com.cloudgreet.relay.delivery.DeliveryQueue.Step;
import com.cloudgreet.relay.delivery.Lease;
import com.cloudgreet.relay.delivery.Outcome;
import com.cloudgreet.relay.webhook.AbstractWebhookIT;
import com.cloudgreet.relay.webhook.testing.Receiver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Every write after a claim names the lease's owner and fencing token: once a lapsed lease is
 * taken over, the old owner (still running, say after a long GC pause) changes nothing, and the
 * new owner's writes land.
 */
class WebhookLeaseFencingIT extends AbstractWebhookIT {

	private static final AttemptRecord DELIVERED = new AttemptRecord(Instant.now(),
			new Outcome.Delivered("200", null, null, "ok"), 5);

	private static final AttemptRecord FAILED = new AttemptRecord(Instant.now(),
			new Outcome.Retryable("503", "HTTP 503", null, "busy"), 5);

	@Autowired
	private DeliveryEngine<WebhookJob> engine;

	@Autowired
	private DeliveryStore store;

	private DeliveryQueue<WebhookJob> queue;

	@BeforeEach
	void stopTheEngine() {
		// Nobody else claims: this test plays both owners itself.
		this.engine.stop();
		this.queue = this.store.queue();
	}

	@AfterEach
	void startTheEngine() {
		this.engine.start();
	}

	@Test
	void theOldOwnersWritesAreRefusedAfterATakeover() {
		try (Receiver receiver = Receiver.ok()) {
			createEndpoint(receiver.url());
			String eventId = publish("fencing.test", Map.of());
			await().atMost(WAIT).until(() -> status(eventId).path("deliveries").size() == 1);

			WebhookJob old = claimMine(Duration.ofMillis(1));
			// The old lease lapsed: a new owner takes the delivery over with the next token.
			WebhookJob taken = await().atMost(WAIT).until(() -> claimMine(Duration.ofSeconds(10)), (job) -> job != null);
			assertThat(taken.id()).isEqualTo(old.id());
			assertThat(taken.lease().token()).isGreaterThan(old.lease().token());

			assertThat(this.queue.record(old, DELIVERED, Step.DELIVERED).block()).isFalse();
			assertThat(this.queue.recordFailure(old, FAILED, Duration.ofSeconds(1), null).block()).isFalse();
			assertThat(this.queue.recordFailure(old, FAILED, null, "exhausted").block()).isFalse();
			assertThat(this.queue.release(old, null).block()).isFalse();
			// The same owner name with the old token is refused too: the token decides, not the name.
			WebhookJob sameOwnerOldToken = withLease(taken, new Lease(taken.id(), taken.lease().owner(), old.lease().token()));
			assertThat(this.queue.record(sameOwnerOldToken, DELIVERED, Step.DELIVERED).block()).isFalse();
			JsonNode untouched = status(eventId).path("deliveries").path(0);
			assertThat(untouched.path("status").asString()).as("pending, never attempted").isEqualTo("queued");
			assertThat(untouched.path("attempts").size()).isZero();

			assertThat(this.queue.record(taken, DELIVERED, Step.DELIVERED).block()).isTrue();
			JsonNode delivered = status(eventId).path("deliveries").path(0);
			assertThat(delivered.path("status").asString()).isEqualTo("delivered");
			assertThat(delivered.path("attempts").size()).isEqualTo(1);
			assertThat(delivered.path("attempts").path(0).path("statusCode").asInt()).isEqualTo(200);
		}
	}

	@Test
	void aRetryIsRecordedWithItsAttemptInOneWrite() {
		try (Receiver receiver = Receiver.ok()) {
			createEndpoint(receiver.url());
			String eventId = publish("fencing.retry", Map.of());
			await().atMost(WAIT).until(() -> status(eventId).path("deliveries").size() == 1);
			WebhookJob job = await().atMost(WAIT).until(() -> claimMine(Duration.ofSeconds(10)), (j) -> j != null);

			assertThat(this.queue.recordFailure(job, FAILED, Duration.ofHours(1), null).block()).isTrue();

			JsonNode delivery = status(eventId).path("deliveries").path(0);
			assertThat(delivery.path("status").asString()).as("pending after an attempt").isEqualTo("sending");
			assertThat(delivery.path("attempts").path(0).path("statusCode").asInt()).isEqualTo(503);
			assertThat(delivery.path("attempts").path(0).path("responseExcerpt").asString()).isEqualTo("busy");
			// Lease given up and due in an hour: nobody claims it now.
			assertThat(claimMine(Duration.ofSeconds(10))).isNull();
		}
	}

	@Test
	void eachWriteOfABatchIsAnsweredForItsOwnLease() {
		try (Receiver receiver = Receiver.ok()) {
			createEndpoint(receiver.url() + "/a");
			createEndpoint(receiver.url() + "/b");
			createEndpoint(receiver.url() + "/c");
			String eventId = publish("fencing.batch", Map.of());
			await().atMost(WAIT).until(() -> status(eventId).path("deliveries").size() == 3);
			// Stored due now in one statement, none claimed (the engine is stopped): one claim takes all three.
			List<WebhookJob> held = claimAllMine(Duration.ofSeconds(10));
			assertThat(held).hasSize(3);
			WebhookJob a = held.get(0);
			WebhookJob stale = withLease(a, new Lease(a.id(), a.lease().owner(), a.lease().token() - 1));

			// Subscribed together: the first is flushed alone, the other two wait for it and share the
			// next statement, where only the stale lease's row is refused.
			var answers = Mono
				.zip(this.queue.record(held.get(2), DELIVERED, Step.DELIVERED),
						this.queue.record(stale, DELIVERED, Step.DELIVERED),
						this.queue.record(held.get(1), DELIVERED, Step.DELIVERED))
				.block();
			assertThat(List.of(answers.getT1(), answers.getT2(), answers.getT3())).containsExactly(true, false, true);
			assertThat(this.queue.record(a, DELIVERED, Step.DELIVERED).block()).isTrue();

			JsonNode deliveries = status(eventId).path("deliveries");
			for (JsonNode delivery : deliveries) {
				assertThat(delivery.path("status").asString()).isEqualTo("delivered");
				assertThat(delivery.path("attempts").size()).as("one attempt each, none for the refused write")
					.isEqualTo(1);
			}
		}
	}

	/** Claims due deliveries and keeps all of this test's tenant's (others' are given back). */
	private List<WebhookJob> claimAllMine(Duration lease) {
		List<WebhookJob> claimed = this.queue.claimDue("owner-" + lease.toMillis(), List.of(), Capacity.unlimited(), 100,
				lease).collectList().block();
		List<WebhookJob> mine = new ArrayList<>();
		for (WebhookJob job : claimed) {
			if (job.tenantId().equals(this.tenant)) {
				mine.add(job);
			}
			else {
				this.queue.release(job, null).block();
			}
		}
		return mine;
	}

	/** Claims due deliveries and keeps this test's tenant's one (others' lapse at once or are given back). */
	private WebhookJob claimMine(Duration lease) {
		List<WebhookJob> claimed = this.queue.claimDue("owner-" + lease.toMillis(), List.of(), Capacity.unlimited(), 100,
				lease).collectList().block();
		WebhookJob mine = null;
		for (WebhookJob job : claimed) {
			if (job.tenantId().equals(this.tenant)) {
				mine = job;
			}
			else {
				this.queue.release(job, null).block();
			}
		}
		return mine;
	}

	private static WebhookJob withLease(WebhookJob job, Lease lease) {
		return new WebhookJob(lease, job.tenantId(), job.eventId(), job.endpointId(), job.url(), job.signingSecrets(),
				job.eventType(), job.body(), job.attemptCount(), job.retriesUsed(), job.traceparent(), job.acceptedAt(),
				job.rateLimit());
	}

}
