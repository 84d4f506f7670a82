package com.cloudgreet.relay.notification.email;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.io.OutputStreamWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * A real SMTP server, as small as it can be, that refuses every recipient the way Postfix does:
 * {@code 550 5.1.1 <jane@example.com>: Recipient address rejected: User unknown}. GreenMail
 * accepts every recipient, so it cannot play the server that echoes the refused address.
 */
final class RejectingSmtpServer implements AutoCloseable {

	private final ServerSocket socket;

	private final Thread acceptor;

	RejectingSmtpServer() throws IOException {
		this.socket = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
		this.acceptor = new Thread(this::serve, "rejecting-smtp");
		this.acceptor.setDaemon(true);
		this.acceptor.start();
	}

	int port() {
		return this.socket.getLocalPort();
	}

	private void serve() {
		while (!this.socket.isClosed()) {
			try (Socket client = this.socket.accept()) {
				converse(client);
			}
			catch (IOException closed) {
				// Closed by close(), or the client hung up: take the next one.
			}
		}
	}

	private static void converse(Socket client) throws IOException {
		BufferedReader in = new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.US_ASCII));
		Writer out = new OutputStreamWriter(client.getOutputStream(), StandardCharsets.US_ASCII);
		reply(out, "220 rejecting.test ESMTP");
		for (String line = in.readLine(); line != null; line = in.readLine()) {
			String command = line.toUpperCase(Locale.ROOT);
			if (command.startsWith("EHLO") || command.startsWith("HELO")) {
				reply(out, "250 rejecting.test");
			}
			else if (command.startsWith("RCPT TO:")) {
				String address = line.substring("RCPT TO:".length()).trim();
				reply(out, "550 5.1.1 " + address + ": Recipient address rejected: User unknown in virtual mailbox table");
			}
			else if (command.startsWith("QUIT")) {
				reply(out, "221 2.0.0 Bye");
				return;
			}
			else {
				// MAIL FROM, RSET, NOOP.
				reply(out, "250 2.0.0 Ok");
			}
		}
	}

	private static void reply(Writer out, String line) throws IOException {
		out.write(line + "\r\n");
		out.flush();
	}

	@Override
	public void close() throws IOException {
		this.socket.close();
	}

}
