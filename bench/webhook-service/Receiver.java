import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Set;

/**
 * Benchmark webhook receiver on loopback (JDK only: java Receiver.java PORT).
 *   POST /ok/...    answers 204 at once and records accepted -> received latency, where
 *                   "accepted" is the body's "timestamp" (the CloudEvent time, stamped at produce)
 *   POST /hang/...  never answers; the connection is closed after 30 s (no thread is held)
 *   GET  /stats     JSON: count, distinct webhook-ids, first/last receipt, latency p50/p99/max
 *   POST /reset     clears the figures
 *
 * One thread with a selector and a minimal HTTP/1.1 parser (keep-alive, Content-Length bodies),
 * rather than the JDK's HttpServer: it shares the bench's two cores with the service, and
 * HttpServer's thread hand-offs, header maps and streams cost several times the CPU per request,
 * which the bench would otherwise count against Relay. Every figure is kept on that one thread,
 * so nothing is locked.
 */
public class Receiver {

	private static final byte[] NO_CONTENT = "HTTP/1.1 204 No Content\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

	private static final byte[] NOT_FOUND = "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"
		.getBytes(StandardCharsets.US_ASCII);

	private static final byte[] NOT_IMPLEMENTED = "HTTP/1.1 501 Not Implemented\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
		.getBytes(StandardCharsets.US_ASCII);

	private static final byte[] TIMESTAMP = "\"timestamp\":\"".getBytes(StandardCharsets.US_ASCII);

	private static final long HANG_MS = 30_000;

	// Figures: touched only by the selector thread.
	private static long[] receivedAt = new long[1 << 16];

	private static long[] latencies = new long[1 << 16];

	private static int count;

	private static final Set<String> ids = new HashSet<>();

	private static long hung;

	/** Hanging connections to close, in the order they are due (all wait the same time). */
	private static final ArrayDeque<Object[]> hanging = new ArrayDeque<>();

	public static void main(String[] args) throws IOException {
		int port = Integer.parseInt(args[0]);
		Selector selector = Selector.open();
		ServerSocketChannel server = ServerSocketChannel.open();
		server.bind(new InetSocketAddress("127.0.0.1", port), 1024);
		server.configureBlocking(false);
		server.register(selector, SelectionKey.OP_ACCEPT);
		System.out.println("receiver listening on 127.0.0.1:" + port);
		while (true) {
			selector.select(1000);
			for (Iterator<SelectionKey> keys = selector.selectedKeys().iterator(); keys.hasNext();) {
				SelectionKey key = keys.next();
				keys.remove();
				try {
					if (key.isAcceptable()) {
						accept(server, selector);
					}
					else if (key.isReadable()) {
						read(key);
					}
				}
				catch (IOException | RuntimeException ex) {
					close(key);
				}
			}
			closeHangingDue();
		}
	}

	private static void accept(ServerSocketChannel server, Selector selector) throws IOException {
		SocketChannel channel;
		while ((channel = server.accept()) != null) {
			channel.configureBlocking(false);
			channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
			channel.register(selector, SelectionKey.OP_READ, new Connection());
		}
	}

	/** A connection's unparsed input. */
	private static final class Connection {

		ByteBuffer in = ByteBuffer.allocate(16 * 1024);

		boolean hanging;

	}

	private static void read(SelectionKey key) throws IOException {
		SocketChannel channel = (SocketChannel) key.channel();
		Connection connection = (Connection) key.attachment();
		if (!connection.in.hasRemaining()) {
			connection.in = ByteBuffer.allocate(connection.in.capacity() * 2).put(connection.in.flip());
		}
		int read = channel.read(connection.in);
		if (read < 0) {
			close(key);
			return;
		}
		if (connection.hanging) {
			connection.in.clear(); // a hanging request is never answered; whatever follows is ignored
			return;
		}
		while (handleOne(key, channel, connection)) {
			// every complete request in the buffer, in order (keep-alive; pipelining too)
		}
	}

