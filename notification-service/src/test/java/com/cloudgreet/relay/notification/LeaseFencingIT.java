package com.cloudgreet.relay.notification;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import com.cloudgreet.relay.common.Channel;
import com.cloudgreet.relay.common.event.CloudEvent;
import com.cloudgreet.relay.common.event.CloudEventCodec;
import com.cloudgreet.relay.common.id.IdKind;
import com.cloudgreet.relay.common.id.RelayIds;
import com.cloudgreet.relay.common.json.RelayJson;
import com.cloudgreet.relay.delivery.AttemptRecord;
import com.cloudgreet.relay.delivery.Capacity;
import com.cloudgreet.relay.delivery.DeliveryQueue;
import com.cloudgreet.relay.delivery.DeliveryQueue.Step;
import com.cloudgreet.relay.delivery.Outcome;
import com.cloudgreet.relay.delivery.RecipientOutcome;
import com.cloudgreet.relay.notification.delivery.Engines;
import com.cloudgreet.relay.notification.delivery.MessageJob;
import com.cloudgreet.relay.notification.delivery.MessageStore;
import com.cloudgreet.relay.notification.delivery.NewMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fencing at the store: an owner whose lease lapsed and was taken over can no longer write, even
 * though it is still running; a lapsed lease nobody took over still lets its owner record the
 * answer it got (a database blip must not cause a second send). The service's own SMS engine is
 * stopped meanwhile, so only the two owners of this test claim.
 */
class LeaseFencingIT extends NotificationIT {

	private static final Duration LEASE = Duration.ofMinutes(1);

	@Autowired
	private MessageStore store;

	@Autowired
	private Engines engines;

	private DeliveryQueue<MessageJob> queue;

	@BeforeEach
	void stopTheServicesEngine() {
		this.engines.of(Channel.SMS).stop();
		this.queue = this.store.queue(Channel.SMS);
	}

	@AfterEach
	void startItAgain() {
		this.engines.of(Channel.SMS).start();
	}

	@Test
	void refusesEveryWriteOfAnOwnerWhoseLeaseWasTakenOver() {
		MessageJob old = storeClaimedBy("old-owner");
		lapse(old.id());
		MessageJob taken = this.queue.claimDue("new-owner", List.of(), Capacity.unlimited(), 100, LEASE)
			.filter((job) -> job.id().equals(old.id()))
			.blockFirst(Duration.ofSeconds(10));
		assertThat(taken).isNotNull();
		assertThat(taken.lease().token()).isGreaterThan(old.lease().token());

		// The old owner is still at work and comes back with an answer: every write is refused.
		AttemptRecord answer = new AttemptRecord(Instant.now(), new Outcome.Delivered("201", "queued", "SMold"), 12);
		assertThat(this.queue.record(old, answer, Step.DELIVERED).block()).isFalse();
		assertThat(this.queue.record(old, answer, Step.CONTINUE).block()).isFalse();
		assertThat(this.queue.retryLater(old, Duration.ofSeconds(1), "late").block()).isFalse();
		assertThat(this.queue.deadLetter(old, "late").block()).isFalse();
		assertThat(this.queue.release(old, "late").block()).isFalse();
		this.queue.renew(List.of(old.lease()), LEASE).block();
		assertThat(leaseOwner(old.id())).isEqualTo("new-owner");
		assertThat(status(old.id()).path("status").asString()).isEqualTo("sending");
		assertThat(status(old.id()).path("attempts")).isEmpty();

		// The new owner's write lands.
		AttemptRecord own = new AttemptRecord(Instant.now(), new Outcome.Delivered("201", "queued", "SMnew"), 9);
		assertThat(this.queue.record(taken, own, Step.DELIVERED).block()).isTrue();
		JsonNode status = status(old.id());
		assertThat(status.path("status").asString()).isEqualTo("delivered");
		assertThat(status.path("providerMessageId").asString()).isEqualTo("SMnew");
		assertThat(status.path("attempts")).hasSize(1);
	}

	@Test
	void aLeaseHeldByAnotherOwnerIsNeitherClaimedNorCountedAsAnAttempt() {
		MessageJob held = storeClaimedBy("busy-owner");
		assertThat(this.queue.claimDue("other-owner", List.of(), Capacity.unlimited(), 100, LEASE)
			.filter((job) -> job.id().equals(held.id()))
			.collectList()
			.block(Duration.ofSeconds(10))).isEmpty();
		assertThat(status(held.id()).path("attempts")).isEmpty();
		assertThat(retriesUsed(held.id())).isZero();
	}

	@Test
	void letsTheOwnerOfALapsedLeaseNobodyTookOverRecordItsAnswer() {
		MessageJob job = storeClaimedBy("slow-owner");
		lapse(job.id());
		AttemptRecord answer = new AttemptRecord(Instant.now(), new Outcome.Delivered("201", "queued", "SMlate"), 30);
		assertThat(this.queue.record(job, answer, Step.DELIVERED).block()).isTrue();
		assertThat(status(job.id()).path("status").asString()).isEqualTo("delivered");
		// Settled: nobody claims it again.
		assertThat(this.queue.claimDue("next-owner", List.of(), Capacity.unlimited(), 100, LEASE)
			.filter((claimed) -> claimed.id().equals(job.id()))
			.collectList()
			.block(Duration.ofSeconds(10))).isEmpty();
	}

