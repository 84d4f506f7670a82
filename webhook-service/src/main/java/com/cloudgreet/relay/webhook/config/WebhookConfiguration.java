package com.cloudgreet.relay.webhook.config;

import com.cloudgreet.relay.delivery.RetrySchedule;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

import com.cloudgreet.relay.common.Channel;
import com.cloudgreet.relay.common.alert.DeadLetterAlerter;
import com.cloudgreet.relay.common.alert.DeadLetterAlerters;
import com.cloudgreet.relay.common.kafka.DeclaredTopics;
import com.cloudgreet.relay.common.kafka.IntakeRetry;
import com.cloudgreet.relay.common.kafka.RelayKafkaSupport;
import com.cloudgreet.relay.common.kafka.Topics;
import com.cloudgreet.relay.common.kafka.producer.ProducerAllowlist;
import com.cloudgreet.relay.common.kafka.producer.ProducerAllowlistConfiguration;
import com.cloudgreet.relay.common.metrics.DeliveryMetrics;
import com.cloudgreet.relay.webhook.delivery.AutoDisableRule;
import com.cloudgreet.relay.common.ratelimit.RedisRateLimiter;
import com.cloudgreet.relay.delivery.DeadLetterPublisher;
import com.cloudgreet.relay.delivery.DeliveryEngine;
import com.cloudgreet.relay.delivery.DestinationThrottle;
import com.cloudgreet.relay.delivery.EngineSettings;
import com.cloudgreet.relay.delivery.TraceParents;
import com.cloudgreet.relay.webhook.delivery.DeliveryStore;
import com.cloudgreet.relay.webhook.delivery.EndpointHealth;
import com.cloudgreet.relay.webhook.delivery.FanOut;
import com.cloudgreet.relay.webhook.delivery.WebhookChannel;
import com.cloudgreet.relay.webhook.delivery.WebhookJob;
import com.cloudgreet.relay.webhook.delivery.WebhookEventListener;
import com.cloudgreet.relay.webhook.delivery.WebhookHttpClient;
import com.cloudgreet.relay.webhook.delivery.WebhookSender;
import com.cloudgreet.relay.webhook.endpoint.EndpointRepository;
import com.cloudgreet.relay.webhook.endpoint.EndpointService;
import com.cloudgreet.relay.webhook.endpoint.StoredSecrets;
import com.cloudgreet.relay.webhook.message.MessageQueries;
import com.cloudgreet.relay.delivery.retention.RetentionJob;
import com.cloudgreet.relay.webhook.signing.SecretCipher;
import com.cloudgreet.relay.webhook.ssrf.AddressPolicy;
import com.cloudgreet.relay.webhook.ssrf.DnsHostResolver;
import com.cloudgreet.relay.webhook.ssrf.HostResolver;
import com.cloudgreet.relay.webhook.ssrf.UrlGuard;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.propagation.Propagator;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.r2dbc.core.DatabaseClient;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

/** Wires the webhook service from its one properties tree. */
@Configuration(proxyBeanMethods = false)
@Import({ RelayKafkaSupport.class, ProducerAllowlistConfiguration.class })
public class WebhookConfiguration {

	/** Partitions of the topics this service declares; consumers scale out up to this many. */

	@Bean
	Clock clock() {
		return Clock.systemUTC();
	}

	// --- SSRF --------------------------------------------------------------------------

	@Bean
	AddressPolicy addressPolicy(WebhookServiceProperties properties) {
		return new AddressPolicy(properties.webhooks().allowPrivateNetworks());
	}

	/** Asynchronous DNS with a time limit, for registration-time vetting and delivery alike. */
	@Bean(destroyMethod = "close")
	DnsHostResolver hostResolver(WebhookServiceProperties properties) {
		var dns = properties.webhooks().dns();
		List<InetSocketAddress> servers = dns.servers().stream().map(WebhookConfiguration::socketAddress).toList();
		return new DnsHostResolver(servers, dns.timeout());
	}

	private static InetSocketAddress socketAddress(String hostAndPort) {
		URI uri = URI.create("dns://" + hostAndPort.trim());
		return new InetSocketAddress(uri.getHost(), uri.getPort() < 0 ? 53 : uri.getPort());
	}

	@Bean
	UrlGuard urlGuard(AddressPolicy policy, HostResolver hostResolver) {
		return new UrlGuard(policy, hostResolver);
	}

	// --- endpoints and their secrets ---------------------------------------------------

	/** Fails start-up without a valid key: there is no built-in one to fall back on. */
	@Bean
	SecretCipher secretCipher(WebhookServiceProperties properties) {
		return new SecretCipher(properties.webhooks().secretKeys(), properties.webhooks().secretKeyId());
	}

	@Bean
	EndpointService endpointService(EndpointRepository repository, UrlGuard urlGuard, SecretCipher cipher,
			WebhookServiceProperties properties, Clock clock) {
		var webhooks = properties.webhooks();
		return new EndpointService(repository, urlGuard, cipher,
				new EndpointService.Settings(webhooks.maxEndpointsPerTenant(), webhooks.secretRotationGrace()), clock);
	}

	@Bean
	StoredSecrets storedSecrets(DatabaseClient db, SecretCipher cipher, WebhookServiceProperties properties) {
		return new StoredSecrets(db, cipher, properties.webhooks().secretPurgeInterval());
	}

	// --- delivery ----------------------------------------------------------------------

	@Bean(destroyMethod = "dispose")
	ConnectionProvider webhookConnections(WebhookServiceProperties properties) {
		var webhooks = properties.webhooks();
		return ConnectionProvider.builder("webhooks")
			.maxConnections(webhooks.maxInFlight())
			.pendingAcquireTimeout(webhooks.timeout())
			// Receivers often close idle keep-alive connections after ~60 s; retire ours first.
			.maxIdleTime(Duration.ofSeconds(30))
			.build();
	}

