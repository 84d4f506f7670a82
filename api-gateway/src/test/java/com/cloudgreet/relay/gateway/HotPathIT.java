package com.cloudgreet.relay.gateway;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import org.apache.kafka.clients.producer.ProducerInterceptor;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.data.redis.core.ScanOptions;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The hot path's economies keep their guarantees: the accepted record rides on the limiter's Redis
 * call (and a refused request leaves none), and Kafka sends leave the request's thread only while
 * the producer might wait (no producer or topic metadata yet).
 */
class HotPathIT extends GatewayIntegrationTest {

	@Autowired
	ReactiveStringRedisTemplate redis;

	@Test
	void theLimiterCallWritesTheAcceptedRecordAndARefusedRequestLeavesNone() {
		NewTenant tenant = createTenant("{\"name\":\"one-shot\",\"rateLimit\":{\"requestsPerSecond\":0.001,\"burst\":1}}");
		JsonNode accepted = post(this.web, tenant).expectStatus()
			.isAccepted()
			.expectBody(JsonNode.class)
			.returnResult()
			.getResponseBody();
		String id = accepted.get("id").asString();
		post(this.web, tenant).expectStatus().isEqualTo(429);

		// In the slot of the tenant's limit keys, so one script may write both (Redis Cluster).
		String value = this.redis.opsForValue().get("relay:accepted:{" + tenant.id() + "}:" + id).block();
		assertThat(value).startsWith(tenant.id() + "|sms|");
		// SCAN, not KEYS: the Redis of a dev machine may hold a benchmark's hundreds of thousands of keys.
		List<String> records = this.redis
			.scan(ScanOptions.scanOptions().match("relay:accepted:{" + tenant.id() + "}:*").count(10_000).build())
			.collectList()
			.block();
		assertThat(records).as("the refused request recorded nothing").hasSize(1);
		// (StatusAndRoutingIT reads such a record back as "queued"; this tenant's one token is spent.)
	}

	@Test
	void sendsHopToAWorkerOnlyUntilTheProducerKnowsTheTopic() {
		SendThreads.names.clear();
		String owners = "http://127.0.0.1:" + OWNERS.getPort();
		ConfigurableApplicationContext gateway = Gateways.start(Map.of("spring.kafka.bootstrap-servers",
				this.broker.getBrokersAsString(), "spring.kafka.producer.properties.interceptor.classes",
				SendThreads.class.getName(), "relay.gateway.services.notification-url", owners,
				"relay.gateway.services.webhook-url", owners));
		try {
			WebTestClient client = Gateways.client(gateway);
			NewTenant tenant = createTenant();
			for (int i = 0; i < 5; i++) {
				post(client, tenant).expectStatus().isAccepted();
			}
			assertThat(SendThreads.names).hasSize(5);
			// The first send may create the producer and fetch metadata: never on a Netty thread.
			assertThat(SendThreads.names.get(0)).startsWith("boundedElastic");
			// Afterwards send() cannot wait, and the request's own thread runs it: its Netty event
			// loop, where the limiter's reply brought it back (not Lettuce's I/O thread).
			assertThat(SendThreads.names.subList(1, 5)).allMatch((name) -> name.matches("(webflux|reactor)-http-.*"));
		}
		finally {
			gateway.close();
		}
	}

	private static WebTestClient.ResponseSpec post(WebTestClient client, NewTenant tenant) {
		return client.post()
			.uri("/v1/messages/sms")
			.header("Authorization", "Bearer " + tenant.apiKey())
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(sms("hot path"))
			.exchange();
	}

	/** Records the thread each record is sent from ({@code onSend} runs inside {@code send}). */
	public static class SendThreads implements ProducerInterceptor<Object, Object> {

		static final List<String> names = new CopyOnWriteArrayList<>();

		@Override
		public ProducerRecord<Object, Object> onSend(ProducerRecord<Object, Object> record) {
			names.add(Thread.currentThread().getName());
			return record;
		}

		@Override
		public void onAcknowledgement(RecordMetadata metadata, Exception exception) {
		}

		@Override
		public void close() {
		}

		@Override
		public void configure(Map<String, ?> configs) {
		}

	}

}
