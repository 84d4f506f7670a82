package bench;

import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import io.netty.buffer.Unpooled;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

import static java.nio.charset.StandardCharsets.UTF_8;

/**
 * Open-model load at a fixed rate, free of coordinated omission: request i is due at
 * start + i / rate whatever happened to earlier ones, and its latency is measured from that due
 * time, so a stalled server is charged for the requests that queued behind the stall (what wrk2
 * does; wrk itself waits for each answer before sending the next). Sends the benchmark's SMS
 * (post-sms.lua) with BENCH_API_KEY. Reactor Netty client, same jars as the gateway.
 *
 * java -cp CP FixedRate.java URL RATE SECONDS [MAX_CONNECTIONS] [WARMUP_SECONDS]
 * prints: rate=... sent=... p50_ms=... p90_ms=... p99_ms=... p999_ms=... max_ms=... errors=... non2xx=...
 * client_cpu_ms_per_req=... (this process's own CPU: it shares the machine with the server)
 */
public class FixedRate {

	private static final byte[] BODY = "{\"to\":\"+14155550123\",\"body\":\"Your code is 123456\"}".getBytes(UTF_8);

	public static void main(String[] args) throws Exception {
		String url = args[0];
		double rate = Double.parseDouble(args[1]);
		int seconds = Integer.parseInt(args[2]);
		int connections = args.length > 3 ? Integer.parseInt(args[3]) : 256;
		int warmup = args.length > 4 ? Integer.parseInt(args[4]) : 5;
		String key = System.getenv("BENCH_API_KEY");
		ConnectionProvider pool = ConnectionProvider.builder("fixed-rate")
			.maxConnections(connections)
			.pendingAcquireMaxCount(-1)
			.pendingAcquireTimeout(Duration.ofSeconds(30))
			.build();
		HttpClient client = HttpClient.create(pool).headers((h) -> {
			h.set("Content-Type", "application/json");
			if (key != null) {
				h.set("Authorization", "Bearer " + key);
			}
		});
		if (warmup > 0) {
			run(client, url, rate, warmup); // client JIT and connections; not reported
		}
		var os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
		System.out.println("measuring"); // run.sh starts counting the server's CPU here, after the warm-up
		System.out.flush();
		long cpu0 = os.getProcessCpuTime();
		Result result = run(client, url, rate, seconds);
		long cpu = os.getProcessCpuTime() - cpu0;
		long[] sorted = result.latencies.clone();
		Arrays.sort(sorted);
		System.out.printf("rate=%.0f sent=%d achieved_rps=%.0f p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f p999_ms=%.2f max_ms=%.2f errors=%d non2xx=%d client_cpu_ms_per_req=%.3f%n",
				rate, sorted.length, sorted.length / result.seconds, pct(sorted, 50), pct(sorted, 90), pct(sorted, 99),
				pct(sorted, 99.9), sorted[sorted.length - 1] / 1e6, result.errors.get(), result.non2xx.get(),
				cpu / 1e6 / sorted.length);
		pool.dispose();
	}

	private record Result(long[] latencies, double seconds, AtomicLong errors, AtomicLong non2xx) {
	}

	private static Result run(HttpClient client, String url, double rate, int seconds) throws InterruptedException {
		int total = (int) Math.round(rate * seconds);
		long period = Math.round(1e9 / rate);
		long[] latencies = new long[total];
		AtomicLong errors = new AtomicLong();
		AtomicLong non2xx = new AtomicLong();
		CountDownLatch done = new CountDownLatch(total);
		long start = System.nanoTime() + 10_000_000;
		for (int i = 0; i < total; i++) {
			long due = start + i * period;
			long wait;
			// Sleeps rather than spins: on a 2-core machine a spinning load generator takes the CPU
			// the server under test needs. A late wake-up sends every request due by then at once,
			// and their latency still counts from their due time.
			while ((wait = due - System.nanoTime()) > 0) {
				LockSupport.parkNanos(wait);
			}
			int index = i;
			client.post()
				.uri(url)
				.send(Mono.fromSupplier(() -> Unpooled.wrappedBuffer(BODY)))
				.responseSingle((response, body) -> body.then(Mono.just(response.status().code())))
				.timeout(Duration.ofSeconds(30))
				.subscribe((status) -> {
					latencies[index] = System.nanoTime() - due;
					if (status / 100 != 2) {
						non2xx.incrementAndGet();
					}
					done.countDown();
				}, (ex) -> {
					latencies[index] = System.nanoTime() - due;
					errors.incrementAndGet();
					done.countDown();
				});
		}
		done.await();
		return new Result(latencies, (System.nanoTime() - start) / 1e9, errors, non2xx);
	}

	private static double pct(long[] sorted, double p) {
		int i = (int) Math.ceil(p / 100 * sorted.length) - 1;
		return sorted[Math.max(0, Math.min(sorted.length - 1, i))] / 1e6;
	}

}
