package com.cloudgreet.relay.delivery.failover;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.cloudgreet.relay.delivery.ChannelGate;
import com.cloudgreet.relay.delivery.Outcome;
import com.cloudgreet.relay.delivery.ProviderOutcome;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * A channel's ordered providers (two SMTP relays, two SMS accounts), each with its own circuit
 * breaker and its own pause. Each call goes to the first provider, in order, that is not paused and
 * whose breaker admits it:
 * <ul>
 * <li>a transient failure counts against that provider's breaker, and the message's next call (an
 * in-process retry or a later retry stage on this instance) starts at the next provider;</li>
 * <li>a permanent refusal is the message's answer: final, never tried elsewhere;</li>
 * <li>an account failure pauses that provider only and the same call moves on to the next; only
 * when every provider is paused is the account failure returned, and the engine pauses the channel.
 * The engine's probe then goes to the first provider whose breaker admits it, paused or not.</li>
 * </ul>
 * A single provider has its breaker disabled: there is nowhere to fail over to, and the retry
 * schedule already spaces calls to a provider that is down. Nothing here sends twice: each call
 * goes to one provider, and its answer is the attempt the engine records.
 *
 * <p>Each provider's rate ({@link Provider#permit()}) is waited for once it is chosen, so, unlike
 * a channel's own permit, that wait falls inside the engine's timing of the attempt.
 */
public final class Failover<M> {

	private static final Logger log = LoggerFactory.getLogger(Failover.class);

	/** Messages whose next call is remembered to start past a failed provider; the oldest are forgotten. */
	static final int REMEMBERED = 10_000;

	/** What an attempt says when every provider's breaker refused it: nothing was sent. */
	public static final String UNAVAILABLE = "unavailable";

	private final String channel;

	private final List<Member<M>> members;

	private final Map<String, Integer> resumeAt = Collections.synchronizedMap(new LinkedHashMap<>() {

		@Override
		protected boolean removeEldestEntry(Map.Entry<String, Integer> eldest) {
			return size() > REMEMBERED;
		}

	});

	public Failover(String channel, List<Provider<M>> providers, CircuitBreakerRegistry breakers,
			BreakerSettings settings, Duration minPause, Duration maxPause, Clock clock, MeterRegistry meters,
			String metricPrefix) {
		if (providers.isEmpty()) {
			throw new IllegalArgumentException("channel " + channel + " needs at least one provider");
		}
		if (providers.stream().map(Provider::name).distinct().count() < providers.size()) {
			throw new IllegalArgumentException("channel " + channel + " names a provider twice: "
					+ providers.stream().map(Provider::name).toList());
		}
		this.channel = channel;
		List<Member<M>> list = new ArrayList<>();
		for (Provider<M> provider : providers) {
			CircuitBreaker breaker = breakers.circuitBreaker(channel + "-" + provider.name(), settings.config());
			if (providers.size() == 1) {
				breaker.transitionToDisabledState();
			}
			list.add(new Member<>(provider, breaker, new ChannelGate(minPause, maxPause, clock),
					counters(meters, metricPrefix, channel, provider.name())));
		}
		this.members = List.copyOf(list);
	}

	private static Map<String, Counter> counters(MeterRegistry meters, String prefix, String channel, String provider) {
		Map<String, Counter> counters = new LinkedHashMap<>();
		for (String outcome : List.of("delivered", "retryable_failure", "permanent_failure", "account_failure")) {
			counters.put(outcome, Counter.builder(prefix + ".provider.calls")
				.description("Provider calls by channel, provider and outcome")
				.tag("channel", channel)
				.tag("provider", provider)
				.tag("outcome", outcome)
				.register(meters));
		}
		return Map.copyOf(counters);
	}

	/** Sends {@code message} (id {@code messageId}) through the first provider that may take it. */
	public Mono<ProviderOutcome> send(String messageId, M message) {
		return Mono.defer(() -> {
			Integer start = this.resumeAt.get(messageId);
			return next(messageId, message, start == null ? 0 : start, 0, null);
		});
	}

	/** Each provider's breaker state and whether it is paused, in order. */
	public List<ProviderState> states() {
		return this.members.stream()
			.map((m) -> new ProviderState(m.provider().name(), m.breaker().getState().name(), m.gate().isPaused()))
			.toList();
	}

