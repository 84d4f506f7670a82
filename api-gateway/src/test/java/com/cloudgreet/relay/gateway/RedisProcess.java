package com.cloudgreet.relay.gateway;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import com.cloudgreet.relay.testsupport.Ports;

import static org.awaitility.Awaitility.await;

/**
 * A {@code redis-server} of a test's own, on a free port, that the test may stop and start again
 * (on the same port) without disturbing the Redis other tests share.
 */
final class RedisProcess implements AutoCloseable {

	private final int port;

	private Process process;

	RedisProcess() throws IOException {
		this.port = Ports.unused();
	}

	int port() {
		return this.port;
	}

	String url() {
		return "redis://127.0.0.1:" + this.port;
	}

	void start() throws IOException {
		this.process = new ProcessBuilder("redis-server", "--port", Integer.toString(this.port), "--bind", "127.0.0.1",
				"--save", "", "--appendonly", "no")
			.redirectErrorStream(true)
			.redirectOutput(ProcessBuilder.Redirect.DISCARD)
			.start();
		awaitAnswers();
	}

	/** Waits until Redis answers a {@code PING} (after a start, or the end of a pause). */
	void awaitAnswers() {
		await().atMost(Duration.ofSeconds(10)).until(this::answersPing);
	}

	void stop() throws InterruptedException {
		if (this.process != null) {
			this.process.destroy();
			if (!this.process.waitFor(10, TimeUnit.SECONDS)) {
				this.process.destroyForcibly().waitFor();
			}
			this.process = null;
		}
	}

	/**
	 * {@code CLIENT PAUSE ms ALL}: Redis stays connected but answers nobody for that long; the
	 * commands sent meanwhile wait, and run when the pause ends (as after a slow command or a
	 * stalled host).
	 */
	void pause(Duration duration) throws IOException {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress("127.0.0.1", this.port), 1000);
			OutputStream out = socket.getOutputStream();
			out.write(("CLIENT PAUSE " + duration.toMillis() + " ALL\r\n").getBytes(StandardCharsets.US_ASCII));
			out.flush();
			byte[] reply = socket.getInputStream().readNBytes(5);
			if (!new String(reply, StandardCharsets.US_ASCII).startsWith("+OK")) {
				throw new IOException("CLIENT PAUSE refused: " + new String(reply, StandardCharsets.US_ASCII));
			}
		}
	}

	private boolean answersPing() {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress("127.0.0.1", this.port), 200);
			socket.setSoTimeout(5000);
			OutputStream out = socket.getOutputStream();
			out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
			out.flush();
			InputStream in = socket.getInputStream();
			byte[] reply = in.readNBytes(7);
			return new String(reply, StandardCharsets.US_ASCII).startsWith("+PONG");
		}
		catch (IOException ex) {
			return false;
		}
	}

	@Override
	public void close() throws InterruptedException {
		stop();
	}

}
