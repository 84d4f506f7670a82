package com.cloudgreet.relay.system;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.IntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.cloudgreet.relay.common.json.RelayJson;
import com.cloudgreet.relay.common.kafka.Topics;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * kill -9 of a consumer service in the middle of a stream (issue 9, crash safety), observed only
 * from outside: the gateway's API, the status API, the provider or receiver on loopback and the
 * public DLT topics. One-second retry stages that together end before a lease lapses make any
 * attempt spent on a dead instance's lease show up as a dead letter; leases of seconds and a short
 * Kafka session timeout (RunningRelay) let the restarted instance take over within seconds.
 * <p>
 * The first half of each stream is sent while the service runs; it is killed once part of that
 * half has reached the provider (so some messages are delivered, some in flight under its lease,
 * some not consumed yet), and the second half is sent while it is down and starting again. Every
 * accepted message must then be delivered (lost 0), none failed or dead-lettered, and a duplicate
 * (at-least-once: sent by the dead instance, then again) must be the same message.
 */
class CrashIT {

	private static final int MESSAGES = 300;

	/** From the restart until every accepted message has settled. */
	private static final Duration SETTLED_WITHIN = Duration.ofSeconds(90);

	private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	private static final RecordingReceiver webhookReceiver = RecordingReceiver.webhooks();

	private static String apiKey;

	@BeforeAll
	static void startRelay() throws Exception {
		RunningRelay.start();
		apiKey = createTenant();
	}

	@AfterAll
	static void stopReceiver() {
		webhookReceiver.close();
	}

	@Test
	void smsStreamSurvivesKillOfNotificationService() throws Exception {
		String run = "crash-" + UUID.randomUUID();
		Crash crash = killMidStream(RunningRelay.NOTIFICATION, Topics.SMS, "/v1/messages/sms",
				(nonce) -> "{\"to\":\"+14155550123\",\"body\":\"" + nonce + "\"}", RunningRelay.SMS_PROVIDER, run,
				(request) -> ours(run, request.path().endsWith("/Messages.json") ? request.formField("Body") : null));

		// Twilio's API carries no message id: the nonce in the body names the message (one nonce, one id).
		Map<String, JsonNode> statuses = awaitSettled(crash);
		statuses.forEach((id, status) -> assertThat(outcomes(status.get("attempts"))).as("attempts of %s", id)
			.contains("delivered"));
	}

	@Test
	void webhookStreamSurvivesKillOfWebhookService() throws Exception {
		String run = "crash-" + UUID.randomUUID();
		String eventType = "crash.checked";
		HttpResponse<String> endpoint = post("/v1/endpoints",
				"{\"url\":\"" + webhookReceiver.url() + "/hooks\",\"eventTypes\":[\"" + eventType + "\"]}");
		assertThat(endpoint.statusCode()).as(endpoint.body()).isEqualTo(201);
		Pattern nonces = Pattern.compile(Pattern.quote(run) + "-\\d+");
		Crash crash = killMidStream(RunningRelay.WEBHOOK, Topics.WEBHOOK, "/v1/events",
				(nonce) -> "{\"eventType\":\"" + eventType + "\",\"payload\":{\"nonce\":\"" + nonce + "\"}}",
				webhookReceiver, run, (request) -> {
					Matcher matcher = nonces.matcher(request.body());
					return matcher.find() ? matcher.group() : null;
				});

		Map<String, JsonNode> statuses = awaitSettled(crash);
		// Each event went to one endpoint: one delivery, whose id is the webhook-id of every copy received.
		Map<String, Set<String>> webhookIds = new HashMap<>();
		crash.received().forEach((received) -> webhookIds
			.computeIfAbsent(crash.accepted().get(received.nonce()), (id) -> new HashSet<>())
			.add(received.request().webhookId()));
		statuses.forEach((id, status) -> {
			JsonNode deliveries = status.get("deliveries");
			assertThat(deliveries).as("deliveries of %s", id).hasSize(1);
			assertThat(deliveries.get(0).get("status").asString()).as("delivery of %s", id).isEqualTo("delivered");
			assertThat(webhookIds.get(id)).as("webhook-ids received for %s", id)
				.containsExactly(deliveries.get(0).get("id").asString());
		});
	}

