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
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A real SMTP server, as small as it can be, that refuses recipients the way Postfix does:
 * {@code 550 5.1.1 <jane@example.com>: Recipient address rejected: User unknown}. By default it
 * refuses every recipient; given a rule, it answers each {@code RCPT TO} with the rule's reply
 * (null accepts), takes the message for the accepted ones and counts it. GreenMail accepts every
 * recipient, so it cannot play the server that refuses some.
 */
final class RejectingSmtpServer implements AutoCloseable {

	private static final Function<String, String> REFUSE_ALL = (address) -> "550 5.1.1 " + address
			+ ": Recipient address rejected: User unknown in virtual mailbox table";

	private final ServerSocket socket;

	private final Thread acceptor;

	private final Function<String, String> recipientReply;

	private final AtomicInteger messages = new AtomicInteger();

	RejectingSmtpServer() throws IOException {
		this(REFUSE_ALL);
	}

	/** {@code recipientReply} maps the address as sent ({@code <a@b>}) to the reply, or null to accept it. */
	RejectingSmtpServer(Function<String, String> recipientReply) throws IOException {
		this.recipientReply = recipientReply;
		this.socket = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
		this.acceptor = new Thread(this::serve, "rejecting-smtp");
		this.acceptor.setDaemon(true);
		this.acceptor.start();
	}

	int port() {
		return this.socket.getLocalPort();
	}

	/** Messages taken (DATA completed). */
	int messages() {
		return this.messages.get();
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

	private void converse(Socket client) throws IOException {
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
				String refusal = this.recipientReply.apply(address);
				reply(out, refusal != null ? refusal : "250 2.1.5 Ok");
			}
			else if (command.equals("DATA")) {
				reply(out, "354 End data with <CR><LF>.<CR><LF>");
				for (String data = in.readLine(); data != null && !data.equals("."); data = in.readLine()) {
					// the message itself is not kept
				}
				this.messages.incrementAndGet();
				reply(out, "250 2.0.0 Ok: queued");
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
