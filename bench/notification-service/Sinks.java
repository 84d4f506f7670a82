import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

import com.sun.net.httpserver.HttpServer;

/**
 * Benchmark sinks on loopback: a minimal SMTP server that accepts every message and a Twilio-like
 * HTTP endpoint that answers 201 at once. Both count what they accept and print it every second,
 * so the provider side is never the bottleneck being measured.
 *
 * Run: java Sinks.java <smtpPort> <httpPort>
 */
public class Sinks {

	static final AtomicLong mails = new AtomicLong();

	static final AtomicLong texts = new AtomicLong();

	public static void main(String[] args) throws Exception {
		int smtpPort = Integer.parseInt(args[0]);
		int httpPort = Integer.parseInt(args[1]);
		ExecutorService pool = Executors.newCachedThreadPool();

		HttpServer http = HttpServer.create(new InetSocketAddress("127.0.0.1", httpPort), 512);
		http.setExecutor(Executors.newFixedThreadPool(16));
		http.createContext("/", (exchange) -> {
			exchange.getRequestBody().readAllBytes();
			long n = texts.incrementAndGet();
			byte[] body = ("{\"sid\":\"SM" + n + "\",\"status\":\"queued\"}").getBytes(StandardCharsets.UTF_8);
			exchange.getResponseHeaders().set("Content-Type", "application/json");
			exchange.sendResponseHeaders(201, body.length);
			try (OutputStream out = exchange.getResponseBody()) {
				out.write(body);
			}
		});
		http.start();

		ServerSocket smtp = new ServerSocket();
		smtp.bind(new InetSocketAddress("127.0.0.1", smtpPort), 512);
		pool.submit(() -> {
			while (true) {
				Socket socket = smtp.accept();
				pool.submit(() -> session(socket));
			}
		});

		long lastMails = 0;
		long lastTexts = 0;
		while (true) {
			Thread.sleep(1000);
			long m = mails.get();
			long t = texts.get();
			System.out.printf("sinks: mails=%d (+%d/s) texts=%d (+%d/s)%n", m, m - lastMails, t, t - lastTexts);
			lastMails = m;
			lastTexts = t;
		}
	}

	static Void session(Socket socket) throws Exception {
		try (socket;
				BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
				PrintWriter out = new PrintWriter(socket.getOutputStream(), false, StandardCharsets.UTF_8)) {
			reply(out, "220 sink ESMTP");
			String line;
			boolean data = false;
			while ((line = in.readLine()) != null) {
				if (data) {
					if (line.equals(".")) {
						data = false;
						mails.incrementAndGet();
						reply(out, "250 OK queued");
					}
					continue;
				}
				String command = line.length() >= 4 ? line.substring(0, 4).toUpperCase() : line.toUpperCase();
				switch (command) {
					case "EHLO" -> reply(out, "250-sink\r\n250-8BITMIME\r\n250 SMTPUTF8");
					case "HELO", "MAIL", "RCPT", "RSET", "NOOP" -> reply(out, "250 OK");
					case "DATA" -> {
						data = true;
						reply(out, "354 go ahead");
					}
					case "QUIT" -> {
						reply(out, "221 bye");
						return null;
					}
					default -> reply(out, "502 not implemented");
				}
			}
		}
		return null;
	}

	static void reply(PrintWriter out, String text) {
		out.print(text + "\r\n");
		out.flush();
	}

}
