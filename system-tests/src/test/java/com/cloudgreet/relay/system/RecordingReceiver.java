package com.cloudgreet.relay.system;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A provider or webhook receiver on loopback that records every request it answers: the path, the
 * {@code webhook-id} header and the body. Each answer leaves after a provider-like latency, so a
 * service killed mid-stream has sends in flight; the latency is scheduled, no thread waits for it.
 */
final class RecordingReceiver implements AutoCloseable {

	/** What one request carried; {@code webhookId} is null for requests without that header. */
	record Request(String path, String webhookId, String body) {

		/** A form field of an {@code application/x-www-form-urlencoded} body, decoded. */
		String formField(String name) {
			for (String pair : this.body.split("&")) {
				int equals = pair.indexOf('=');
				if (equals > 0 && URLDecoder.decode(pair.substring(0, equals), StandardCharsets.UTF_8).equals(name)) {
					return URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8);
				}
			}
			return null;
		}

	}

	private static final long LATENCY_MILLIS = 20;

	private final ConcurrentLinkedQueue<Request> received = new ConcurrentLinkedQueue<>();

	private final AtomicLong answered = new AtomicLong();

	private final ExecutorService handlers = Executors.newFixedThreadPool(8);

	private final ScheduledExecutorService answers = Executors.newSingleThreadScheduledExecutor();

	private final HttpServer server;

	private final int status;

	private RecordingReceiver(int status) {
		this.status = status;
		try {
			this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 512);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		this.server.setExecutor(this.handlers);
		this.server.createContext("/", this::record);
		this.server.start();
	}

	/** Answers like Twilio's Messages API: 201 with a message sid. */
	static RecordingReceiver twilio() {
		return new RecordingReceiver(201);
	}

	/** Answers like a webhook receiver: 204, no body. */
	static RecordingReceiver webhooks() {
		return new RecordingReceiver(204);
	}

	String url() {
		return "http://127.0.0.1:" + this.server.getAddress().getPort();
	}

	/** Every request answered so far, in arrival order. */
	List<Request> received() {
		return List.copyOf(this.received);
	}

	private void record(HttpExchange exchange) throws IOException {
		String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
		this.received.add(new Request(exchange.getRequestURI().getPath(),
				exchange.getRequestHeaders().getFirst("webhook-id"), body));
		this.answers.schedule(() -> answer(exchange), LATENCY_MILLIS, TimeUnit.MILLISECONDS);
	}

	private void answer(HttpExchange exchange) {
		try (exchange) {
			if (this.status == 204) {
				exchange.sendResponseHeaders(204, -1);
				return;
			}
			byte[] body = ("{\"sid\":\"SM" + this.answered.incrementAndGet() + "\",\"status\":\"queued\"}")
				.getBytes(StandardCharsets.UTF_8);
			exchange.getResponseHeaders().set("Content-Type", "application/json");
			exchange.sendResponseHeaders(this.status, body.length);
			try (OutputStream out = exchange.getResponseBody()) {
				out.write(body);
			}
		}
		catch (IOException ex) {
			// The caller went away (a killed service): what it sent is recorded all the same.
		}
	}

	@Override
	public void close() {
		this.server.stop(0);
		this.answers.shutdownNow();
		this.handlers.shutdownNow();
	}

}
