package com.cloudgreet.relay.webhook.delivery;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.cloudgreet.relay.delivery.Lease;
import com.cloudgreet.relay.delivery.Outcome;
import com.cloudgreet.relay.delivery.Outcome.Delivered;
import com.cloudgreet.relay.delivery.Outcome.Permanent;
import com.cloudgreet.relay.delivery.Outcome.Retryable;
import com.cloudgreet.relay.webhook.signing.SigningSecrets;
import com.cloudgreet.relay.webhook.ssrf.AddressPolicy;
import com.cloudgreet.relay.webhook.ssrf.DnsHostResolver;
import com.cloudgreet.relay.webhook.testing.IndependentSignature;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

import static org.assertj.core.api.Assertions.assertThat;

/** The delivery HTTP client against a real HTTP server on loopback. */
class WebhookSenderTest {

	private static final Duration TIMEOUT = Duration.ofSeconds(2);

	private final MockWebServer receiver = new MockWebServer();

	private final ConnectionProvider connections = ConnectionProvider.create("test", 16);

	private final String secret = SigningSecrets.generate();

	private final DnsHostResolver dns = new DnsHostResolver(List.of(), Duration.ofSeconds(2));

	@BeforeEach
	void start() throws Exception {
		this.receiver.start();
	}

	@AfterEach
	void stop() {
		this.receiver.close();
		this.connections.dispose();
		this.dns.close();
	}

	private WebhookSender sender(boolean allowPrivateNetworks) {
		HttpClient client = WebhookHttpClient.create(this.connections, new AddressPolicy(allowPrivateNetworks),
				this.dns, Duration.ofSeconds(1), TIMEOUT);
		return new WebhookSender(client, TIMEOUT, 64, Clock.systemUTC());
	}

	private WebhookJob task(String url) {
		return new WebhookJob(new Lease("dlv_0001", "owner", 1), "ten_1", "evt_1", "ep_1", url, List.of(this.secret),
				"invoice.paid", "{\"type\":\"invoice.paid\"}".getBytes(StandardCharsets.UTF_8), 0, 0, null,
				Instant.EPOCH, null);
	}

	@Test
	void postsSignedBodyAndReportsDelivered() throws Exception {
		this.receiver.enqueue(new MockResponse.Builder().code(204).build());

		Outcome outcome = sender(true).send(task(this.receiver.url("/hook").toString())).block();

		assertThat(outcome).isInstanceOf(Delivered.class);
		assertThat(outcome.providerCode()).isEqualTo("204");
		RecordedRequest request = this.receiver.takeRequest(5, TimeUnit.SECONDS);
		byte[] body = request.getBody().toByteArray();
		assertThat(request.getHeaders().get("content-type")).startsWith("application/json");
		assertThat(request.getHeaders().get("webhook-id")).isEqualTo("dlv_0001");
		assertThat(IndependentSignature.verify(this.secret, "dlv_0001", request.getHeaders().get("webhook-timestamp"),
				body, request.getHeaders().get("webhook-signature")))
			.isTrue();
	}

	/** Set once on the client, and the body goes out whole with its length, not chunked. */
	@Test
	void sendsTheUserAgentAndAContentLength() throws Exception {
		this.receiver.enqueue(new MockResponse.Builder().code(204).build());
		WebhookJob job = task(this.receiver.url("/hook").toString());

		assertThat(sender(true).send(job).block()).isInstanceOf(Delivered.class);

		RecordedRequest request = this.receiver.takeRequest(5, TimeUnit.SECONDS);
		assertThat(request.getHeaders().get("user-agent")).isEqualTo(WebhookHttpClient.USER_AGENT);
		assertThat(request.getHeaders().get("content-length")).isEqualTo(Integer.toString(job.body().length));
		assertThat(request.getHeaders().get("transfer-encoding")).isNull();
	}

	/**
	 * The receiver listens on loopback; with private networks not allowed, every way of naming it
	 * is refused at connect time by the vetting resolver, and no request reaches it. "localhost"
	 * stands for a host whose DNS answer changed to a private address after registration.
	 */
	@ParameterizedTest(name = "{0}")
	@CsvSource({ "localhost, not a public address", "127.0.0.1, not a public address",
			"127.0.0.2, not a public address", "2130706433, numeric" })
	void refusesPrivateTargetsAtDeliveryTimeWithoutConnecting(String host, String reason) {
		String url = "http://" + host + ":" + this.receiver.getPort() + "/hook";

		Outcome outcome = sender(false).send(task(url)).block();

		assertThat(outcome).isInstanceOfSatisfying(Permanent.class, (failure) -> {
			assertThat(failure.detail()).contains("refused").contains(reason);
			assertThat(WebhookSender.isGone(failure)).isFalse();
		});
		assertThat(this.receiver.getRequestCount()).isZero();
	}

