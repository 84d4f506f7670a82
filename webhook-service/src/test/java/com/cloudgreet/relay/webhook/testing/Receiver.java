package com.cloudgreet.relay.webhook.testing;

import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.Headers;

/** A webhook receiver on loopback (MockWebServer) that records every request and when it arrived. */
public final class Receiver implements AutoCloseable {

	private final MockWebServer server = new MockWebServer();

	private final List<Received> received = new CopyOnWriteArrayList<>();

	private final AtomicInteger count = new AtomicInteger();

	private volatile IntFunction<MockResponse> responder;

	public record Received(Instant at, Headers headers, byte[] body) {

		public String webhookId() {
			return this.headers.get("webhook-id");
		}

		public String bodyText() {
			return new String(this.body, java.nio.charset.StandardCharsets.UTF_8);
		}

	}

	/** {@code responder} gets the 1-based number of the request. */
	public Receiver(IntFunction<MockResponse> responder) {
		this.responder = responder;
		this.server.setDispatcher(new Dispatcher() {
			@Override
			public MockResponse dispatch(RecordedRequest request) {
				Instant at = Instant.now();
				int number = Receiver.this.count.incrementAndGet();
				byte[] body = request.getBody() == null ? new byte[0] : request.getBody().toByteArray();
				Receiver.this.received.add(new Received(at, request.getHeaders(), body));
				return Receiver.this.responder.apply(number);
			}
		});
		try {
			this.server.start();
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	public static Receiver ok() {
		return new Receiver((n) -> status(200));
	}

	public static MockResponse status(int code) {
		return new MockResponse.Builder().code(code).body("status " + code).build();
	}

	public void respondWith(IntFunction<MockResponse> responder) {
		this.responder = responder;
	}

	public String url() {
		return "http://127.0.0.1:" + this.server.getPort() + "/hook";
	}

	public List<Received> received() {
		return List.copyOf(this.received);
	}

	public int count() {
		return this.received.size();
	}

	@Override
	public void close() {
		this.server.close();
	}

}