	/**
	 * A message scheduled a few seconds ahead (issue 21, item 1) waits in PostgreSQL, not in the
	 * process: notification-service is killed -9 while it waits and restarted, and the message still
	 * goes out once, at or after its sendAt.
	 */
	@Test
	void scheduledSmsSurvivesKillOfNotificationServiceAndGoesOutOnce() throws Exception {
		String nonce = "scheduled-" + UUID.randomUUID();
		java.time.Instant sendAt = java.time.Instant.now().plusSeconds(10);
		HttpResponse<String> accepted = post("/v1/messages/sms",
				"{\"to\":\"+14155550123\",\"body\":\"" + nonce + "\",\"sendAt\":\"" + sendAt + "\"}");
		assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
		assertThat(json(accepted).get("status").asString()).isEqualTo("scheduled");
		String id = json(accepted).get("id").asString();
		// Stored by notification-service before it dies: until then the gateway answers queued.
		await("scheduled in notification-service").atMost(Duration.ofSeconds(30))
			.pollInterval(Duration.ofMillis(100))
			.until(() -> json(get("/v1/messages/" + id)).get("status").asString().equals("scheduled"));
		int exit = RunningRelay.NOTIFICATION.kill();
		RunningRelay.NOTIFICATION.restart();
		RunningRelay.NOTIFICATION.awaitHealthy();
		assertThat(exit).isEqualTo(137);

		java.time.Instant[] firstSeen = new java.time.Instant[1];
		await("the scheduled SMS at the provider").atMost(Duration.ofSeconds(60))
			.pollInterval(Duration.ofMillis(50))
			.until(() -> {
				boolean seen = copies(nonce) > 0;
				if (seen) {
					firstSeen[0] = java.time.Instant.now();
				}
				return seen;
			});
		assertThat(firstSeen[0]).as("not before sendAt").isAfterOrEqualTo(sendAt);
		await("delivered").atMost(Duration.ofSeconds(30))
			.pollInterval(Duration.ofMillis(250))
			.until(() -> json(get("/v1/messages/" + id)).get("status").asString().equals("delivered"));
		await("exactly once").during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() -> copies(nonce) == 1);
	}

	private static long copies(String body) {
		return RunningRelay.SMS_PROVIDER.received()
			.stream()
			.filter((request) -> request.path().endsWith("/Messages.json") && body.equals(request.formField("Body")))
			.count();
	}

	/**
	 * Streams {@link #MESSAGES} requests through the gateway, kills {@code service} with SIGKILL
	 * while the first half is being delivered, sends the second half while it is down, and
	 * restarts it. {@code nonceOf} finds the nonce a received request carries (null: not ours).
	 */
	private static Crash killMidStream(ServiceProcess service, String topic, String path,
			Function<String, String> body, RecordingReceiver receiver, String run,
			Function<RecordingReceiver.Request, String> nonceOf) throws Exception {
		long deadLettersBefore = endOffsets(topic + Topics.DLT_SUFFIX);
		CountDownLatch killed = new CountDownLatch(1);
		Map<String, String> accepted = new ConcurrentHashMap<>();
		List<String> refused = new ArrayList<>();
		IntFunction<String> nonce = (i) -> run + "-" + i;
		CompletableFuture<Void> stream = CompletableFuture.runAsync(() -> {
			for (int i = 0; i < MESSAGES; i++) {
				if (i == MESSAGES / 2 && !awaitQuietly(killed)) {
					throw new IllegalStateException("not killed within a minute");
				}
				HttpResponse<String> response = post(path, body.apply(nonce.apply(i)));
				if (response.statusCode() == 202) {
					accepted.put(nonce.apply(i), json(response).get("id").asString());
				}
				else {
					refused.add(response.statusCode() + " " + response.body());
				}
			}
		});

		await("a tenth of the stream at the receiver").atMost(Duration.ofSeconds(60))
			.pollInterval(Duration.ofMillis(20))
			.failFast(stream::isCompletedExceptionally)
			.until(() -> received(receiver, nonceOf).size() >= MESSAGES / 10);
		int receivedAtKill = received(receiver, nonceOf).size();
		int acceptedAtKill = accepted.size();
		int exit = service.kill();
		killed.countDown();
		String lastWords = Files.readString(service.log());
		// Restarted before anything is asserted: the system tests after this one need the service.
		service.restart();
		service.awaitHealthy();
		long healthyAt = System.nanoTime();
		assertThat(exit).as("%s died of SIGKILL (log: %s)", service.name(), service.log()).isEqualTo(137);
		assertThat(lastWords).as("%s was not shut down gracefully", service.name())
			.doesNotContainIgnoringCase("graceful shutdown");
		assertThat(receivedAtKill).as("killed before the first half was delivered").isLessThan(MESSAGES / 2);
		stream.get(2, TimeUnit.MINUTES);
		assertThat(refused).as("requests not accepted").isEmpty();
		assertThat(accepted).hasSize(MESSAGES);
		return new Crash(service.name(), topic, accepted, receiver, nonceOf, acceptedAtKill, receivedAtKill,
				healthyAt, deadLettersBefore);
	}

	/**
	 * Awaits every accepted message at the receiver and {@code delivered} on the status API, failing
	 * at once on one that settled {@code failed} or {@code dead_lettered}. Returns the statuses.
	 */
	private static Map<String, JsonNode> awaitSettled(Crash crash) {
		Set<String> ids = new HashSet<>(crash.accepted().values());
		await(crash.service() + ": every accepted message at the receiver").atMost(SETTLED_WITHIN)
			.pollInterval(Duration.ofMillis(250))
			.untilAsserted(() -> assertThat(crash.lost()).as("lost (accepted, never received)").isEmpty());

		Map<String, JsonNode> delivered = new ConcurrentHashMap<>();
		Map<String, String> settledWrong = new TreeMap<>();
		await(crash.service() + ": every accepted message delivered on the status API").atMost(SETTLED_WITHIN)
			.pollInterval(Duration.ofMillis(500))
			.failFast(() -> !settledWrong.isEmpty())
			.until(() -> {
				for (String id : ids) {
					if (delivered.containsKey(id)) {
						continue;
					}
					HttpResponse<String> response = get("/v1/messages/" + id);
					if (response.statusCode() != 200) {
						return false;
					}
					JsonNode status = json(response);
					String value = status.get("status").asString();
					if (value.equals("delivered")) {
						delivered.put(id, status);
					}
					else if (value.equals("failed") || value.equals("dead_lettered")) {
						settledWrong.put(id, response.body());
					}
				}
				return delivered.size() == ids.size();
			});
		assertThat(settledWrong).as("failed or dead-lettered").isEmpty();
		assertThat(endOffsets(crash.topic() + Topics.DLT_SUFFIX)).as("records on the DLT")
			.isEqualTo(crash.deadLettersBefore());

		// A nonce names one accepted message, so every copy of a nonce is a copy of the same message.
		Map<String, Integer> copies = new HashMap<>();
		crash.received().forEach((received) -> copies.merge(received.nonce(), 1, Integer::sum));
		long duplicates = copies.values().stream().mapToInt((n) -> n - 1).sum();
		Set<String> unknown = new HashSet<>(copies.keySet());
		unknown.removeAll(crash.accepted().keySet());
		String summary = String.format("%s killed -9 with %d of %d accepted and %d at the receiver; then lost 0, "
				+ "%d duplicate(s) of the same message (at-least-once), all delivered %.1f s after it was healthy again",
				crash.service(), crash.acceptedAtKill(), MESSAGES, crash.receivedAtKill(), duplicates,
				(System.nanoTime() - crash.healthyAt()) / 1e9);
		assertThat(unknown).as("%s; received but never accepted", summary).isEmpty();
		System.out.println(summary);
		return delivered;
	}

	/** The requests of this run at the receiver (every copy), each with its nonce. */
	private static List<Received> received(RecordingReceiver receiver,
			Function<RecordingReceiver.Request, String> nonceOf) {
		List<Received> ours = new ArrayList<>();
		for (RecordingReceiver.Request request : receiver.received()) {
			String nonce = nonceOf.apply(request);
			if (nonce != null) {
				ours.add(new Received(request, nonce));
			}
		}
		return ours;
	}

	/** {@code text} if it is a nonce of this run (other tests send texts to the same provider), else null. */
	private static String ours(String run, String text) {
		return (text != null && text.startsWith(run + "-")) ? text : null;
	}

	private static List<String> outcomes(JsonNode attempts) {
		List<String> outcomes = new ArrayList<>();
		attempts.forEach((attempt) -> outcomes.add(attempt.get("outcome").asString()));
		return outcomes;
	}

	private static boolean awaitQuietly(CountDownLatch latch) {
		try {
			return latch.await(1, TimeUnit.MINUTES);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return false;
		}
	}

	private record Received(RecordingReceiver.Request request, String nonce) {
	}

	/** One crash: the accepted messages (nonce to id) and where they went. */
	private record Crash(String service, String topic, Map<String, String> accepted, RecordingReceiver receiver,
			Function<RecordingReceiver.Request, String> nonceOf, int acceptedAtKill, int receivedAtKill,
			long healthyAt, long deadLettersBefore) {

		List<Received> received() {
			return CrashIT.received(this.receiver, this.nonceOf);
		}

		Set<String> lost() {
			Set<String> lost = new HashSet<>(this.accepted.keySet());
			received().forEach((received) -> lost.remove(received.nonce()));
			return lost;
		}

	}

	private static String createTenant() throws Exception {
		HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(RunningRelay.GATEWAY.url() + "/admin/v1/tenants"))
			.header("Authorization", "Bearer " + RunningRelay.ADMIN_TOKEN)
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"crash-" + UUID.randomUUID()
					+ "\",\"rateLimit\":{\"requestsPerSecond\":2000,\"burst\":2000}}")));
		assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
		return json(response).get("apiKey").asString();
	}

	private static HttpResponse<String> post(String path, String body) {
		try {
			return send(HttpRequest.newBuilder(URI.create(RunningRelay.GATEWAY.url() + path))
				.header("Authorization", "Bearer " + apiKey)
				.header("Content-Type", "application/json")
				.POST(HttpRequest.BodyPublishers.ofString(body)));
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static HttpResponse<String> get(String path) throws IOException {
		return send(HttpRequest.newBuilder(URI.create(RunningRelay.GATEWAY.url() + path))
			.header("Authorization", "Bearer " + apiKey)
			.GET());
	}

	private static HttpResponse<String> send(HttpRequest.Builder request) throws IOException {
		try {
			return HTTP.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IOException(ex);
		}
	}

	private static JsonNode json(HttpResponse<String> response) {
		return RelayJson.mapper().readTree(response.body());
	}

	/** Records on {@code topic} so far; 0 while it does not exist. */
	private static long endOffsets(String topic) {
		return RunningRelay.KAFKA.doWithAdminFunction((admin) -> {
			try {
				if (!admin.listTopics().names().get().contains(topic)) {
					return 0L;
				}
				var partitions = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions();
				Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
				partitions.forEach((p) -> latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
				return admin.listOffsets(latest).all().get().values().stream().mapToLong((o) -> o.offset()).sum();
			}
			catch (Exception ex) {
				throw new IllegalStateException(ex);
			}
		});
	}

}