	/** The attempt's detail becomes the attempt log's error and the DLT reason: it must not map our network. */
	@Test
	void refusalAtConnectTimeDoesNotNameTheResolvedAddress() {
		Outcome outcome = sender(false).send(task("http://localhost:" + this.receiver.getPort() + "/hook")).block();

		assertThat(outcome).isInstanceOfSatisfying(Permanent.class,
				(failure) -> assertThat(failure.detail()).contains("host localhost is not a public address")
					.doesNotContain("127.0.0.1")
					.doesNotContain("loopback"));
	}

	@Test
	void doesNotFollowRedirects() throws Exception {
		this.receiver.enqueue(new MockResponse.Builder().code(302).setHeader("Location", "http://169.254.169.254/").build());

		Outcome outcome = sender(true).send(task(this.receiver.url("/hook").toString())).block();

		assertThat(outcome).isInstanceOfSatisfying(Retryable.class,
				(failure) -> assertThat(failure.detail()).contains("redirects are not followed"));
		assertThat(this.receiver.getRequestCount()).isEqualTo(1);
	}

	@Test
	void capsTheResponseExcerpt() {
		this.receiver.enqueue(new MockResponse.Builder().code(500).body("x".repeat(100_000)).build());

		Outcome outcome = sender(true).send(task(this.receiver.url("/hook").toString())).block();

		assertThat(outcome).isInstanceOf(Retryable.class);
		assertThat(outcome.providerCode()).isEqualTo("500");
		assertThat(outcome.response()).hasSize(64);
	}

	@Test
	void goneIsPermanentAndDisablesTheEndpoint() {
		this.receiver.enqueue(new MockResponse.Builder().code(410).build());

		Outcome outcome = sender(true).send(task(this.receiver.url("/hook").toString())).block();

		assertThat(outcome).isInstanceOfSatisfying(Permanent.class,
				(failure) -> assertThat(WebhookSender.isGone(failure)).isTrue());
	}

	@Test
	void readsRetryAfterOnTooManyRequests() {
		this.receiver.enqueue(new MockResponse.Builder().code(429).setHeader("Retry-After", "7").build());

		Outcome outcome = sender(true).send(task(this.receiver.url("/hook").toString())).block();

		assertThat(outcome).isInstanceOfSatisfying(Retryable.class,
				(failure) -> assertThat(failure.retryAfter()).isEqualTo(Duration.ofSeconds(7)));
	}

	@Test
	void timesOutAHangingReceiver() {
		this.receiver.enqueue(new MockResponse.Builder().code(200).headersDelay(30, TimeUnit.SECONDS).build());

		long started = System.nanoTime();
		Outcome outcome = sender(true).send(task(this.receiver.url("/hook").toString())).block();

		assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(TIMEOUT.plusSeconds(2));
		assertThat(outcome).isInstanceOfSatisfying(Retryable.class,
				(failure) -> assertThat(failure.detail()).contains("timed out"));
	}

	@Test
	void neverSendsUnsignedWhenTheSecretCannotBeDecrypted() {
		String url = this.receiver.url("/hook").toString();
		WebhookJob withoutSecrets = new WebhookJob(new Lease("dlv_0001", "owner", 1), "ten_1", "evt_1", "ep_1", url,
				List.of(), "invoice.paid", new byte[0], 0, 0, null, Instant.EPOCH, null);

		Outcome outcome = sender(true).send(withoutSecrets).block();

		assertThat(outcome).isInstanceOfSatisfying(Retryable.class,
				(failure) -> assertThat(failure.detail()).contains("cannot be decrypted"));
		assertThat(this.receiver.getRequestCount()).isZero();
	}

	@Test
	void connectionRefusedIsRetryable() throws Exception {
		int port = this.receiver.getPort();
		this.receiver.close();

		Outcome outcome = sender(true).send(task("http://127.0.0.1:" + port + "/hook")).block();

		assertThat(outcome).isInstanceOf(Retryable.class);
		assertThat(outcome.providerCode()).isNull();
	}

}
