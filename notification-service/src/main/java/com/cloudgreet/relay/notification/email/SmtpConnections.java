package com.cloudgreet.relay.notification.email;

import java.time.Duration;
import java.util.concurrent.BlockingDeque;
import java.util.concurrent.LinkedBlockingDeque;

import jakarta.mail.MessagingException;
import jakarta.mail.Transport;
import jakarta.mail.internet.MimeMessage;

import org.springframework.mail.javamail.JavaMailSenderImpl;

/**
 * Keeps SMTP connections open between messages, so a send costs one message transaction instead
 * of a TCP (and TLS) handshake, a greeting, EHLO and AUTH each time. A connection is taken for
 * one message and put back only if that send ended normally (a refused recipient included: the
 * session is still good); any other error closes it. One idle too long is closed rather than
 * reused, and one that went stale is checked with NOOP ({@link Transport#isConnected()}) before
 * use, so a server that dropped it never costs a message an attempt. At most {@code maxIdle} are
 * kept (the SMTP scheduler's thread count bounds how many are in use).
 */
public final class SmtpConnections implements AutoCloseable {

	private final JavaMailSenderImpl mail;

	private final Duration maxIdleTime;

	private final int maxIdle;

	private final BlockingDeque<Idle> idle = new LinkedBlockingDeque<>();

	private record Idle(Transport transport, long since) {
	}

	public SmtpConnections(JavaMailSenderImpl mail, int maxIdle, Duration maxIdleTime) {
		this.mail = mail;
		this.maxIdle = maxIdle;
		this.maxIdleTime = maxIdleTime;
	}

	/** Sends one message on a pooled connection; blocks (call it on the SMTP scheduler). */
	public void send(MimeMessage message) throws MessagingException {
		send(message, message.getAllRecipients());
	}

	/** Sends one message to {@code envelope} (its recipients, already parsed) on a pooled connection; blocks. */
	public void send(MimeMessage message, jakarta.mail.Address[] envelope) throws MessagingException {
		message.saveChanges();
		Transport transport = take();
		boolean reusable = false;
		try {
			transport.sendMessage(message, envelope);
			reusable = true;
		}
		catch (jakarta.mail.SendFailedException refused) {
			// The server refused recipients (or the message) with a reply: the session itself is fine.
			reusable = true;
			throw refused;
		}
		finally {
			if (reusable) {
				give(transport);
			}
			else {
				close(transport);
			}
		}
	}

	private Transport take() throws MessagingException {
		Idle candidate;
		while ((candidate = this.idle.pollFirst()) != null) {
			boolean fresh = System.nanoTime() - candidate.since() < this.maxIdleTime.toNanos();
			if (fresh && candidate.transport().isConnected()) {
				return candidate.transport();
			}
			close(candidate.transport());
		}
		String protocol = this.mail.getProtocol() == null ? "smtp" : this.mail.getProtocol();
		Transport transport = this.mail.getSession().getTransport(protocol);
		transport.connect(this.mail.getHost(), this.mail.getPort(), this.mail.getUsername(), this.mail.getPassword());
		return transport;
	}

	private void give(Transport transport) {
		if (this.idle.size() >= this.maxIdle || !this.idle.offerFirst(new Idle(transport, System.nanoTime()))) {
			close(transport);
		}
	}

	private static void close(Transport transport) {
		try {
			transport.close();
		}
		catch (MessagingException ex) {
			// closing a broken connection
		}
	}

	@Override
	public void close() {
		Idle entry;
		while ((entry = this.idle.pollFirst()) != null) {
			close(entry.transport());
		}
	}

}