	@Bean
	WebhookSender webhookSender(ConnectionProvider webhookConnections, HostResolver hostResolver,
			AddressPolicy policy, WebhookServiceProperties properties, Clock clock) {
		var webhooks = properties.webhooks();
		HttpClient client = WebhookHttpClient.create(webhookConnections, policy, hostResolver,
				webhooks.connectTimeout(), webhooks.timeout());
		return new WebhookSender(client, webhooks.timeout(), (int) webhooks.responseExcerpt().toBytes(), clock);
	}

	@Bean
	DeliveryStore deliveryStore(DatabaseClient db, SecretCipher cipher) {
		return new DeliveryStore(db, cipher);
	}

	@Bean
	RetentionJob eventRetention(DeliveryStore store, WebhookServiceProperties properties, Clock clock) {
		return new RetentionJob("webhook events", store::deleteSettledBefore, properties.retention(), clock);
	}

	@Bean
	DeadLetterAlerter deadLetterAlerter(WebhookServiceProperties properties) {
		return DeadLetterAlerters.create(properties.alerts().slackWebhookUrl(), properties.alerts().window());
	}

	@Bean
	DeliveryMetrics deliveryMetrics(MeterRegistry meters) {
		return new DeliveryMetrics(meters, Channel.WEBHOOK);
	}

	@Bean
	DeadLetterPublisher deadLetterPublisher(KafkaTemplate<String, byte[]> kafka) {
		return new DeadLetterPublisher(kafka);
	}

	@Bean
	EndpointHealth endpointHealth(DeliveryStore store, WebhookServiceProperties properties, DeadLetterAlerter alerter,
			MeterRegistry meters, Clock clock) {
		var autoDisable = properties.webhooks().autoDisable();
		var rule = new AutoDisableRule(autoDisable.enabled(), autoDisable.consecutiveFailures(), autoDisable.failingFor());
		return new EndpointHealth(store, rule, alerter, meters, clock);
	}

	@Bean
	WebhookChannel webhookChannel(WebhookSender sender, ReactiveStringRedisTemplate redis, DeliveryStore store,
			DeadLetterPublisher deadLetters, EndpointHealth health) {
		return new WebhookChannel(sender, new DestinationThrottle(new RedisRateLimiter(redis)), store, deadLetters,
				health);
	}

	/** The delivery engine every channel shares (module delivery-engine), over the delivery table. */
	@Bean
	DeliveryEngine<WebhookJob> webhookEngine(DeliveryStore store, WebhookChannel channel,
			WebhookServiceProperties properties, DeadLetterAlerter alerter, MeterRegistry meters, TraceParents traces,
			Clock clock) {
		var webhooks = properties.webhooks();
		var dispatcher = webhooks.dispatcher();
		// One attempt per claim: a failed POST spends a retry stage at once (the schedule starts
		// with 0s), so in-process retry, Retry-After waits in process and account pauses are off.
		var settings = new EngineSettings(webhooks.maxInFlight(), webhooks.perEndpointConcurrency(),
				webhooks.maxInFlightPerTenant(), dispatcher.batchSize(), dispatcher.pollInterval(), dispatcher.lease(), 1,
				Duration.ZERO, 1.0, Duration.ZERO, Duration.ofSeconds(1), Duration.ofSeconds(1),
				webhooks.timeout().plusSeconds(1), dispatcher.deadLetterGrace());
		var schedule = new RetrySchedule(webhooks.retryDelays(), webhooks.jitter(), webhooks.maxRetryAfter(),
				() -> ThreadLocalRandom.current().nextDouble());
		// Unique per process start: a restarted instance must not take its predecessor's leases for its own.
		String owner = ManagementFactory.getRuntimeMXBean().getName() + "/" + UUID.randomUUID().toString().substring(0, 8);
		return new DeliveryEngine<>(Channel.WEBHOOK, store.queue(), channel, schedule, settings, alerter, meters,
				"relay.webhook", traces, clock, owner);
	}

	@Bean
	TraceParents traceParents(ObjectProvider<Tracer> tracer, ObjectProvider<Propagator> propagator,
			ObjectProvider<ObservationRegistry> observations) {
		return new TraceParents(tracer.getIfAvailable(() -> Tracer.NOOP), propagator.getIfAvailable(() -> Propagator.NOOP),
				observations.getIfAvailable(() -> ObservationRegistry.NOOP), "relay.webhook.attempt", "webhook attempt");
	}

	@Bean
	FanOut fanOut(DeliveryStore store, EndpointRepository endpoints, DeliveryEngine<WebhookJob> engine,
			WebhookServiceProperties properties, Clock clock) {
		return new FanOut(store, endpoints, engine, properties.webhooks().dispatcher().lease(), clock);
	}

	@Bean
	WebhookEventListener webhookEventListener(FanOut fanOut, DeadLetterPublisher deadLetters,
			DeadLetterAlerter alerter, DeliveryMetrics metrics, ProducerAllowlist producers, IntakeRetry retry) {
		return new WebhookEventListener(fanOut, deadLetters, alerter, metrics, producers, retry);
	}

	@Bean
	MessageQueries messageQueries(DatabaseClient db) {
		return new MessageQueries(db);
	}

	// --- Kafka -------------------------------------------------------------------------

	/** Created, or checked against relay.kafka.topics.*, before the service starts (RelayKafkaSupport). */
	@Bean
	DeclaredTopics webhookTopics() {
		return DeclaredTopics.of(Topics.WEBHOOK, Topics.deadLetter(Topics.WEBHOOK));
	}

}