	public String channel() {
		return this.channel;
	}

	/** Tries the providers from the {@code from}th after {@code start}, in order, skipping paused ones and open breakers. */
	private Mono<ProviderOutcome> next(String id, M message, int start, int from, ProviderOutcome refused) {
		int count = this.members.size();
		for (int k = from; k < count; k++) {
			Member<M> member = this.members.get((start + k) % count);
			if (member.gate().allowance(0) > 0 && member.breaker().tryAcquirePermission()) {
				return call(id, message, start, k, member, false);
			}
		}
		if (this.members.stream().allMatch((m) -> m.gate().allowance(0) == 0)) {
			if (refused != null) {
				// Every provider refuses our account: the engine pauses the channel and gives the message back.
				return Mono.just(refused);
			}
			// The channel's probe (or a call that raced the last pause): the first breaker that admits it.
			for (int k = 0; k < count; k++) {
				Member<M> member = this.members.get((start + k) % count);
				if (member.breaker().tryAcquirePermission()) {
					return call(id, message, start, k, member, true);
				}
			}
		}
		return Mono.just(ProviderOutcome.unnamed(new Outcome.Retryable(UNAVAILABLE,
				"no " + this.channel + " provider available: every circuit breaker is open", null)));
	}

	private Mono<ProviderOutcome> call(String id, M message, int start, int k, Member<M> member, boolean probe) {
		String name = member.provider().name();
		CircuitBreaker breaker = member.breaker();
		return member.provider().permit().then(Mono.defer(() -> {
			long started = System.nanoTime();
			return member.provider().send().apply(message).flatMap((outcome) -> {
				long nanos = System.nanoTime() - started;
				member.counters().get(outcome.outcomeName()).increment();
				return outcome.<Mono<ProviderOutcome>>match((delivered) -> {
					answered(id, member, nanos);
					return Mono.just(new ProviderOutcome(name, delivered));
				}, (retryable) -> {
					breaker.onError(nanos, TimeUnit.NANOSECONDS, new TransientFailure(retryable));
					reopen(member);
					this.resumeAt.put(id, (start + k + 1) % this.members.size());
					return Mono.just(new ProviderOutcome(name, retryable));
				}, (permanent) -> {
					// The provider works; the message is refused for good, by any provider.
					answered(id, member, nanos);
					return Mono.just(new ProviderOutcome(name, permanent));
				}, (account) -> {
					breaker.releasePermission();
					pause(member, account);
					ProviderOutcome answer = new ProviderOutcome(name, account);
					return probe ? Mono.just(answer) : next(id, message, start, k + 1, answer);
				});
			});
		})).doOnCancel(breaker::releasePermission);
	}

	private void answered(String id, Member<M> member, long nanos) {
		member.breaker().onSuccess(nanos, TimeUnit.NANOSECONDS);
		reopen(member);
		this.resumeAt.remove(id);
	}

	private void pause(Member<M> member, Outcome.AccountFailure failure) {
		if (member.gate().pause()) {
			log.error("{} provider {} paused: it refused the account ({}); the other providers carry on", this.channel,
					member.provider().name(), failure.describe());
		}
	}

	private void reopen(Member<M> member) {
		if (member.gate().reopen()) {
			log.warn("{} provider {} resumed: it accepts the account again", this.channel, member.provider().name());
		}
	}

	/** A provider's breaker state ({@code CLOSED}, {@code OPEN}, {@code HALF_OPEN}, {@code DISABLED}) and pause. */
	public record ProviderState(String name, String breaker, boolean paused) {

		/** Whether the provider takes calls now (a half-open breaker takes probes). */
		public boolean available() {
			return !this.paused && !"OPEN".equals(this.breaker) && !"FORCED_OPEN".equals(this.breaker);
		}

	}

	private record Member<M>(Provider<M> provider, CircuitBreaker breaker, ChannelGate gate,
			Map<String, Counter> counters) {
	}

	/** A transient failure as the breaker counts it. */
	private static final class TransientFailure extends RuntimeException {

		TransientFailure(Outcome.Retryable failure) {
			super(failure.describe(), null, false, false);
		}

	}

}
