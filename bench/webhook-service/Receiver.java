import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * Benchmark webhook receiver on loopback (JDK only: java Receiver.java PORT).
 *   POST /ok/...    answers 204 at once and records accepted -> received latency, where
 *                   "accepted" is the body's "timestamp" (the CloudEvent time, stamped at produce)
 *   POST /hang/...  never answers; the connection is closed after 30 s (no thread is held)
 *   GET  /stats     JSON: count, distinct webhook-ids, first/last receipt, latency p50/p99/max
 *   POST /reset     clears the figures
 */
public class Receiver {

	private static final Pattern TIMESTAMP = Pattern.compile("\"timestamp\":\"([^\"]+)\"");

	private static final List<long[]> samples = Collections.synchronizedList(new ArrayList<>());

	private static final Set<String> ids = ConcurrentHashMap.newKeySet();

	private static final AtomicLong hung = new AtomicLong();

	private static final ScheduledExecutorService closer = Executors.newSingleThreadScheduledExecutor();

	public static void main(String[] args) throws IOException {
		int port = Integer.parseInt(args[0]);
		HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 1024);
		server.setExecutor(Executors.newFixedThreadPool(8));
		server.createContext("/ok/", Receiver::ok);
		server.createContext("/hang/", Receiver::hang);
		server.createContext("/stats", Receiver::stats);
		server.createContext("/reset", (exchange) -> {
			samples.clear();
			ids.clear();
			hung.set(0);
			respond(exchange, 204, "");
		});
		server.start();
		System.out.println("receiver listening on 127.0.0.1:" + port);
	}

	private static void ok(HttpExchange exchange) throws IOException {
		long now = System.currentTimeMillis();
		byte[] body = readAll(exchange.getRequestBody());
		String id = exchange.getRequestHeaders().getFirst("webhook-id");
		Matcher m = TIMESTAMP.matcher(new String(body, StandardCharsets.UTF_8));
		if (m.find()) {
			long accepted = Instant.parse(m.group(1)).toEpochMilli();
			samples.add(new long[] { now, now - accepted });
		}
		if (id != null) {
			ids.add(id);
		}
		respond(exchange, 204, "");
	}

	private static void hang(HttpExchange exchange) throws IOException {
		readAll(exchange.getRequestBody());
		hung.incrementAndGet();
		closer.schedule(exchange::close, 30, TimeUnit.SECONDS);
	}

	private static void stats(HttpExchange exchange) throws IOException {
		List<long[]> copy;
		synchronized (samples) {
			copy = new ArrayList<>(samples);
		}
		long[] latencies = copy.stream().mapToLong((s) -> s[1]).sorted().toArray();
		long first = copy.stream().mapToLong((s) -> s[0]).min().orElse(0);
		long last = copy.stream().mapToLong((s) -> s[0]).max().orElse(0);
		String json = String.format(
				"{\"count\":%d,\"distinctIds\":%d,\"hung\":%d,\"firstMs\":%d,\"lastMs\":%d,\"p50\":%d,\"p99\":%d,\"max\":%d}",
				latencies.length, ids.size(), hung.get(), first, last, pct(latencies, 0.50), pct(latencies, 0.99),
				latencies.length == 0 ? 0 : latencies[latencies.length - 1]);
		respond(exchange, 200, json);
	}

	private static long pct(long[] sorted, double p) {
		if (sorted.length == 0) {
			return 0;
		}
		int index = (int) Math.ceil(p * sorted.length) - 1;
		return sorted[Math.max(0, Math.min(index, sorted.length - 1))];
	}

	private static byte[] readAll(InputStream in) throws IOException {
		try (in) {
			return in.readAllBytes();
		}
	}

	private static void respond(HttpExchange exchange, int status, String body) throws IOException {
		byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
		if (bytes.length == 0) {
			exchange.sendResponseHeaders(status, -1);
		}
		else {
			exchange.getResponseHeaders().set("Content-Type", "application/json");
			exchange.sendResponseHeaders(status, bytes.length);
			try (OutputStream out = exchange.getResponseBody()) {
				out.write(bytes);
			}
		}
		exchange.close();
	}

}
