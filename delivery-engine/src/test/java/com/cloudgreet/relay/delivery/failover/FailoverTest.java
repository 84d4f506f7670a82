package com.cloudgreet.relay.delivery.failover;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

import com.cloudgreet.relay.delivery.Outcome;
import com.cloudgreet.relay.delivery.ProviderOutcome;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class FailoverTest {

	private static final Outcome DELIVERED = new Outcome.Delivered("250", "ok", null);

	private static final Outcome TRANSIENT = new Outcome.Retryable("421", "busy", null);

	private static final Outcome REFUSED = new Outcome.Permanent("550", "no such user");

	private static final Outcome ACCOUNT = new Outcome.AccountFailure("535", "auth failed");

	/** Each provider's next answers by name; calls made, in order. */
	private final Map<String, Function<String, Outcome>> answers = new ConcurrentHashMap<>();

	private final List<String> calls = java.util.Collections.synchronizedList(new ArrayList<>());

	private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

	private final BreakerSettings breaker = new BreakerSettings(50, 4, 2, Duration.ofMillis(200), 1);

	private Failover<String> failover(String... names) {
		List<Provider<String>> providers = new ArrayList<>();
		for (String name : names) {
			this.answers.putIfAbsent(name, (message) -> DELIVERED);
			providers.add(new Provider<>(name, (message) -> Mono.fromSupplier(() -> {
				this.calls.add(name + ":" + message);
				return this.answers.get(name).apply(message);
			}), null));
		}
		return new Failover<>("email", providers, CircuitBreakerRegistry.ofDefaults(), this.breaker,
				Duration.ofSeconds(30), Duration.ofMinutes(5), Clock.systemUTC(), this.meters, "relay.test");
	}

	@Test
	void transientFailureMovesTheMessagesNextCallToTheNextProvider() {
		Failover<String> failover = failover("primary", "secondary");
		this.answers.put("primary", (message) -> TRANSIENT);

		assertThat(failover.send("m1", "m1").block()).isEqualTo(new ProviderOutcome("primary", TRANSIENT));
		assertThat(failover.send("m1", "m1").block()).isEqualTo(new ProviderOutcome("secondary", DELIVERED));
		assertThat(this.calls).containsExactly("primary:m1", "secondary:m1");
		assertThat(this.meters.get("relay.test.provider.calls").tag("provider", "secondary")
			.tag("outcome", "delivered").counter().count()).isEqualTo(1);
	}

	@Test
	void permanentRefusalIsFinalAndNotTriedElsewhere() {
		Failover<String> failover = failover("primary", "secondary");
		this.answers.put("primary", (message) -> REFUSED);

		assertThat(failover.send("m1", "m1").block()).isEqualTo(new ProviderOutcome("primary", REFUSED));
		assertThat(this.calls).containsExactly("primary:m1");
	}

	@Test
	void accountFailurePausesThatProviderOnlyAndTheSameCallMovesOn() {
		Failover<String> failover = failover("primary", "secondary");
		this.answers.put("primary", (message) -> ACCOUNT);

		assertThat(failover.send("m1", "m1").block()).isEqualTo(new ProviderOutcome("secondary", DELIVERED));
		assertThat(failover.send("m2", "m2").block()).isEqualTo(new ProviderOutcome("secondary", DELIVERED));
		assertThat(this.calls).containsExactly("primary:m1", "secondary:m1", "secondary:m2");
		assertThat(failover.states()).extracting(Failover.ProviderState::paused).containsExactly(true, false);
	}

	@Test
	void accountFailureOfEveryProviderIsTheChannelsAndItsProbeReachesThePausedProvider() {
		Failover<String> failover = failover("primary", "secondary");
		this.answers.put("primary", (message) -> ACCOUNT);
		this.answers.put("secondary", (message) -> ACCOUNT);

		assertThat(failover.send("m1", "m1").block().outcome()).isEqualTo(ACCOUNT);
		assertThat(failover.states()).allMatch(Failover.ProviderState::paused);

		// The engine paused the channel; its probe, once the account is back, goes to the primary.
		this.answers.put("primary", (message) -> DELIVERED);
		assertThat(failover.send("m2", "m2").block()).isEqualTo(new ProviderOutcome("primary", DELIVERED));
		assertThat(failover.states()).extracting(Failover.ProviderState::paused).containsExactly(false, true);
	}

	@Test
	void openBreakerSendsToTheNextProviderAndAHalfOpenProbeBringsThePrimaryBack() {
		Failover<String> failover = failover("primary", "secondary");
		this.answers.put("primary", (message) -> TRANSIENT);
		failover.send("a", "a").block();
		failover.send("b", "b").block();
		assertThat(failover.states().get(0).breaker()).isEqualTo("OPEN");

		assertThat(failover.send("c", "c").block().provider()).as("a fresh message skips the open breaker")
			.isEqualTo("secondary");

		this.answers.put("primary", (message) -> DELIVERED);
		await().atMost(Duration.ofSeconds(5))
			.pollInterval(Duration.ofMillis(50))
			.until(() -> "primary".equals(failover.send("d", "d").block().provider()));
		assertThat(failover.states().get(0).breaker()).isEqualTo("CLOSED");
	}

	@Test
	void everyBreakerOpenIsATransientFailureWithNothingSent() {
		Failover<String> failover = failover("primary", "secondary");
		this.answers.put("primary", (message) -> TRANSIENT);
		this.answers.put("secondary", (message) -> TRANSIENT);
		for (int i = 0; i < 4; i++) {
			failover.send("m" + i, "m" + i).block();
		}
		int made = this.calls.size();

		ProviderOutcome answer = failover.send("x", "x").block();

		assertThat(answer.provider()).isNull();
		assertThat(answer.outcome().providerCode()).isEqualTo(Failover.UNAVAILABLE);
		assertThat(this.calls).hasSize(made);
	}

	@Test
	void aSingleProvidersBreakerNeverOpens() {
		Failover<String> failover = failover("only");
		this.answers.put("only", (message) -> TRANSIENT);
		for (int i = 0; i < 10; i++) {
			assertThat(failover.send("m" + i, "m" + i).block().provider()).isEqualTo("only");
		}
		assertThat(failover.states().get(0).breaker()).isEqualTo("DISABLED");
	}

}