	/** Handles the first request in the buffer if it is complete; false if more input is needed. */
	private static boolean handleOne(SelectionKey key, SocketChannel channel, Connection connection) throws IOException {
		ByteBuffer in = connection.in;
		byte[] bytes = in.array();
		int end = in.position();
		int headEnd = indexOf(bytes, 0, end, new byte[] { '\r', '\n', '\r', '\n' });
		if (headEnd < 0) {
			return false;
		}
		String head = new String(bytes, 0, headEnd, StandardCharsets.ISO_8859_1);
		int contentLength = 0;
		String id = null;
		String[] lines = head.split("\r\n");
		for (int i = 1; i < lines.length; i++) {
			int colon = lines[i].indexOf(':');
			if (colon < 0) {
				continue;
			}
			String name = lines[i].substring(0, colon).trim();
			String value = lines[i].substring(colon + 1).trim();
			if (name.equalsIgnoreCase("content-length")) {
				contentLength = Integer.parseInt(value);
			}
			else if (name.equalsIgnoreCase("webhook-id")) {
				id = value;
			}
			else if (name.equalsIgnoreCase("transfer-encoding")) {
				write(channel, NOT_IMPLEMENTED); // the sender under test always sends a Content-Length
				close(key);
				return false;
			}
		}
		int bodyStart = headEnd + 4;
		if (end < bodyStart + contentLength) {
			return false;
		}
		String[] requestLine = lines[0].split(" ");
		String method = requestLine[0];
		String path = requestLine.length > 1 ? requestLine[1] : "/";
		if (method.equals("POST") && path.startsWith("/ok/")) {
			ok(bytes, bodyStart, contentLength, id);
			write(channel, NO_CONTENT);
		}
		else if (method.equals("POST") && path.startsWith("/hang/")) {
			hung++;
			connection.hanging = true;
			hanging.add(new Object[] { System.currentTimeMillis() + HANG_MS, key });
			in.clear();
			return false;
		}
		else if (path.equals("/stats")) {
			byte[] json = stats().getBytes(StandardCharsets.UTF_8);
			write(channel, ("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + json.length
					+ "\r\n\r\n").getBytes(StandardCharsets.US_ASCII), json);
		}
		else if (method.equals("POST") && path.equals("/reset")) {
			count = 0;
			ids.clear();
			hung = 0;
			write(channel, NO_CONTENT);
		}
		else {
			write(channel, NOT_FOUND);
		}
		// Drop the handled request, keep what follows it.
		int consumed = bodyStart + contentLength;
		System.arraycopy(bytes, consumed, bytes, 0, end - consumed);
		in.position(end - consumed);
		return true;
	}

	private static void ok(byte[] bytes, int bodyStart, int length, String id) {
		long now = System.currentTimeMillis();
		int at = indexOf(bytes, bodyStart, bodyStart + length, TIMESTAMP);
		if (at >= 0) {
			int from = at + TIMESTAMP.length;
			int to = from;
			while (to < bodyStart + length && bytes[to] != '"') {
				to++;
			}
			long accepted = Instant.parse(new String(bytes, from, to - from, StandardCharsets.US_ASCII)).toEpochMilli();
			if (count == latencies.length) {
				latencies = Arrays.copyOf(latencies, count * 2);
				receivedAt = Arrays.copyOf(receivedAt, count * 2);
			}
			receivedAt[count] = now;
			latencies[count] = now - accepted;
			count++;
		}
		if (id != null) {
			ids.add(id);
		}
	}

	private static String stats() {
		long[] sorted = Arrays.copyOf(latencies, count);
		Arrays.sort(sorted);
		long first = Long.MAX_VALUE;
		long last = 0;
		for (int i = 0; i < count; i++) {
			first = Math.min(first, receivedAt[i]);
			last = Math.max(last, receivedAt[i]);
		}
		return String.format(
				"{\"count\":%d,\"distinctIds\":%d,\"hung\":%d,\"firstMs\":%d,\"lastMs\":%d,\"p50\":%d,\"p99\":%d,\"max\":%d}",
				count, ids.size(), hung, count == 0 ? 0 : first, last, pct(sorted, 0.50), pct(sorted, 0.99),
				count == 0 ? 0 : sorted[count - 1]);
	}

	private static long pct(long[] sorted, double p) {
		if (sorted.length == 0) {
			return 0;
		}
		int index = (int) Math.ceil(p * sorted.length) - 1;
		return sorted[Math.max(0, Math.min(index, sorted.length - 1))];
	}

	/** Writes all of it; answers are small, so a full socket buffer (never seen on loopback) just waits here. */
	private static void write(SocketChannel channel, byte[]... parts) throws IOException {
		ByteBuffer[] buffers = new ByteBuffer[parts.length];
		long total = 0;
		for (int i = 0; i < parts.length; i++) {
			buffers[i] = ByteBuffer.wrap(parts[i]);
			total += parts[i].length;
		}
		while (total > 0) {
			total -= channel.write(buffers);
		}
	}

	private static void closeHangingDue() {
		long now = System.currentTimeMillis();
		while (!hanging.isEmpty() && (long) hanging.peek()[0] <= now) {
			close((SelectionKey) hanging.poll()[1]);
		}
	}

	private static void close(SelectionKey key) {
		key.cancel();
		try {
			key.channel().close();
		}
		catch (IOException ex) {
			// closing anyway
		}
	}

	private static int indexOf(byte[] bytes, int from, int to, byte[] pattern) {
		outer: for (int i = from; i <= to - pattern.length; i++) {
			for (int j = 0; j < pattern.length; j++) {
				if (bytes[i + j] != pattern[j]) {
					continue outer;
				}
			}
			return i;
		}
		return -1;
	}

}