	@Test
	void answersEveryWriteOfOneBatchForItsOwnRow() {
		List<MessageJob> jobs = List.of(storeClaimedBy("batch-owner"), storeClaimedBy("batch-owner"),
				storeClaimedBy("batch-owner"), storeClaimedBy("batch-owner"));
		MessageJob stale = jobs.get(1);
		lapse(stale.id());
		assertThat(this.queue.claimDue("thief", List.of(), Capacity.unlimited(), 100, LEASE)
			.filter((job) -> job.id().equals(stale.id()))
			.blockFirst(Duration.ofSeconds(10))).isNotNull();
		AttemptRecord answer = new AttemptRecord(Instant.now(), new Outcome.Retryable("503", "busy", null), 5);

		// Concurrent writes share statements; each answer still belongs to its own row.
		List<Boolean> recorded = reactor.core.publisher.Flux.fromIterable(jobs)
			.flatMapSequential((job) -> this.queue.record(job, answer, Step.CONTINUE))
			.collectList()
			.block(Duration.ofSeconds(10));
		List<Boolean> settled = reactor.core.publisher.Flux
			.concat(this.queue.retryLater(jobs.get(0), Duration.ofMinutes(5), "busy"),
					this.queue.retryLater(stale, Duration.ofMinutes(5), "late"),
					this.queue.deadLetter(jobs.get(2), "gave up"), this.queue.release(jobs.get(3), null))
			.collectList()
			.block(Duration.ofSeconds(10));

		assertThat(recorded).containsExactly(true, false, true, true);
		assertThat(settled).containsExactly(true, false, true, true);
		assertThat(status(jobs.get(0).id()).path("status").asString()).isEqualTo("queued");
		assertThat(retriesUsed(jobs.get(0).id())).isEqualTo(1);
		assertThat(status(stale.id()).path("status").asString()).isEqualTo("sending");
		assertThat(status(stale.id()).path("attempts")).isEmpty();
		assertThat(leaseOwner(stale.id())).isEqualTo("thief");
		assertThat(status(jobs.get(2).id()).path("status").asString()).isEqualTo("dead_lettered");
		JsonNode released = status(jobs.get(3).id());
		assertThat(released.path("status").asString()).isEqualTo("queued");
		assertThat(retriesUsed(jobs.get(3).id())).isZero();
		assertThat(released.path("attempts")).hasSize(1);
		assertThat(released.path("attempts").get(0).has("recipients")).as("SMS has one destination").isFalse();
	}

	@Test
	void showsEachRecipientsAnswerOnTheAttempt() {
		MessageJob job = storeClaimedBy("email-owner");
		Outcome partial = new Outcome.Delivered("250", "accepted for 1 of 2 recipients", "<m@x>",
				List.of(RecipientOutcome.accepted("ada@example.com"),
						RecipientOutcome.refused("gone@example.com", "550", "5.1.1 <gone@example.com>: \"unknown\"")));

		assertThat(this.queue.record(job, new AttemptRecord(Instant.now(), partial, 7), Step.DELIVERED).block())
			.isTrue();

		JsonNode status = status(job.id());
		assertThat(status.path("status").asString()).isEqualTo("delivered");
		JsonNode recipients = status.path("attempts").get(0).path("recipients");
		assertThat(recipients).hasSize(2);
		assertThat(recipients.get(0).path("address").asString()).isEqualTo("ada@example.com");
		assertThat(recipients.get(0).path("outcome").asString()).isEqualTo("accepted");
		assertThat(recipients.get(0).path("code").isNull()).isTrue();
		assertThat(recipients.get(1).path("address").asString()).isEqualTo("gone@example.com");
		assertThat(recipients.get(1).path("outcome").asString()).isEqualTo("refused");
		assertThat(recipients.get(1).path("code").asString()).isEqualTo("550");
		assertThat(recipients.get(1).path("detail").asString()).isEqualTo("5.1.1 <[redacted-email]>: \"unknown\"");
	}

	private MessageJob storeClaimedBy(String owner) {
		String id = RelayIds.next(IdKind.MESSAGE);
		CloudEvent event = CloudEvent.request(Channel.SMS, id, "/tests", this.tenant,
				RelayJson.tree(Map.of("to", phoneNumber(), "body", "fenced")));
		String json = new String(CloudEventCodec.encode(event), StandardCharsets.UTF_8);
		MessageStore.Ingested ingested = this.store
			.ingest(Channel.SMS, List.of(new NewMessage(id, this.tenant, json, null)), 1, owner, LEASE)
			.block(Duration.ofSeconds(10));
		assertThat(ingested.claimed()).hasSize(1);
		return ingested.claimed().get(0);
	}

	private void lapse(String id) {
		this.db.sql("update message set lease_until = now() - interval '1 second' where id = :id")
			.bind("id", id)
			.then()
			.block(Duration.ofSeconds(10));
	}

	private String leaseOwner(String id) {
		return this.db.sql("select lease_owner from message where id = :id")
			.bind("id", id)
			.map((row) -> row.get(0, String.class))
			.one()
			.block(Duration.ofSeconds(10));
	}

	private int retriesUsed(String id) {
		return this.db.sql("select retries_used from message where id = :id")
			.bind("id", id)
			.map((row) -> row.get(0, Integer.class))
			.one()
			.block(Duration.ofSeconds(10));
	}

}
