package com.cloudgreet.relay.notification.config;

import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

import com.cloudgreet.relay.common.Channel;
import com.cloudgreet.relay.common.alert.DeadLetterAlerter;
import com.cloudgreet.relay.delivery.DeadLetterPublisher;
import com.cloudgreet.relay.delivery.DeliveryEngine;
import com.cloudgreet.relay.delivery.EngineSettings;
import com.cloudgreet.relay.delivery.RetrySchedule;
import com.cloudgreet.relay.delivery.TraceParents;
import com.cloudgreet.relay.delivery.failover.Failover;
import com.cloudgreet.relay.common.event.RelayRequest;
import com.cloudgreet.relay.notification.delivery.DecodedRequests;
import com.cloudgreet.relay.notification.delivery.Engines;
import com.cloudgreet.relay.notification.delivery.MessageChannel;
import com.cloudgreet.relay.notification.delivery.MessageJob;
import com.cloudgreet.relay.notification.delivery.MessageStore;
import com.cloudgreet.relay.notification.sender.SenderCheck;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.propagation.Propagator;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.context.annotation.Bean;
import com.cloudgreet.relay.delivery.retention.RetentionJob;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.core.KafkaTemplate;

/** One delivery engine per channel, on the shared delivery core (module delivery-engine). */
@Configuration(proxyBeanMethods = false)
public class EngineConfiguration {

	/** This process's lease owner name: unique per start, so a restart never mistakes old leases for its own. */
	static final String OWNER = ManagementFactory.getRuntimeMXBean().getName() + "/"
			+ UUID.randomUUID().toString().substring(0, 8);

	@Bean
	DeadLetterPublisher deadLetterPublisher(KafkaTemplate<String, byte[]> kafka) {
		return new DeadLetterPublisher(kafka);
	}

	@Bean
	TraceParents traceParents(ObjectProvider<Tracer> tracer, ObjectProvider<Propagator> propagator,
			ObjectProvider<ObservationRegistry> observations) {
		return new TraceParents(tracer.getIfAvailable(() -> Tracer.NOOP), propagator.getIfAvailable(() -> Propagator.NOOP),
				observations.getIfAvailable(() -> ObservationRegistry.NOOP), "relay.notification.attempt",
				"notification attempt");
	}

	/** Requests intake decoded, for the attempts that claim them from the table. */
	@Bean
	DecodedRequests decodedRequests() {
		return new DecodedRequests();
	}

	@Bean
	DeliveryEngine<MessageJob> emailEngine(MessageStore store,
			@Qualifier("emailProviders") Failover<RelayRequest> providers, DeadLetterPublisher deadLetters,
			NotificationProperties properties, DeadLetterAlerter alerter, MeterRegistry meters, TraceParents traces,
			DecodedRequests decoded, SenderCheck senders) {
		MessageChannel channel = MessageChannel.through(Channel.EMAIL, providers, deadLetters, decoded, senders);
		return engine(Channel.EMAIL, store, channel, properties.email().retryDelays(), properties, alerter, meters,
				traces, OWNER);
	}

	@Bean
	DeliveryEngine<MessageJob> smsEngine(MessageStore store, @Qualifier("smsProviders") Failover<RelayRequest> providers,
			DeadLetterPublisher deadLetters, NotificationProperties properties, DeadLetterAlerter alerter,
			MeterRegistry meters, TraceParents traces, DecodedRequests decoded, SenderCheck senders) {
		MessageChannel channel = MessageChannel.through(Channel.SMS, providers, deadLetters, decoded, senders);
		return engine(Channel.SMS, store, channel, properties.sms().retryDelays(), properties, alerter, meters, traces,
				OWNER);
	}

	@Bean
	RetentionJob messageRetention(MessageStore store, NotificationProperties properties) {
		return new RetentionJob("messages", store::deleteSettledBefore, properties.retention(), Clock.systemUTC());
	}

	@Bean
	Engines engines(@Qualifier("emailEngine") DeliveryEngine<MessageJob> email,
			@Qualifier("smsEngine") DeliveryEngine<MessageJob> sms) {
		return new Engines(Map.of(Channel.EMAIL, email, Channel.SMS, sms));
	}

	/** An engine of {@code channel}; public so tests can run a second instance beside the service's. */
	public static DeliveryEngine<MessageJob> engine(Channel kind, MessageStore store, MessageChannel channel,
			List<java.time.Duration> retryDelays, NotificationProperties properties, DeadLetterAlerter alerter,
			MeterRegistry meters, TraceParents traces, String owner) {
		NotificationProperties.Delivery d = properties.delivery();
		// One provider account per channel: the channel's whole allowance is its one destination's,
		// and tenants share it as before.
		EngineSettings settings = new EngineSettings(d.maxInFlight(), d.maxInFlight(), d.maxInFlight(), d.batchSize(), d.pollInterval(), d.lease(),
				d.inProcessAttempts(), d.initialBackoff(), d.backoffMultiplier(), d.maxRetryAfterInProcess(),
				d.minPause(), d.maxPause(), d.drainTimeout(), d.deadLetterGrace());
		RetrySchedule schedule = new RetrySchedule(retryDelays, d.jitter(), d.maxRetryAfter(),
				() -> ThreadLocalRandom.current().nextDouble());
		return new DeliveryEngine<>(kind, store.queue(kind), channel, schedule, settings, alerter, meters,
				"relay.notification", traces, Clock.systemUTC(), owner);
	}

}
