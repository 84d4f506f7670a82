package com.cloudgreet.relay.testsupport;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * An HTTP/1.1 client that sends the request target exactly as written: no normalisation, no
 * encoding, no dot-segment removal. It is how an attacker probes a server, which is what the
 * access-control tests need; every Java HTTP client tidies the path first.
 */
public final class RawHttp {

	private RawHttp() {
	}

	/** The status code of an answer, and its Location header (null without one). */
	public record Answer(int status, String location) {
	}

	/** Sends one request and returns the status code of the answer. */
	public static int status(int port, String method, String rawTarget, Map<String, String> headers, String body) {
		return answer(port, method, rawTarget, headers, body).status();
	}

	/** Sends one request and returns the answer's status and where it redirects to, if anywhere. */
	public static Answer answer(int port, String method, String rawTarget, Map<String, String> headers, String body) {
		byte[] content = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
		StringBuilder request = new StringBuilder(method).append(' ').append(rawTarget).append(" HTTP/1.1\r\n");
		request.append("Host: 127.0.0.1:").append(port).append("\r\n");
		request.append("Connection: close\r\n");
		headers.forEach((name, value) -> request.append(name).append(": ").append(value).append("\r\n"));
		if (body != null) {
			request.append("Content-Type: application/json\r\n");
			request.append("Content-Length: ").append(content.length).append("\r\n");
		}
		request.append("\r\n");
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
			socket.setSoTimeout(20_000);
			OutputStream out = socket.getOutputStream();
			out.write(request.toString().getBytes(StandardCharsets.ISO_8859_1));
			out.write(content);
			out.flush();
			var in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1));
			String statusLine = in.readLine();
			if (statusLine == null || !statusLine.startsWith("HTTP/1.1 ")) {
				throw new IllegalStateException("No HTTP answer to " + method + " " + rawTarget + ": " + statusLine);
			}
			int status = Integer.parseInt(statusLine.substring(9, 12));
			String location = null;
			for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
				if (line.regionMatches(true, 0, "Location:", 0, 9)) {
					location = line.substring(9).trim();
				}
			}
			return new Answer(status, location);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(method + " " + rawTarget, ex);
		}
	}

}
